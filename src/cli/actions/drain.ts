import { DeployError, ExitCode } from '../../errors.js';
import { drain as drainTask, undrain as undrainTask } from '../../tasks/drain.js';
import { whoami } from '../../tasks/lock.js';
import type { DrainFlags } from '../drain.js';
import { runSession } from '../session.js';

function rotate(verb: 'drain' | 'undrain', task: typeof drainTask) {
  return (stage: string, flags: DrainFlags): Promise<number> =>
    runSession(stage, flags, verb, async ({ ctx, run }) => {
      if (!flags.hosts && !flags.roles) throw new DeployError(`deploy ${verb} needs the hosts: --hosts web3 (or --roles)`, ExitCode.config);
      await task(ctx, { run, owner: whoami(), message: flags.message ?? '', lockWaitSeconds: flags.lockWait ?? 0 });
    });
}

export const drain = rotate('drain', drainTask);
export const undrain = rotate('undrain', undrainTask);
