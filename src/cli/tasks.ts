import { resolve } from 'node:path';
import type { Command } from 'commander';
import { listStages } from '../config/load.js';
import { runTask } from '../tasks/tasks.js';
import { loadStage, out, withConfig, type ConfigFlags } from './common.js';
import type { RunFlags } from './context.js';
import { runVerb, stageVerb } from './verbs.js';

export function registerTasks(program: Command): void {
  withConfig(
    program
      .command('tasks')
      .argument('[stage]', 'the stage whose tasks to list (default: the first)')
      .description('list the tasks deploy.yml defines, with where they run and which hooks call them')
      .option('--json', 'print JSON'),
  ).action((stage: string | undefined, flags: ConfigFlags & { json?: boolean }) => {
    const config = loadStage(flags, stage ?? listStages(resolve(flags.config))[0] ?? 'staging');
    const hooks = (name: string) =>
      (['before', 'after'] as const).flatMap((when) => Object.entries(config.hooks[when]).filter(([, names]) => names?.includes(name)).map(([point]) => `${when} ${point}`));
    const rows = Object.entries(config.tasks).map(([name, t]) => ({
      name,
      description: t.description ?? '',
      roles: t.roles,
      once: t.once,
      hooks: hooks(name),
      source: config.file,
    }));
    if (flags.json) {
      out(JSON.stringify(rows, null, 2));
      return;
    }
    if (rows.length === 0) out(`no tasks in ${config.file}`);
    for (const r of rows) {
      const where = `${r.roles.length ? r.roles.join(',') : 'all hosts'}${r.once ? ', once' : ''}`;
      out(`${r.name.padEnd(20)} ${r.description || '(no description)'}\n${' '.repeat(21)}on ${where}${r.hooks.length ? `; runs ${r.hooks.join(', ')}` : ''} — ${r.source}`);
    }
  });

  stageVerb(
    program
      .command('task')
      .argument('<stage>', 'the stage')
      .argument('<name>', 'a task from deploy.yml `tasks`')
      .description('run one task from deploy.yml on its hosts (in current/)'),
  ).action((stage: string, name: string, flags: RunFlags) => runVerb(stage, flags, `task ${name}`, ({ ctx }) => runTask(ctx, name)));
}
