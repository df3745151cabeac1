import { DeployError, ExitCode } from '../../errors.js';
import { betaEnd, betaStart } from '../../tasks/beta.js';
import { betaPromote } from '../../tasks/beta-promote.js';
import { whoami } from '../../tasks/lock.js';
import type { BetaAction, BetaFlags } from '../beta.js';
import { splitList } from '../common.js';
import { runSession } from '../session.js';

export function beta(stage: string, action: BetaAction | undefined, flags: BetaFlags): Promise<number> {
  // --hosts names the beta hosts; the run itself locks and reads every host of the stage.
  const { hosts, ...rest } = flags;
  if (hosts && (action === 'end' || action === 'promote'))
    throw new DeployError(
      `--hosts names the hosts of a new beta; \`${action}\` acts on the running beta's hosts, as their markers say`,
      ExitCode.config,
    );
  const params = {
    owner: whoami(),
    message: flags.message ?? '',
    lockWaitSeconds: flags.lockWait ?? 0,
    ...(hosts ? { hosts: splitList(hosts) } : {}),
  };
  const task = action === 'end' ? betaEnd : action === 'promote' ? betaPromote : betaStart;
  return runSession(
    stage,
    rest,
    action === 'end' || action === 'promote' ? `beta ${action}` : 'beta',
    ({ ctx, run }) => task(ctx, { ...params, run }),
    {
      summary: (s) => s,
    },
  );
}
