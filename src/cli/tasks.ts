import { resolve } from 'node:path';
import type { Command } from 'commander';
import { listStages } from '../config/load.js';
import { shortPath } from '../config/recipe.js';
import { HOOK_SCOPES, type HookPoint } from '../config/types.js';
import { runTask, taskRegistry, type TaskOrigin } from '../tasks/tasks.js';
import { loadStage, out, withConfig, type ConfigFlags } from './common.js';
import { runSession, stageVerb, type Done, type RunFlags } from './session.js';

const originText = (o: TaskOrigin): string =>
  o.kind === 'config'
    ? shortPath(o.file)
    : o.kind === 'recipe'
      ? `recipe ${o.recipe} (${shortPath(o.file)})`
      : o.module === shortPath(o.file)
        ? `module ${o.module}`
        : `module ${o.module} (${shortPath(o.file)})`;

export function registerTasks(program: Command, done: Done): void {
  withConfig(
    program
      .command('tasks')
      .argument('[stage]', 'the stage whose tasks to list (default: the first)')
      .description('list every task of the config — from deploy.yml, its recipe and task modules — with where it runs, its hooks and where it is defined')
      .option('--json', 'print JSON'),
  ).action(async (stage: string | undefined, flags: ConfigFlags & { json?: boolean }) => {
    const config = loadStage(flags, stage ?? listStages(resolve(flags.config))[0] ?? 'staging');
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
      out(`${t.name.padEnd(20)} ${t.description || '(no description)'}\n${' '.repeat(21)}on ${where}${runs.length ? `; runs ${runs.join(', ')}` : ''} — ${originText(t.origin)}`);
    }
  });

  stageVerb(
    program
      .command('task')
      .argument('<stage>', 'the stage')
      .argument('<name>', 'a task (see `deploy tasks`)')
      .description('run one task — from deploy.yml, its recipe or a task module — on its hosts (in current/)'),
  ).action(async (stage: string, name: string, flags: RunFlags) => done(await runSession(stage, flags, `task ${name}`, ({ ctx }) => runTask(ctx, name))));
}
