import { resolve } from 'node:path';
import { listStages } from '../../config/load.js';
import { shortPath } from '../../config/recipe-ref.js';
import { HOOK_SCOPES, type HookPoint } from '../../config/types.js';
import { runTask, taskRegistry, type TaskOrigin } from '../../tasks/tasks.js';
import { out, type ConfigFlags, type RunFlags } from '../common.js';
import { runSession } from '../session.js';
import { loadStage } from '../stage.js';

const originText = (o: TaskOrigin): string =>
  o.kind === 'config'
    ? shortPath(o.file)
    : o.kind === 'recipe'
      ? `recipe ${o.recipe} (${shortPath(o.file)})`
      : o.module === shortPath(o.file)
        ? `module ${o.module}`
        : `module ${o.module} (${shortPath(o.file)})`;

export async function listTasks(stage: string | undefined, flags: ConfigFlags & { json?: boolean }): Promise<void> {
  const config = await loadStage(flags, stage ?? listStages(resolve(flags.config))[0] ?? 'staging');
  const tasks = await taskRegistry(config);
  const hooks = (name: string) =>
    (['before', 'after'] as const).flatMap((when) =>
      Object.entries(config.hooks[when])
        .filter(([, names]) => names?.includes(name))
        .map(([point]) => `${when} ${point}${HOOK_SCOPES[point as HookPoint].scope === 'batch' ? ' (each batch)' : ''}`),
    );
  const rows = [...tasks.values()].map((t) => ({
    name: t.name,
    description: t.description ?? '',
    roles: t.roles,
    once: t.once,
    hooks: hooks(t.name),
    kind: t.origin.kind,
    ...(t.origin.kind === 'recipe' ? { recipe: t.origin.recipe } : t.origin.kind === 'module' ? { module: t.origin.module } : {}),
    source: t.origin.file,
  }));
  if (flags.json) {
    out(JSON.stringify(rows, null, 2));
    return;
  }
  if (rows.length === 0) out(`no tasks in ${shortPath(config.file)}`);
  for (const t of tasks.values()) {
    const where = `${t.roles.length ? t.roles.join(',') : 'all hosts'}${t.once ? ', once' : ''}`;
    const runs = hooks(t.name);
    out(
      `${t.name.padEnd(20)} ${t.description || '(no description)'}\n${' '.repeat(21)}on ${where}${runs.length ? `; runs ${runs.join(', ')}` : ''} — ${originText(t.origin)}`,
    );
  }
}

export const task = (stage: string, name: string, flags: RunFlags): Promise<number> =>
  runSession(stage, flags, `task ${name}`, ({ ctx }) => runTask(ctx, name));
