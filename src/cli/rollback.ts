import { Option, type Command } from 'commander';
import { whoami } from '../tasks/lock.js';
import { rollback } from '../tasks/rollback.js';
import { parseOutputFile, parseReleaseId, parseSeconds } from './common.js';
import { runSession, stageVerb, type Done, type RunFlags } from './session.js';

interface RollbackFlags extends RunFlags {
  to?: string;
  message?: string;
  lockWait?: number;
}

export function registerRollback(program: Command, done: Done): void {
  stageVerb(
    program
      .command('rollback')
      .argument('<stage>', 'the stage to roll back')
      .description('switch every host back to the release before current (by the revision log) and mark the current one bad')
      .addOption(new Option('--to <release>', 'go to this release instead').argParser(parseReleaseId))
      .option('-m, --message <text>', 'why: kept in the lock, revisions.log and `deploy releases`', '')
      .addOption(new Option('--lock-wait <seconds>', 'wait this long for a held lock').argParser(parseSeconds).default(0))
      .addOption(new Option('--report <file.html>', 'write an HTML report of the run (timeline, failures, commands)').argParser(parseOutputFile)),
  ).action(async (stage: string, flags: RollbackFlags) =>
    done(
      await runSession(stage, flags, 'rollback', async ({ ctx, run }) => {
        const summary = await rollback(ctx, { to: flags.to, run, owner: whoami(), message: flags.message ?? '', lockWaitSeconds: flags.lockWait ?? 0 });
        if (summary.release) ctx.emit({ type: 'info', message: `rolled back to ${summary.release}` });
      }),
    ),
  );
}
