import { Option, type Command } from 'commander';
import { lazy, parseOutputFile, parseSeconds, stageVerb, type Done, type RunFlags } from './common.js';

export interface SyncFlags extends RunFlags {
  message?: string;
  lockWait?: number;
}

export function registerSync(program: Command, done: Done): void {
  stageVerb(
    program
      .command('sync')
      .argument('<stage>', 'the stage')
      .description(
        "bring hosts that serve no release or another one than their role's live release to it (same release id and revision, no migration), then into rotation",
      )
      .option('-m, --message <text>', 'why: kept in the lock and revisions.log', '')
      .addOption(new Option('--lock-wait <seconds>', 'wait this long for a held lock').argParser(parseSeconds).default(0))
      .addOption(
        new Option('--report <file.html>', 'write an HTML report of the run (timeline, failures, commands)').argParser(parseOutputFile),
      ),
  ).action(lazy(done, async () => (await import('./actions/sync.js')).sync));
}
