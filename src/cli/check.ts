import type { Command } from 'commander';
import { lazy, stageVerb, type Done } from './common.js';

export function registerCheck(program: Command, done: Done): void {
  stageVerb(
    program
      .command('check')
      .argument('<stage>', 'the stage to check')
      .description(
        'preflight: connect to every host at once and check tools, disk space, permissions, the repository from each host and a first deploy’s app port; changes nothing',
      ),
  ).action(lazy(done, async () => (await import('./actions/check.js')).check));
}
