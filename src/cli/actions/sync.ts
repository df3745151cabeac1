import { whoami } from '../../tasks/lock.js';
import { sync as syncTask } from '../../tasks/sync.js';
import { runSession } from '../session.js';
import type { SyncFlags } from '../sync.js';

export function sync(stage: string, flags: SyncFlags): Promise<number> {
  return runSession(
    stage,
    flags,
    'sync',
    ({ ctx, run }) => syncTask(ctx, { run, owner: whoami(), message: flags.message ?? '', lockWaitSeconds: flags.lockWait ?? 0 }),
    {
      summary: (s) => s,
    },
  );
}
