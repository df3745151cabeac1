import { Option, type Command } from 'commander';
import { jsonLine } from '../output/visible.js';
import { LOCK_ACTIONS, lockAction, runLockAction } from '../tasks/lock-actions.js';
import { out, parseSeconds, withConfig, withOutput } from './common.js';
import { runSession, type Done, type RunFlags } from './session.js';

interface LockFlags extends RunFlags {
  message?: string;
  lockWait?: number;
  force?: boolean;
}

export function registerLock(program: Command, done: Done): void {
  withConfig(
    withOutput(
      program
        .command('lock')
        .argument('<stage>', 'the stage')
        .argument('[action]', `${LOCK_ACTIONS.join(' | ')}`, 'status')
        .description('show, take or release the deploy lock (on every host of the stage; the primary host of the first rollout role names it)')
        .option('-m, --message <text>', 'why (acquire)', '')
        .addOption(new Option('--lock-wait <seconds>', 'wait this long for a held lock (acquire)').argParser(parseSeconds).default(0))
        .option('--force', 'release: remove the lock whoever holds it (only when that run is dead)'),
    ),
  ).action(async (stage: string, action: string, flags: LockFlags) => done(await lockVerb(stage, action, flags)));
  withConfig(
    withOutput(
      program
        .command('unlock')
        .argument('<stage>', 'the stage')
        .description(
          'release the deploy lock (same as `deploy lock <stage> release`): one taken by hand or left by a dead run of this machine, or expired; --force: whoever holds it',
        )
        .option('--force', 'remove the lock whoever holds it (only when that run is dead)'),
    ),
  ).action(async (stage: string, flags: LockFlags) => done(await lockVerb(stage, 'release', flags)));
}

function lockVerb(stage: string, name: string, flags: LockFlags): Promise<number> {
  const action = lockAction(name);
  return runSession(
    stage,
    flags,
    `lock ${action}`,
    async ({ ctx, run }) => {
      const report = await runLockAction(ctx, action, { run, message: flags.message, waitSeconds: flags.lockWait, force: flags.force });
      if (flags.json && report.json) out(jsonLine(report.json));
      else report.lines.forEach((l) => out(l));
      if (report.error) throw report.error;
    },
    { query: true },
  );
}
