// Whole on purpose: taking, waiting, renewing, taking over and releasing the lock share one model of who holds it.
import { randomBytes } from 'node:crypto';
import { hostname, userInfo } from 'node:os';
import { processGone, pruneRunRecords, readRunRecord, removeRunRecord, thisProcess, writeRunRecord } from '../backends/runs.js';
import { acquire, forceRelease, isToken, release as releaseLock, renew, takeOver, type LockInfo } from '../commands/lock.js';
import { paths } from '../commands/paths.js';
import type { Config, HostDef } from '../config/types.js';
import { CommandLostError, DeployError, LockHeldError, LockLostError } from '../errors.js';
import type { Fact } from '../facts/fact.js';
import type { Command } from '../shell/command.js';
import { isExpired, lockStatus, parseAcquired, parseLost, parseReleased, type LockStatus } from '../facts/lock.js';
import { primaryHost, rolloutOrder } from '../hosts/roles.js';
import { visible } from '../output/visible.js';
import { balancerPools } from './balancer.js';
import type { RunContext } from './context.js';
import { bestEffort, exec, HostsFailedError, onHosts, probe } from './runner.js';
import { sleep } from './wait.js';

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

/** A new run's lock token: unique per run, so only the run holding a lock renews or releases it. */
export const newToken = (): string => randomBytes(16).toString('hex');

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

/**
 * Every host a run locks, the stage's lock host first: the selected hosts and the balancers (the rollout changes
 * them whatever the selection). Each host's lock is `deploy_to/deploy.lock` there, so two stages sharing a host and
 * a deploy_to exclude each other.
 */
export function lockedHosts(ctx: Pick<RunContext, 'config' | 'hosts'>): HostDef[] {
  const first = lockHost(ctx.config);
  const names = new Set([...ctx.hosts.map((h) => h.name), ...balancerPools(ctx.config).flatMap((p) => p.balancers.map((b) => b.name))]);
  return [first, ...ctx.config.hosts.filter((h) => h.name !== first.name && names.has(h.name))];
}

export interface LockRequest {
  /** The run's local id (its log dir). */
  readonly run: string;
  readonly owner: string;
  readonly message: string;
  /** What takes it: deploy, rollback, lock. */
  readonly verb: string;
  /** Seconds to wait for a held lock; 0 fails at once. */
  readonly waitSeconds: number;
  /** Held by hand: the lock outlives this process, so it is never taken over as a dead run's. */
  readonly manual?: boolean;
}

export interface LockOptions<T> {
  /** Default: lockedHosts(ctx). The stage's lock host must come first. */
  readonly hosts?: readonly HostDef[];
  /** A read to run on a host in the same round trip as taking its lock (e.g. its releases). */
  readonly probe?: (host: HostDef) => Fact<T> | undefined;
}

export interface LockSet<T> {
  /** The stage's lock host. */
  readonly host: HostDef;
  readonly hosts: readonly HostDef[];
  readonly token: string;
  /** What each host's probe read right after its lock was taken. */
  readonly probed: ReadonlyMap<string, T>;
  /** Throws LockLostError when a lock changed hands, or went unrenewed longer than lock.ttl. */
  check(next: string): void;
  /**
   * Releases every lock this run holds, on a host after its `before` command if it has one (one round trip: the
   * last step of a run and its unlock); never throws: what could not be released is returned, to be told.
   */
  release(o?: { before?: ReadonlyMap<string, Command>; step?: string }): Promise<Released>;
}

/** Who holds a lock, for one line of a terminal (owner and message escaped). */
export function describeHolder(status: LockStatus): string {
  if (status.state === 'unlocked') return 'nobody';
  const since = status.clock.since;
  const when =
    since === null ? '' : ` since ${new Date(since * 1000).toISOString()} (${formatAge(Math.max(0, status.clock.now - since))} ago)`;
  if (status.state === 'malformed') return `an unreadable lock (${visible(status.error)})${when}`;
  const { owner, verb, run, message } = status.info;
  return `${visible(owner)} (${visible(verb)} ${visible(run)})${when}${message ? `: "${visible(message)}"` : ''}`;
}

export function formatAge(seconds: number): string {
  if (seconds < 120) return `${seconds}s`;
  if (seconds < 7200) return `${Math.round(seconds / 60)}m`;
  return `${Math.round(seconds / 3600)}h`;
}

type Try<T> = { readonly kind: 'acquired'; readonly value: T } | { readonly kind: 'held'; readonly status: LockStatus };

/**
 * Takes the lock on every host of the run at once (one round trip), all or nothing. Nothing is waited for while
 * holding: when one is held elsewhere, every lock taken is released before waiting (`--lock-wait`) or giving up, so
 * two runs can never wait on each other. Between two runs of one stage the stage's lock host decides: the one that
 * did not get it gives up (or waits); the one that did retries the hosts it met held a few times. A lock that
 * expired by its host's clock, or whose holder is a run of this machine whose process is gone, is taken over.
 * Keeps the locks renewed until released.
 */
export async function acquireLocks<T = undefined>(ctx: RunContext, req: LockRequest, o: LockOptions<T> = {}): Promise<LockSet<T>> {
  return beginLocks(ctx, req, o).finish();
}

/**
 * Locks being taken, the first try on a host possibly in another step's round trip (the preflight's): `ahead` is
 * the command to run there, `sent` and `took` say what became of it, `finish` takes every lock (trying again where
 * the first try did not take it), and `abandon` releases what the first tries took when the run stops before
 * `finish`.
 */
/** What the lock's first try on a host printed (its output alone) and its exit status. */
export interface FirstTry {
  readonly stdout: string;
  readonly code: number;
}

export interface LockStart<T> {
  /** The first try on a host, to run in another round trip; undefined where there is none (not a real run). */
  ahead(host: HostDef): Command | undefined;
  /** `ahead`'s command was sent to the host: it may have taken the lock there. */
  sent(host: HostDef): void;
  /** It never reached the host after all (no connection could be made): there is no lock there to release. */
  unsent(host: HostDef): void;
  /** What `ahead`'s command printed (its output alone) and its exit status. */
  took(host: HostDef, result: FirstTry): void;
  finish(): Promise<LockSet<T>>;
  /** Releases what the first tries took; never throws: what could not be released is returned, to be told. */
  abandon(): Promise<string[]>;
}

export function beginLocks<T = undefined>(ctx: RunContext, req: LockRequest, o: LockOptions<T> = {}): LockStart<T> {
  const hosts = o.hosts ?? lockedHosts(ctx);
  const first = hosts[0];
  if (!first) throw new DeployError(`stage ${ctx.config.stage} has no hosts to lock`);
  // A plan or dry run takes nothing: its commands show a token of zeros where a run's own goes.
  const token = ctx.mode === 'real' ? newToken() : '0'.repeat(32);
  const info: LockInfo = { owner: req.owner, message: req.message, verb: req.verb, run: req.run, token };
  const probes = new Map(hosts.map((h) => [h.name, o.probe?.(h)]));
  const locked = new Set(hosts.map((h) => h.name));
  const sent = new Set<string>();
  const firsts = new Map<string, FirstTry & { readonly at: number }>();
  let state: 'open' | 'finished' | 'abandoned' = 'open';
  if (ctx.mode === 'real') {
    pruneRunRecords(ctx.projectDir, 2 * ctx.config.lock.ttl * 1000);
    writeRunRecord(ctx.projectDir, {
      token,
      stage: ctx.config.stage,
      verb: req.verb,
      ...thisProcess(),
      started: new Date().toISOString(),
      manual: req.manual === true,
    });
  }
  const p = paths(ctx.config.deployTo);
  const abandon = async (): Promise<string[]> => {
    if (state !== 'open') return [];
    state = 'abandoned';
    if (ctx.mode !== 'real') return [];
    const { problems } = await releaseAll(
      ctx,
      hosts.filter((h) => sent.has(h.name)),
      token,
    );
    // A lock that could not be released stays this run's: the next run from this directory takes it over.
    if (problems.length === 0) removeRunRecord(ctx.projectDir, token);
    return problems;
  };
  return {
    ahead: (h) =>
      ctx.mode === 'real' && state === 'open' && locked.has(h.name)
        ? acquire(p, info, ctx.config.lock.ttl, probes.get(h.name)?.command, { makeRoot: false })
        : undefined,
    sent: (h) => void sent.add(h.name),
    unsent: (h) => void sent.delete(h.name),
    took: (h, r) => void firsts.set(h.name, { ...r, at: performance.now() }),
    async finish() {
      if (state !== 'open') throw new Error('lock: finished or abandoned already');
      if (ctx.mode !== 'real') {
        state = 'finished';
        return pretend(ctx, hosts, info, probes);
      }
      let tried: Map<string, FirstTry> | undefined;
      try {
        tried = firsts.size > 0 ? await fresh(ctx, firsts, token) : undefined;
      } catch (e) {
        (await abandon()).forEach((message) => ctx.emit({ type: 'warning', message }));
        throw e;
      }
      state = 'finished';
      const left = { locks: false };
      try {
        const probed = await takeAll(ctx, req, hosts, info, probes, left, tried);
        ctx.emit({ type: 'lock', action: 'acquired', host: first.name, hosts: hosts.map((h) => h.name) });
        return holding(ctx, hosts, token, probed);
      } catch (e) {
        // A lock that could not be released stays this run's: the next run from this directory takes it over.
        if (!left.locks) removeRunRecord(ctx.projectDir, token);
        throw e;
      }
    },
    abandon,
  };
}

/**
 * The first tries that still hold: one older than a third of lock.ttl (a long build ran since) is renewed first,
 * and dropped (tried again) when the lock is no longer this run's there; a renewal that fails otherwise fails the
 * lock step on that host.
 */
async function fresh(
  ctx: RunContext,
  firsts: ReadonlyMap<string, FirstTry & { readonly at: number }>,
  token: string,
): Promise<Map<string, FirstTry>> {
  const ttl = ctx.config.lock.ttl;
  const p = paths(ctx.config.deployTo);
  const kept = new Map<string, FirstTry>();
  const failures = new Map<string, Error>();
  await Promise.all(
    [...firsts].map(async ([name, r]) => {
      if (performance.now() - r.at > (ttl * 1000) / 3 && parseAcquired(r.stdout, ttl).acquired) {
        const host = ctx.config.hosts.find((h) => h.name === name)!;
        try {
          const renewed = await exec(ctx, STEP, host, renew(p, token, ttl), { allowFail: true });
          if (renewed.code !== 0 && parseLost(renewed.stdout) !== null) return;
          if (renewed.code !== 0) throw new Error(`${name}: ${STEP}: renewing the lock failed with exit code ${renewed.code}`);
        } catch (e) {
          failures.set(name, e instanceof Error ? e : new Error(String(e)));
          return;
        }
      }
      kept.set(name, r);
    }),
  );
  if (failures.size > 0) throw new HostsFailedError(STEP, failures);
  return kept;
}

async function takeAll<T>(
  ctx: RunContext,
  req: LockRequest,
  hosts: readonly HostDef[],
  info: LockInfo,
  probes: ReadonlyMap<string, Fact<T> | undefined>,
  left: { locks: boolean },
  firstTries: ReadonlyMap<string, FirstTry> = new Map(),
): Promise<Map<string, T>> {
  const first = hosts[0]!;
  const deadline = performance.now() + Math.max(0, req.waitSeconds) * 1000;
  const takenOver = new Set<string>();
  let waiting = false;
  let partial = 0;
  // Only the first round may start from the tries made elsewhere; later rounds try for themselves.
  let firsts = firstTries;
  for (;;) {
    const probed = new Map<string, T>();
    const held = new Map<string, LockStatus>();
    const failures = new Map<string, Error>();
    const results = await Promise.allSettled(hosts.map((h) => tryHost(ctx, h, info, probes.get(h.name), takenOver, firsts.get(h.name))));
    firsts = new Map();
    results.forEach((r, i) => {
      const h = hosts[i]!;
      if (r.status === 'rejected') failures.set(h.name, r.reason instanceof Error ? r.reason : new Error(String(r.reason)));
      else if (r.value.kind === 'held') held.set(h.name, r.value.status);
      else probed.set(h.name, r.value.value);
    });
    if (failures.size === 0 && held.size === 0) {
      for (const t of takenOver) removeRunRecord(ctx.projectDir, t);
      return probed;
    }
    // All or nothing: what was taken goes back before anything is waited for — also where the connection was lost
    // after the lock command was sent (it may have taken the lock; the release is by this run's token only).
    const { problems } = await releaseAll(
      ctx,
      hosts.filter((h) => probed.has(h.name) || failures.get(h.name) instanceof CommandLostError),
      info.token,
    );
    problems.forEach((message) => ctx.emit({ type: 'warning', message }));
    if (problems.length > 0) left.locks = true;
    if (failures.size > 0) throw new HostsFailedError(STEP, failures);
    // The stage's lock host decides between two runs of one stage; a host held elsewhere while we had it may be
    // another stage's run taking the same hosts this very moment: one of the two gets ahead after a short pause.
    const onFirst = held.get(first.name);
    if (!onFirst && ++partial <= 3) {
      await sleep(100 + Math.random() * 400, ctx.signal);
      continue;
    }
    const [name, status] = onFirst ? [first.name, onFirst] : [...held][0]!;
    if (performance.now() >= deadline) {
      ctx.emit({ type: 'lock', action: 'held', host: name, holder: describeHolder(status) });
      throw new LockHeldError(
        `stage ${ctx.config.stage} is locked on ${name} by ${describeHolder(status)}`,
        `wait for it to finish, or pass --lock-wait <seconds>; if that run is dead: \`deploy unlock ${ctx.config.stage}\` on the machine that ran it, else \`deploy unlock ${ctx.config.stage} --force\``,
      );
    }
    if (!waiting) ctx.emit({ type: 'lock', action: 'waiting', host: name, holder: describeHolder(status) });
    waiting = true;
    await sleep(Math.min(2000, Math.max(100, deadline - performance.now())), ctx.signal);
  }
}

/** Why a held lock may be taken over, if it may. */
export function takeOverReason(projectDir: string, status: LockStatus): { kind: 'expired' | 'dead-run'; text: string } | undefined {
  if (status.state === 'unlocked' || (status.token !== '' && !isToken(status.token))) return undefined;
  if (isExpired(status)) return { kind: 'expired', text: 'that expired (by the lock host’s clock)' };
  const record = status.token ? readRunRecord(projectDir, status.token) : undefined;
  if (record && !record.manual && processGone(record))
    return { kind: 'dead-run', text: `of a ${record.verb} from this machine whose process ${record.pid} is gone` };
  return undefined;
}

async function tryHost<T>(
  ctx: RunContext,
  host: HostDef,
  info: LockInfo,
  fact: Fact<T> | undefined,
  takenOver: Set<string>,
  tried?: FirstTry,
): Promise<Try<T>> {
  const ttl = ctx.config.lock.ttl;
  const p = paths(ctx.config.deployTo);
  for (let attempt = 1; ; attempt++) {
    const r =
      attempt === 1 && tried
        ? { ...tried, stderr: '' }
        : await exec(ctx, STEP, host, acquire(p, info, ttl, fact?.command), { allowFail: true });
    let got = parseAcquired(r.stdout, ttl);
    const why = got.acquired ? undefined : takeOverReason(ctx.projectDir, got.status);
    if (!got.acquired && why) {
      const seen = got.status;
      const t = await exec(
        ctx,
        STEP,
        host,
        takeOver(p, info, ttl, seen.state === 'unlocked' ? '' : seen.token, { ifExpired: why.kind === 'expired' }, fact?.command),
        { allowFail: true },
      );
      got = parseAcquired(t.stdout, ttl);
      if (got.acquired) {
        const token = seen.state === 'unlocked' ? '' : seen.token;
        if (!takenOver.has(token))
          ctx.emit({
            type: 'warning',
            host: host.name,
            message: `taking over the lock ${why.text}: it was held by ${describeHolder(seen)}`,
          });
        if (why.kind === 'dead-run') takenOver.add(token);
        ctx.emit({ type: 'lock', action: 'taken-over', host: host.name, holder: describeHolder(seen) });
      }
    }
    if (got.acquired) return { kind: 'acquired', value: fact ? fact.parse(got.rest) : (undefined as T) };
    // A lock read unreadable may be one being released or replaced that very moment: read it again before naming it.
    if (got.status.state === 'locked' || (got.status.state === 'malformed' && attempt >= 3)) return { kind: 'held', status: got.status };
    if (attempt >= 3)
      throw new DeployError(`${host.name}: ${STEP}: cannot create the lock ${p.lock}${r.stderr.trim() ? `: ${r.stderr.trim()}` : ''}`);
  }
}

export interface Released {
  /** What could not be released, as sentences for the user (with what to do). */
  readonly problems: string[];
  /** Per host, what the command run before the unlock printed (release's `before`), or why it did not run. */
  readonly before: ReadonlyMap<string, { readonly stdout: string; readonly stderr: string } | Error>;
}

/**
 * Releases `token`'s locks on `hosts`, each after its `before` command if it has one (in the same round trip, as
 * step `step`); returns the hosts released, the problems, and what the `before` commands printed.
 */
async function releaseAll(
  ctx: RunContext,
  hosts: readonly HostDef[],
  token: string,
  o: { before?: ReadonlyMap<string, Command>; step?: string } = {},
): Promise<Released & { released: string[] }> {
  const calm: RunContext = { ...ctx, signal: undefined };
  const p = paths(ctx.config.deployTo);
  const problems: string[] = [];
  const released: string[] = [];
  const before = new Map<string, { stdout: string; stderr: string } | Error>();
  const tried = async (h: HostDef, step: string, c: Command) => {
    const { result: r, why } = await bestEffort(calm, step, h, c);
    const failure = r ? `exit ${r.code}${r.stderr.trim() ? `: ${r.stderr.trim().split('\n').pop()}` : ''}` : why;
    return { r, why, failure, found: r ? parseReleased(r.stdout) : null };
  };
  const one = async (h: HostDef) => {
    const first = o.before?.get(h.name);
    let { r, why, failure, found } = await tried(h, first ? (o.step ?? STEP) : STEP, releaseLock(p, token, first));
    if (first) before.set(h.name, r ? { stdout: r.stdout, stderr: r.stderr } : new Error(why));
    // What went before the unlock kept it from running (its shell killed, its connection lost): once more, alone.
    if (first && found === null) ({ failure, found } = await tried(h, STEP, releaseLock(p, token)));
    if (found?.kind === 'released') released.push(h.name);
    else if (found?.kind === 'other') {
      const holder =
        'error' in found.holder
          ? 'a lock it cannot read'
          : `${visible(found.holder.owner)} (${visible(found.holder.verb)} ${visible(found.holder.run)})`;
      ctx.emit({
        type: 'warning',
        host: h.name,
        message: `the lock on ${h.name} is held by ${holder} now, not by this run: left as it is`,
      });
    } else if (found?.kind !== 'gone') problems.push(`the lock on ${h.name} could not be released (${failure}): ${unlockAdvice(ctx)}`);
  };
  const withBefore = hosts.filter((h) => o.before?.has(h.name));
  await Promise.all([
    withBefore.length > 0 ? onHosts(calm, o.step ?? STEP, withBefore, one) : undefined,
    ...hosts.filter((h) => !o.before?.has(h.name)).map(one),
  ]);
  return { problems, released: hosts.filter((h) => released.includes(h.name)).map((h) => h.name), before };
}

const unlockAdvice = (ctx: RunContext) =>
  `run \`deploy unlock ${ctx.config.stage}\` (the next deploy from this directory takes it over by itself)`;

function holding<T>(ctx: RunContext, hosts: readonly HostDef[], token: string, probed: ReadonlyMap<string, T>): LockSet<T> {
  const ttl = ctx.config.lock.ttl;
  const p = paths(ctx.config.deployTo);
  const calm: RunContext = { ...ctx, signal: undefined };
  const first = hosts[0]!;
  const lastOk = new Map(hosts.map((h) => [h.name, performance.now()]));
  const period = Math.max(1000, (ttl * 1000) / 3);
  let lost: string | undefined;
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;

  const renewAll = async (): Promise<boolean> => {
    let failed = false;
    await Promise.all(
      hosts.map(async (h) => {
        try {
          const r = await exec(calm, STEP, h, renew(p, token, ttl), { allowFail: true });
          if (r.code === 0) {
            lastOk.set(h.name, performance.now());
            if (h === first) ctx.emit({ type: 'lock', action: 'renewed', host: h.name });
            return;
          }
          const now = parseLost(r.stdout);
          if (now !== null) {
            lost ??= now ? `the deploy lock on ${h.name} is now held by another run` : `the deploy lock on ${h.name} was removed`;
            return;
          }
          failed = true;
          ctx.emit({
            type: 'warning',
            host: h.name,
            message: `could not renew the deploy lock on ${h.name} (exit ${r.code}); trying again`,
          });
        } catch (e) {
          failed = true;
          ctx.emit({
            type: 'warning',
            host: h.name,
            message: `could not renew the deploy lock on ${h.name} (${e instanceof Error ? e.message : String(e)}); trying again`,
          });
        }
      }),
    );
    return failed;
  };
  let renewing: Promise<unknown> = Promise.resolve();
  const schedule = (ms: number) => {
    if (stopped || lost) return;
    timer = setTimeout(() => {
      renewing = renewAll().then(
        (failed) => schedule(failed ? Math.max(1000, period / 3) : period),
        () => schedule(Math.max(1000, period / 3)),
      );
    }, ms);
    timer.unref();
  };
  schedule(period);

  return {
    host: first,
    hosts,
    token,
    probed,
    check(next: string) {
      const hint = `nothing more is done; the stage may be in another run's hands now (see \`deploy lock ${ctx.config.stage} status\`)`;
      if (lost) throw new LockLostError(`${lost}: stopping before ${next}`, hint);
      const now = performance.now();
      for (const h of hosts) {
        const quiet = now - (lastOk.get(h.name) ?? now);
        if (quiet > ttl * 1000) {
          throw new LockLostError(
            `the deploy lock on ${h.name} was not renewed for ${Math.round(quiet / 1000)}s, longer than lock.ttl (${ttl}s), so another run may take it over: stopping before ${next}`,
            hint,
          );
        }
      }
    },
    async release(o = {}) {
      stopped = true;
      if (timer) clearTimeout(timer);
      await renewing;
      const { problems, released, before } = await releaseAll(ctx, hosts, token, o);
      if (problems.length === 0) removeRunRecord(ctx.projectDir, token);
      if (released.length > 0)
        ctx.emit({ type: 'lock', action: 'released', host: released.includes(first.name) ? first.name : released[0]!, hosts: released });
      return { problems, before };
    },
  };
}

/** A dry run or a plan: the writes are shown, the probes run (for real in a dry run), nothing is held. */
async function pretend<T>(
  ctx: RunContext,
  hosts: readonly HostDef[],
  info: LockInfo,
  probes: ReadonlyMap<string, Fact<T> | undefined>,
): Promise<LockSet<T>> {
  const p = paths(ctx.config.deployTo);
  const ttl = ctx.config.lock.ttl;
  const first = hosts[0]!;
  if (ctx.mode === 'dry-run') {
    const status = await probe(ctx, STEP, first, lockStatus(p, ttl));
    if (status.state !== 'unlocked')
      ctx.emit({
        type: 'warning',
        host: first.name,
        message: `the lock is held by ${describeHolder(status)}; a real deploy would stop here`,
      });
  }
  const probed = new Map<string, T>();
  await Promise.all(
    hosts.map(async (h) => {
      await exec(ctx, STEP, h, acquire(p, info, ttl));
      const fact = probes.get(h.name);
      if (fact) probed.set(h.name, await probe(ctx, STEP, h, fact));
    }),
  );
  return {
    host: first,
    hosts,
    token: info.token,
    probed,
    check: () => undefined,
    async release(o = {}) {
      const before = new Map<string, { stdout: string; stderr: string }>();
      const one = async (h: HostDef) => {
        const first = o.before?.get(h.name);
        const r = await exec(ctx, first ? (o.step ?? STEP) : STEP, h, releaseLock(p, info.token, first));
        if (first) before.set(h.name, { stdout: r.stdout, stderr: r.stderr });
      };
      const withBefore = hosts.filter((h) => o.before?.has(h.name));
      await Promise.all([
        withBefore.length > 0 ? onHosts(ctx, o.step ?? STEP, withBefore, one) : undefined,
        ...hosts.filter((h) => !o.before?.has(h.name)).map(one),
      ]);
      return { problems: [], before };
    },
  };
}

export type HostLock = { readonly host: string } & (LockStatus | { readonly state: 'unknown'; readonly error: string });

/** The lock on every host the stage's runs lock (lock host first); a host that cannot be read says why. */
export async function readLocks(ctx: RunContext): Promise<HostLock[]> {
  const p = paths(ctx.config.deployTo);
  return Promise.all(
    lockedHosts(ctx).map(async (h): Promise<HostLock> => {
      try {
        return { host: h.name, ...(await probe(ctx, STEP, h, lockStatus(p, ctx.config.lock.ttl))) };
      } catch (e) {
        return { host: h.name, state: 'unknown', error: e instanceof Error ? e.message : String(e) };
      }
    }),
  );
}

export interface Unlocked {
  /** One line per host that had a lock: what was done. */
  readonly done: readonly string[];
  /** Hosts whose lock was left because another run holds it. */
  readonly refused: readonly string[];
  /** Hosts that could not be read or changed. */
  readonly failed: readonly string[];
}

/**
 * Releases the stage's lock by hand on every host it is on. Without `force`, only a lock this machine's run holds
 * (taken by hand here, or left by a run of this machine whose process is gone) or one that expired by its host's
 * clock; a lock held by a live run, or by another machine's, is left as it is. With `force`, whoever holds it.
 */
export async function unlock(ctx: RunContext, o: { force: boolean }): Promise<Unlocked> {
  const p = paths(ctx.config.deployTo);
  const done: string[] = [];
  const refused: string[] = [];
  const failed: string[] = [];
  const released = new Set<string>();
  const kept = new Set<string>();
  for (const lock of await readLocks(ctx)) {
    const host = ctx.config.hosts.find((h) => h.name === lock.host)!;
    if (lock.state === 'unknown') {
      failed.push(host.name);
      done.push(`${host.name}: the lock could not be read: ${visible(lock.error)}`);
      continue;
    }
    if (lock.state === 'unlocked') continue;
    const holder = describeHolder(lock);
    try {
      if (o.force) {
        const r = await exec(ctx, STEP, host, forceRelease(p));
        done.push(
          r.stdout.startsWith('removed') ? `${host.name}: removed the lock of ${holder}` : `${host.name}: the lock was already gone`,
        );
        continue;
      }
      if (lock.token !== '' && !isToken(lock.token)) {
        refused.push(host.name);
        done.push(`${host.name}: left ${holder}: its token is not one this tool writes`);
        continue;
      }
      const record = lock.token ? readRunRecord(ctx.projectDir, lock.token) : undefined;
      const mine = record !== undefined && (record.manual || processGone(record));
      if (!mine && !isExpired(lock)) {
        refused.push(host.name);
        kept.add(lock.token);
        done.push(
          record
            ? `${host.name}: left the lock of ${holder}: that ${visible(record.verb)} is still running on this machine (pid ${record.pid})`
            : `${host.name}: left the lock of ${holder}: not held by a run of this machine`,
        );
        continue;
      }
      const r = await exec(ctx, STEP, host, releaseLock(p, lock.token));
      const found = parseReleased(r.stdout);
      if (found?.kind === 'released') {
        released.add(lock.token);
        done.push(`${host.name}: released the lock of ${holder}`);
      } else if (found?.kind === 'other') {
        refused.push(host.name);
        done.push(`${host.name}: the lock changed hands meanwhile; left as it is`);
      } else done.push(`${host.name}: the lock was already gone`);
    } catch (e) {
      failed.push(host.name);
      done.push(`${host.name}: could not release the lock: ${e instanceof Error ? e.message : String(e)}`);
    }
  }
  if (failed.length === 0) for (const t of released) if (!kept.has(t) && t) removeRunRecord(ctx.projectDir, t);
  return { done, refused, failed };
}
