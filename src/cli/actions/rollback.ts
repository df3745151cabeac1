import { whoami } from '../../tasks/lock.js';
import { rollback as rollbackTask } from '../../tasks/rollback.js';
import type { RollbackFlags } from '../rollback.js';
import { runSession } from '../session.js';

export function rollback(stage: string, flags: RollbackFlags): Promise<number> {
  return runSession(stage, flags, 'rollback', async ({ ctx, run }) => {
    const summary = await rollbackTask(ctx, {
      to: flags.to,
      run,
      owner: whoami(),
      message: flags.message ?? '',
      lockWaitSeconds: flags.lockWait ?? 0,
    });
    if (summary.release) ctx.emit({ type: 'info', message: `rolled back to ${summary.release}` });
  });
}
