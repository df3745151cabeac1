import * as z from 'zod';
import { HOOK_POINTS, HOOK_SCOPES, isEventPoint, type HookPoint, type Hooks } from '../types.js';
import { list, strict, taskName } from './primitives.js';

const taskNames = z
  .union([taskName(), list(taskName(), 0, 'a list of task names')], {
    error: 'expected a task name or a list of task names',
  })
  .transform((v) => (typeof v === 'string' ? [v] : v));

function points(when: 'before' | 'after') {
  const shape = Object.fromEntries(
    HOOK_POINTS.filter((p) => when === 'after' || !isEventPoint(p)).map((p) => [
      p,
      taskNames
        .optional()
        .describe(
          `Tasks (from \`tasks\`) to run ${when} \`${p}\`: ${HOOK_SCOPES[p].when} (once per ${HOOK_SCOPES[p].scope}; ${HOOK_SCOPES[p].verbs}).`,
        ),
    ]),
  ) as Record<HookPoint, z.ZodOptional<typeof taskNames>>;
  return strict(shape, 'a mapping of lifecycle steps to task names').transform((m): Partial<Record<HookPoint, readonly string[]>> => m);
}

export const hooks = strict(
  {
    before: points('before').default({}).describe('Tasks to run before a lifecycle step, by step.'),
    after: points('after').default({}).describe('Tasks to run after a lifecycle step, by step.'),
  },
  'a mapping with `before` and `after`',
)
  .transform((h): Hooks => h)
  .describe(`Attach tasks to the deploy lifecycle: ${HOOK_POINTS.join(', ')}.`);
