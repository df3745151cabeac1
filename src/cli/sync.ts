import { Option, type Command } from 'commander';
import { whoami } from '../tasks/lock.js';
import { sync } from '../tasks/sync.js';
import { parseOutputFile, parseSeconds } from './common.js';
import { runSession, stageVerb, type Done, type RunFlags } from './session.js';

interface SyncFlags extends RunFlags {
  lockWait?: number;
}

export function registerSync(program: Command, done: Done): void {
  stageVerb(
    program
      .command('sync')
      .argument('<stage>', 'the stage')
      .description("bring hosts that serve no release or another one than their role's live release to it (same release id and revision, no migration), then into rotation")
      .option('-m, --message <text>', 'why: kept in the lock and revisions.log', '')
      .addOption(new Option('--lock-wait <seconds>', 'wait this long for a held lock').argParser(parseSeconds).default(0))
      .addOption(new Option('--report <file.html>', 'write an HTML report of the run (timeline, failures, commands)').argParser(parseOutputFile)),
  ).action(async (stage: string, flags: SyncFlags) =>
    done(
      await runSession(stage, flags, 'sync', ({ ctx, run }) => sync(ctx, { run, owner: whoami(), message: flags.message ?? '', lockWaitSeconds: flags.lockWait ?? 0 }), {
        summary: (s) => s,
      }),
    ),
  );
}
