import { Option, type Command } from 'commander';
import { LOCK_ACTIONS } from '../commands/lock.js';
import { lazy, parseSeconds, withConfig, withOutput, type Done, type RunFlags } from './common.js';

export interface LockFlags extends RunFlags {
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
        .description(
          'show, take or release the deploy lock (on every host of the stage; the primary host of the first rollout role names it)',
        )
        .option('-m, --message <text>', 'why (acquire)', '')
        .addOption(new Option('--lock-wait <seconds>', 'wait this long for a held lock (acquire)').argParser(parseSeconds).default(0))
        .option('--force', 'release: remove the lock whoever holds it (only when that run is dead)'),
    ),
  ).action(lazy(done, async () => (await import('./actions/lock.js')).lock));
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
  ).action(lazy(done, async () => (await import('./actions/lock.js')).unlock));
}
