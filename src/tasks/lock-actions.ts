import { ConnectionError, DeployError, ExitCode, LockHeldError } from '../errors.js';
import { visible } from '../output/visible.js';
import type { RunContext } from './context.js';
import { LOCK_ACTIONS, type LockAction } from '../commands/lock.js';
import { acquireLocks, describeHolder, readLocks, unlock, whoami, type HostLock } from './lock.js';

export { LOCK_ACTIONS, type LockAction };

export function lockAction(action: string): LockAction {
  if (!(LOCK_ACTIONS as readonly string[]).includes(action)) {
    throw new DeployError(`unknown lock action "${action}"; use one of: ${LOCK_ACTIONS.join(', ')}`, ExitCode.config);
  }
  return action as LockAction;
}

/** What a lock action found or did: lines for people, the JSON document (status), and the failure to report after them. */
export interface LockReport {
  readonly lines: readonly string[];
  readonly json?: Record<string, unknown>;
  readonly error?: DeployError;
}

function describeLock(l: HostLock): string {
  if (l.state === 'unknown') return `cannot read the lock: ${visible(l.error)}`;
  return l.state === 'unlocked' ? 'unlocked' : `locked by ${describeHolder(l)}`;
}

/** The lock on every host of the stage: the lock host's, then any other host whose lock differs from it. */
export function lockStatusReport(stage: string, locks: readonly HostLock[]): LockReport {
  const [first] = locks;
  const lines: string[] = [];
  if (locks.every((l) => l.state === 'unlocked')) lines.push(`${stage}: unlocked (lock host ${first!.host})`);
  else {
    const held = (l: HostLock) => (l.state === 'locked' || l.state === 'malformed' ? l.token : undefined);
    lines.push(
      `${stage}: ${first!.state === 'unlocked' ? `unlocked on ${first!.host}` : `${describeLock(first!).replace(/^locked/, `locked on ${first!.host}`)}`}`,
    );
    for (const l of locks.slice(1))
      if (l.state !== 'unlocked' && (held(l) === undefined || held(l) !== held(first!))) lines.push(`  ${l.host}: ${describeLock(l)}`);
  }
  const unread = locks.filter((l) => l.state === 'unknown').map((l) => l.host);
  return {
    lines,
    json: { type: 'lock', ...first, hosts: locks },
    ...(unread.length > 0 ? { error: new ConnectionError(unread.join(', '), 'the lock could not be read') } : {}),
  };
}

export interface LockActionParams {
  readonly run: string;
  readonly message?: string;
  readonly waitSeconds?: number;
  readonly force?: boolean;
}

/** Shows, takes (by hand: never taken over as a dead run's) or releases the stage's lock. */
export async function runLockAction(ctx: RunContext, action: LockAction, params: LockActionParams): Promise<LockReport> {
  const stage = ctx.config.stage;
  if (action === 'status') return lockStatusReport(stage, await readLocks(ctx));
  if (action === 'acquire') {
    const lock = await acquireLocks(ctx, {
      run: params.run,
      owner: whoami(),
      message: params.message || 'held by hand',
      verb: 'lock',
      waitSeconds: params.waitSeconds ?? 0,
      manual: true,
    });
    return { lines: [`${stage}: locked on ${lock.hosts.map((h) => h.name).join(', ')}; release it with: deploy unlock ${stage}`] };
  }
  const r = await unlock(ctx, { force: params.force === true });
  const lines = r.done.length === 0 ? [`${stage}: unlocked`] : [...r.done];
  if (r.failed.length > 0) return { lines, error: new ConnectionError(r.failed.join(', '), 'the lock could not be released there') };
  if (r.refused.length > 0) {
    return {
      lines,
      error: new LockHeldError(
        `the lock on ${r.refused.join(', ')} is held by another run: nothing was changed there`,
        `if that run is dead: \`deploy unlock ${stage}\` on the machine that ran it, or \`deploy unlock ${stage} --force\``,
      ),
    };
  }
  return { lines };
}
