import type { Command } from 'commander';
import { lazy, stageVerb, type Done } from './common.js';

export function registerStatus(program: Command, done: Done): void {
  stageVerb(
    program
      .command('status')
      .argument('<stage>', 'the stage')
      .description('which release every host serves, its health, mixed releases, leftover locks and bad releases'),
  ).action(lazy(done, async () => (await import('./actions/status.js')).status));
}
