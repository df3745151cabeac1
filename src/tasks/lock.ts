import { hostname, userInfo } from 'node:os';
import { acquire, release as releaseLock, renew, takeOver, type LockInfo } from '../commands/lock.js';
import { paths } from '../commands/paths.js';
import type { Config, HostDef } from '../config/types.js';
import { DeployError, LockHeldError } from '../errors.js';
import { isExpired, lockStatus, type LockStatus } from '../facts/lock.js';
import { primaryHost, rolloutOrder } from '../hosts/roles.js';
import type { RunContext } from './context.js';
import { exec, probe } from './runner.js';

const STEP = 'lock';

/** `user@machine` of whoever runs this deploy. */
export function whoami(env: NodeJS.ProcessEnv = process.env): string {
  const user = env.DEPLOY_USER || safeUser();
  return `${user}@${hostname()}`;
}

function safeUser(): string {
  try {
    return userInfo().username;
  } catch {
    return 'unknown';
  }
}

/**
 * The one host that holds the stage's lock: the primary host of the first role in the rollout that has hosts.
 * Chosen from the whole stage, never from a --roles/--hosts selection, so every deploy of the stage meets it.
 */
export function lockHost(config: Config): HostDef {
  for (const role of rolloutOrder(config)) {
    const host = primaryHost(config.hosts, role);
    if (host) return host;
  }
  const first = config.hosts[0];
  if (!first) throw new DeployError(`stage ${config.stage} has no hosts`);
  return first;
}

export interface LockRequest {
  readonly release: string;
  readonly message: string;
  readonly owner: string;
  /** Seconds to wait for a held lock; 0 fails at once. */
  readonly waitSeconds: number;
  readonly now?: () => Date;
}

export interface LockHandle {
  readonly host: HostDef;
  release(): Promise<void>;
}

export function lockInfo(config: Config, req: LockRequest, now: Date): LockInfo {
  return {
    owner: req.owner,
    time: now.toISOString(),
    message: req.message,
    release: req.release,
    expires: new Date(now.getTime() + config.lock.ttl * 1000).toISOString(),
  };
}

export function describeHolder(status: LockStatus, now: Date): string {
  if (status.state === 'unlocked') return 'nobody';
  if (status.state === 'malformed') return `an unreadable lock (${status.error})${status.release ? ` for release ${status.release}` : ''}`;
  const { owner, time, message, release } = status.info;
  const age = Math.max(0, Math.round((now.getTime() - Date.parse(time)) / 1000));
  return `${owner} since ${time} (${formatAge(age)} ago), release ${release}${message ? `: "${message}"` : ''}`;
}

export function formatAge(seconds: number): string {
  if (seconds < 120) return `${seconds}s`;
  if (seconds < 7200) return `${Math.round(seconds / 60)}m`;
  return `${Math.round(seconds / 3600)}h`;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Takes the stage's lock (atomic mkdir), waiting or taking over an expired one as asked, and keeps it renewed. */
export async function acquireLock(ctx: RunContext, req: LockRequest): Promise<LockHandle> {
  const now = req.now ?? (() => new Date());
  const host = lockHost(ctx.config);
  const p = paths(ctx.config.deployTo);
  const deadline = Date.now() + req.waitSeconds * 1000;
  if (ctx.mode === 'dry-run') {
    const status = await probe(ctx, STEP, host, lockStatus(p));
    if (status.state !== 'unlocked') ctx.emit({ type: 'warning', host: host.name, message: `the lock is held by ${describeHolder(status, now())}; a real deploy would stop here` });
  }
  for (let waited = false; ; waited = true) {
    const got = await exec(ctx, STEP, host, acquire(p, lockInfo(ctx.config, req, now())), { allowFail: true });
    if (got.code === 0) break;
    const status = await probe(ctx, STEP, host, lockStatus(p));
    if (status.state === 'unlocked') continue;
    if (status.state === 'locked' && isExpired(status.info, now())) {
      ctx.emit({ type: 'warning', host: host.name, message: `taking over an expired lock held by ${describeHolder(status, now())}` });
      const taken = await exec(ctx, STEP, host, takeOver(p, lockInfo(ctx.config, req, now()), status.release), { allowFail: true });
      if (taken.code === 0) {
        ctx.emit({ type: 'lock', action: 'taken-over', host: host.name, holder: status.info.owner });
        return handle(ctx, host, req, now, true);
      }
      continue;
    }
    if (Date.now() >= deadline) {
      ctx.emit({ type: 'lock', action: 'held', host: host.name, holder: describeHolder(status, now()) });
      throw new LockHeldError(
        `stage ${ctx.config.stage} is locked on ${host.name} by ${describeHolder(status, now())}`,
        `wait for that deploy to finish, pass --lock-wait <seconds>, or if it is dead: deploy lock ${ctx.config.stage} release`,
      );
    }
    if (!waited) ctx.emit({ type: 'lock', action: 'waiting', host: host.name, holder: describeHolder(status, now()) });
    await sleep(Math.min(2000, Math.max(100, deadline - Date.now())));
  }
  ctx.emit({ type: 'lock', action: 'acquired', host: host.name });
  return handle(ctx, host, req, now, true);
}

function handle(ctx: RunContext, host: HostDef, req: LockRequest, now: () => Date, renewing: boolean): LockHandle {
  const p = paths(ctx.config.deployTo);
  const quiet: RunContext = { ...ctx, signal: undefined };
  const period = Math.max(1000, (ctx.config.lock.ttl * 1000) / 3);
  const timer =
    renewing && ctx.mode === 'real'
      ? setInterval(() => {
          exec(quiet, STEP, host, renew(p, lockInfo(ctx.config, req, now())), { allowFail: true })
            .then((r) => ctx.emit(r.code === 0 ? { type: 'lock', action: 'renewed', host: host.name } : { type: 'warning', host: host.name, message: 'could not renew the deploy lock' }))
            .catch(() => ctx.emit({ type: 'warning', host: host.name, message: 'could not renew the deploy lock' }));
        }, period)
      : undefined;
  timer?.unref();
  let released = false;
  return {
    host,
    async release() {
      if (released) return;
      released = true;
      if (timer) clearInterval(timer);
      await exec(quiet, STEP, host, releaseLock(p));
      ctx.emit({ type: 'lock', action: 'released', host: host.name });
    },
  };
}
