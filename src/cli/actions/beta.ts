import { betaEnd, betaStart } from '../../tasks/beta.js';
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
  const end = action === 'end';
  return runSession(
    stage,
    rest,
    end ? 'beta end' : 'beta',
    ({ ctx, run }) => (end ? betaEnd(ctx, { ...params, run }) : betaStart(ctx, { ...params, run })),
    {
      summary: (s) => s,
    },
  );
}
