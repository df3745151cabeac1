import type { Command } from 'commander';
import { lazy, stageVerb, type Done } from './common.js';

export function registerReleases(program: Command, done: Done): void {
  stageVerb(
    program
      .command('releases')
      .argument('<stage>', 'the stage')
      .description('list the releases on every host, marking current (*), rollback target (<) and bad (!)'),
  ).action(lazy(done, async () => (await import('./actions/releases.js')).releases));
}
