import { Option, type Command } from 'commander';
import { paths } from '../commands/paths.js';
import { releaseId } from '../commands/release.js';
import { DeployError, ExitCode } from '../errors.js';
import { lockStatus } from '../facts/lock.js';
import { acquireLock, describeHolder, lockHost, whoami } from '../tasks/lock.js';
import { exec, probe } from '../tasks/runner.js';
import { release as releaseLock } from '../commands/lock.js';
import type { RunFlags } from './context.js';
import { out, parseSeconds, withConfig } from './common.js';
import { withOutput } from './deploy.js';
import { runVerb } from './verbs.js';

interface LockFlags extends RunFlags {
  message?: string;
  lockWait?: number;
}

const ACTIONS = ['status', 'acquire', 'release'] as const;

export function registerLock(program: Command): void {
  withConfig(
    withOutput(
      program
        .command('lock')
        .argument('<stage>', 'the stage')
        .argument('[action]', `${ACTIONS.join(' | ')}`, 'status')
        .description('show, take or release the stage-wide deploy lock (held on the primary host of the first rollout role)')
        .option('-m, --message <text>', 'why (acquire)', '')
        .addOption(new Option('--lock-wait <seconds>', 'wait this long for a held lock (acquire)').argParser(parseSeconds).default(0)),
    ),
  ).action((stage: string, action: string, flags: LockFlags) => lockAction(stage, action, flags));
  withConfig(withOutput(program.command('unlock').argument('<stage>', 'the stage').description('release the deploy lock (same as `deploy lock <stage> release`)'))).action(
    (stage: string, flags: LockFlags) => lockAction(stage, 'release', flags),
  );
}

async function lockAction(stage: string, action: string, flags: LockFlags): Promise<void> {
  if (!(ACTIONS as readonly string[]).includes(action)) {
    throw new DeployError(`unknown lock action "${action}"; use one of: ${ACTIONS.join(', ')}`, ExitCode.config);
  }
  await runVerb(stage, flags, `lock ${action}`, async ({ ctx }) => {
    const host = lockHost(ctx.config);
    const p = paths(ctx.config.deployTo);
    if (action === 'status') {
      const status = await probe(ctx, 'lock', host, lockStatus(p));
      if (flags.json) out(JSON.stringify({ type: 'lock', host: host.name, ...status }));
      else out(status.state === 'unlocked' ? `${stage}: unlocked (lock host ${host.name})` : `${stage}: locked on ${host.name} by ${describeHolder(status, new Date())}`);
    } else if (action === 'acquire') {
      await acquireLock(ctx, {
        release: releaseId(new Date()),
        owner: whoami(),
        message: flags.message || 'held by hand',
        waitSeconds: flags.lockWait ?? 0,
      });
      out(`${stage}: locked on ${host.name}; release it with: deploy unlock ${stage}`);
    } else {
      const status = await probe(ctx, 'lock', host, lockStatus(p));
      if (status.state !== 'unlocked') ctx.emit({ type: 'warning', host: host.name, message: `releasing the lock held by ${describeHolder(status, new Date())}` });
      await exec(ctx, 'lock', host, releaseLock(p));
      out(`${stage}: unlocked`);
    }
  }, { query: true });
}
