import { jsonLine } from '../../output/visible.js';
import { lockAction, runLockAction } from '../../tasks/lock-actions.js';
import { out } from '../common.js';
import type { LockFlags } from '../lock.js';
import { runSession } from '../session.js';

export const lock = (stage: string, action: string, flags: LockFlags): Promise<number> => lockVerb(stage, action, flags);

export const unlock = (stage: string, flags: LockFlags): Promise<number> => lockVerb(stage, 'release', flags);

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
