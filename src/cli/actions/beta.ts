import { betaEnd, betaStart } from '../../tasks/beta.js';
import { betaPromote } from '../../tasks/beta-promote.js';
import { whoami } from '../../tasks/lock.js';
import type { BetaAction, BetaFlags } from '../beta.js';
import { splitList } from '../common.js';
import { runSession } from '../session.js';

export function beta(stage: string, action: BetaAction | undefined, flags: BetaFlags): Promise<number> {
  // --hosts names the beta hosts; the run itself locks and reads every host of the stage.
  const { hosts, ...rest } = flags;
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
