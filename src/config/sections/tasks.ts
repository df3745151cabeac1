import type { TaskDef } from '../types.js';
import { boolean, checked, command, list, named, noControl, roleName, taskName, text, withShorthand } from './primitives.js';

const CWD_TEXT = '`release`, `current` or an absolute path';
const cwd = checked(
  CWD_TEXT,
  (d) => (d === 'release' || d === 'current' || d.startsWith('/') ? undefined : CWD_TEXT),
  noControl('an absolute path'),
);

const task = withShorthand(
  'run',
  command(),
  {
    description: text('a description').optional().describe('One line shown by `deploy tasks`.'),
    run: command().describe('Shell snippet, run as written with the stage env (it is your own script).'),
    roles: list(roleName(), 0, 'a list of role names')
      .default([])
      .describe('Run only on hosts with one of these roles (default: every host of the stage).'),
    once: boolean().default(false).describe('Run on one host only: the primary host of the first listed role (default false).'),
    cwd: cwd.default('release').describe('Working directory: `release` (the new release, default), `current`, or an absolute path.'),
    allow_failure: boolean()
      .optional()
      .describe('A failure is reported as a warning, with the output, and the deploy goes on (default false).'),
  },
  'a command or a mapping with `run`',
).transform(({ allow_failure, ...t }): TaskDef => (allow_failure ? { ...t, allowFailure: true } : t));

export const tasks = named(taskName(), task, 'a mapping of task names to tasks').describe(
  'Named shell tasks, for hooks and `deploy run`. A string is shorthand for `{ run: … }`.',
);
