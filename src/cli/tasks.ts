import type { Command } from 'commander';
import { lazy, stageVerb, withConfig, type Done } from './common.js';

export function registerTasks(program: Command, done: Done): void {
  withConfig(
    program
      .command('tasks')
      .argument('[stage]', 'the stage whose tasks to list (default: the first)')
      .description(
        'list every task of the config — from deploy.yml, its recipe and task modules — with where it runs, its hooks and where it is defined',
      )
      .option('--json', 'print JSON'),
  ).action(lazy(done, async () => (await import('./actions/tasks.js')).listTasks));

  stageVerb(
    program
      .command('task')
      .argument('<stage>', 'the stage')
      .argument('<name>', 'a task (see `deploy tasks`)')
      .description('run one task — from deploy.yml, its recipe or a task module — on its hosts (in current/)'),
  ).action(lazy(done, async () => (await import('./actions/tasks.js')).task));
}
