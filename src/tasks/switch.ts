// Whole on purpose: the rollout, its batches and the switch-back share one record of what each host did.
import { paths } from '../commands/paths.js';
import { markBad } from '../commands/release.js';
import { restart, stopApp } from '../commands/restart.js';
import { removeCurrent, switchCurrent } from '../commands/symlink.js';
import type { HostDef } from '../config/types.js';
import { ConnectionError, DeployError, ExitCode, InterruptedError, SwitchedBackError } from '../errors.js';
import { batches } from '../hosts/batch.js';
import { rolloutOrder } from '../hosts/roles.js';
import type { RunContext } from './context.js';
import { commandEnv, healthRoles, restartRoles, type ReleaseRef } from './env.js';
import { checkHealth, waitHealthy } from './health.js';
import { hooked } from './tasks.js';
import type { ServerTraffic } from '../facts/traffic.js';
import { exec, HostsFailedError, onHosts } from './runner.js';
import { chained } from './chain.js';
import { sleep } from './wait.js';

/** What one balancer host really does with the pool, as read from it (not what this run asked for). */
export interface PoolView {
  /** The balancer host. */
  readonly balancer: string;
  /** Pool hosts it sends new requests to. */
  readonly serving: ReadonlySet<string>;
  /** Pool hosts taken out of its rotation (`down`, `drain`, `maint`, `weight 0` …), with why. */
  readonly out: ReadonlyMap<string, string>;
}

export interface RotationChange {
  readonly ready?: readonly HostDef[];
  readonly drain?: readonly HostDef[];
  /**
   * The drained hosts may be the last ones a balancer serves. Only for hosts that serve a failed first release:
   * there is nothing else to serve, and serving that is worse than serving nothing.
   */
  readonly lastOut?: boolean;
  /**
   * A drain that would leave a balancer serving no host fails instead of bringing back hosts found out of rotation
   * (`deploy drain`: they were taken out on purpose).
   */
  readonly keepOthersOut?: boolean;
}

/**
 * The balancer side of a rollout; implemented per balancer kind (tasks/balancer.ts). Each method takes the context
 * to run with (default: the rollout's own): the switch-back passes one that an interrupt does not stop.
 */
export interface Rotation {
  /**
   * One balancer change: `ready` hosts go into rotation and `drain` hosts out of it, together; resolves when every
   * balancer confirmed it (drained hosts have no requests in flight, or their drain timeout passed), and rejects
   * with the balancer left as it really is (a failed nginx reload leaves nginx, and its upstream file, as before).
   */
  set(change: RotationChange, run?: RunContext): Promise<void>;
  /** After a rollout: every pool host of the stage in rotation; the balancer reloads only when its config changed. */
  sync(run?: RunContext): Promise<void>;
  /** What every balancer really does with the pool now, read from it. */
  views(run?: RunContext): Promise<PoolView[]>;
  /**
   * A traffic canary: `hosts` get together `share` (0–1) of the requests, every other served pool host the rest,
   * through weights; resolves with the share the weights give. `undefined` puts the weights back as configured.
   */
  share?(hosts: readonly HostDef[], share: number | undefined, run?: RunContext): Promise<number | undefined>;
  /** Starts counting what each pool host answers, from the balancers' own counters; `read()` gives the window so far. */
  traffic?(run?: RunContext): Promise<TrafficWindow>;
}

export interface TrafficWindow {
  /** Per pool host, what it answered since the window started (summed over the balancers). */
  read(): Promise<Map<string, ServerTraffic>>;
}

export interface RolloutParams {
  readonly release: ReleaseRef;
  /** Per host: the release it served before, the one it is switched back to on failure. */
  readonly previous: ReadonlyMap<string, string | null>;
  /** The hosts that switch (they all have the release). */
  readonly hosts: readonly HostDef[];
  readonly rotation?: Rotation;
  readonly pauseBetweenBatches?: (role: string, nextBatch: number) => Promise<void>;
  /**
   * Canary: the app tier's first batch is one host, and the rollout goes on only when this resolves true
   * (false switches everything back).
   */
  readonly canary?: (host: HostDef, rotation?: Rotation) => Promise<boolean>;
  /**
   * Pool hosts outside `hosts` that already serve the release out of rotation (a beta's, `deploy beta … promote`):
   * they come into rotation at the cut-over, with the first batch or with the drain of the last old host.
   */
  readonly joining?: readonly HostDef[];
}

/** A lost connection during a switch-back is tried again on a new one, this many times in all. */
const RECONNECT_ATTEMPTS = 3;
const RECONNECT_PAUSE_MS = 500;

/** Hosts grouped by the first role (in rollout order) they have, each group split into that role's batches. */
export function rolloutPlan(
  ctx: RunContext,
  hosts: readonly HostDef[],
  canary = false,
): { role: string; batches: HostDef[][]; canary: boolean }[] {
  const placed = new Set<string>();
  const plan: { role: string; batches: HostDef[][]; canary: boolean }[] = [];
  let canaryLeft = canary;
  for (const role of rolloutOrder(ctx.config)) {
    const ofRole = hosts.filter((h) => h.roles.includes(role) && !placed.has(h.name));
    if (ofRole.length === 0) continue;
    ofRole.forEach((h) => placed.add(h.name));
    const size = ctx.config.roles[role]?.batch ?? '100%';
    const isCanary = canaryLeft && healthRoles(ctx.config).includes(role);
    if (isCanary) canaryLeft = false;
    const groups = isCanary ? [ofRole.slice(0, 1), ...(ofRole.length > 1 ? batches(ofRole.slice(1), size) : [])] : batches(ofRole, size);
    plan.push({ role, batches: groups, canary: isCanary });
  }
  return plan;
}

/**
 * Switches hosts tier by tier (rollout order), each tier in batches: switch `current`, restart, health-check;
 * a batch starts only when the previous one is healthy. In the balancer's pool, a batch is drained first, and
 * when the first batch is healthy it goes into rotation while every host still on the old release leaves it
 * (one balancer change), so clients see the old release, then the new one, never both by turns. When
 * anything fails, every host switched so far goes back to its previous release (the same way round, see
 * switchBackAll) and the new release is marked bad.
 */
export async function rollout(ctx: RunContext, params: RolloutParams): Promise<void> {
  const { release, rotation } = params;
  const p = paths(ctx.config.deployTo);
  // Hosts whose `current` may point at the new release: the switch was sent.
  const touched: HostDef[] = [];
  // Pool hosts this run asked the balancers to take out and has not put back.
  const drained = new Set<string>();
  const checks = healthRoles(ctx.config);
  const inPool = (h: HostDef) => rotation !== undefined && h.roles.some((r) => checks.includes(r));
  let joining = (params.joining ?? []).filter(inPool);
  const balance = async (batchReady: readonly HostDef[], drain: readonly HostDef[]) => {
    const oldLeft = params.hosts.some((h) => inPool(h) && !drained.has(h.name) && !drain.includes(h) && !touched.includes(h));
    const ready = joining.length > 0 && (batchReady.length > 0 || !oldLeft) ? [...batchReady, ...joining] : batchReady;
    if (ready !== batchReady) joining = [];
    if (!rotation || (ready.length === 0 && drain.length === 0)) return;
    drain.forEach((h) => drained.add(h.name));
    await rotation.set({ ready, drain });
    ready.forEach((h) => drained.delete(h.name));
  };
  const upgrade = async (host: HostDef) => {
    if (ctx.signal?.aborted) throw new InterruptedError();
    touched.push(host);
    await moveTo(ctx, host, release, 'switch');
  };
  let cutOver = false;

  try {
    await hooked(ctx, 'switch', release, async () => {
      // Pool hosts that no balancer serves (a host that crashed, one drained by hand) switch first: they carry no
      // requests, and once they serve the new release the others can be drained without emptying the pool.
      // So do served hosts whose app does not answer (it crashed in rotation): the others must not drain while they
      // are all the balancer has.
      const { unserved, sick } =
        rotation && ctx.mode === 'real' && !params.canary ? await outOfService(ctx, rotation, params.hosts.filter(inPool)) : NONE_OUT;
      for (const tier of rolloutPlan(ctx, params.hosts, params.canary !== undefined)) {
        const pooled = tier.batches.flat().some(inPool);
        const groups = outFirst(pooled ? keepOneServing(tier.batches) : tier.batches, [...unserved, ...sick]);
        for (const [i, batch] of groups.entries()) {
          if (i > 0) {
            if (params.pauseBetweenBatches) await params.pauseBetweenBatches(tier.role, i + 1);
            const pause = ctx.config.roles[tier.role]?.pause ?? 0;
            if (pause > 0 && ctx.mode === 'real') await sleep(pause * 1000, ctx.signal);
          }
          ctx.emit({ type: 'batch', role: tier.role, index: i + 1, of: groups.length, hosts: batch.map((h) => h.name) });
          await balance(
            [],
            batch.filter((h) => inPool(h) && !drained.has(h.name) && !unserved.includes(h)),
          );
          // `restart` is a per-batch point: its tasks run on the batch's hosts, around their switch, restart and health check.
          await hooked(ctx, 'restart', release, () => onHosts(ctx, 'switch', batch, upgrade), { hosts: batch });
          const isCanary = tier.canary && i === 0 && groups.length > 1;
          const stillOld =
            isCanary || cutOver
              ? []
              : groups
                  .slice(i + 1)
                  .flat()
                  .filter((h) => inPool(h) && !drained.has(h.name));
          await balance(batch.filter(inPool), stillOld);
          if (pooled && !isCanary) cutOver = true;
          if (isCanary && params.canary && ctx.mode === 'real' && !(await params.canary(batch[0]!, rotation))) {
            throw new DeployError(`the canary ${batch[0]!.name} was not confirmed`, ExitCode.stepFailed);
          }
        }
      }
    });
  } catch (failure) {
    if (ctx.mode !== 'real') throw failure;
    const calm: RunContext = { ...ctx, signal: undefined };
    const state = await switchBackAll(calm, { ...params, touched, drained, inPool });
    await onHosts(calm, 'mark-bad', params.hosts, (h) => exec(calm, 'mark-bad', h, markBad(p, release.id), { allowFail: true })).catch(
      (e: unknown) => ctx.emit({ type: 'warning', message: `release ${release.id} could not be marked bad everywhere: ${messageOf(e)}` }),
    );
    const reason = messageOf(failure);
    const where = `${touched.length === 0 ? '\nno host had switched' : ''}${state.length > 0 ? `\n${state.join('\n')}` : ''}`;
    if (failure instanceof DeployError && failure.exitCode === ExitCode.interrupted) throw new InterruptedError(`${reason}${where}`);
    const hint = failure instanceof DeployError ? failure.hint : undefined;
    throw new SwitchedBackError(`release ${release.id} failed while switching: ${reason}${where}`, hint);
  }
  // Every host switched and serves: a pool that cannot be synced is said, not a reason to switch everything back.
  if (rotation)
    await rotation
      .sync({ ...ctx, signal: undefined })
      .catch((e: unknown) => ctx.emit({ type: 'warning', message: `the balancer pool was not synced: ${messageOf(e)}` }));
}

interface OutOfService {
  readonly unserved: readonly HostDef[];
  readonly sick: readonly HostDef[];
}

const NONE_OUT: OutOfService = { unserved: [], sick: [] };

/**
 * The pool hosts in `hosts` that no balancer sends requests to now (`unserved`), and those served whose app fails one
 * health check (`sick`), when at least one of `hosts` is served and answers; with one served host there is nothing
 * to protect, so nothing is asked.
 */
async function outOfService(ctx: RunContext, rotation: Rotation, hosts: readonly HostDef[]): Promise<OutOfService> {
  const views = await rotation.views();
  const isServed = (h: HostDef) => views.some((v) => v.serving.has(h.name));
  const unserved = hosts.filter((h) => !isServed(h));
  const served = hosts.filter(isServed);
  // One check each, no retries; a host that cannot be asked counts as not answering: switching it first is safe.
  const why =
    served.length > 1
      ? await Promise.all(
          served.map((h) =>
            checkHealth(ctx, h).then(
              (a) => (a.ok ? undefined : 'failing its health check'),
              (e: unknown) => `its health check could not run (${messageOf(e)})`,
            ),
          ),
        )
      : [];
  const sick = served.filter((_, i) => why[i] !== undefined);
  if (unserved.length + sick.length >= hosts.length) return NONE_OUT;
  for (const [i, h] of served.entries())
    if (why[i]) ctx.emit({ type: 'warning', host: h.name, message: `in rotation but ${why[i]}: it switches first, as a batch of its own` });
  return { unserved, sick };
}

/** `first` (those of them in `groups`) as a batch of their own ahead of the others; empty batches dropped. */
export function outFirst<T>(groups: T[][], first: readonly T[]): T[][] {
  const lead = groups.flat().filter((h) => first.includes(h));
  if (lead.length === 0) return groups;
  return [lead, ...groups.map((g) => g.filter((h) => !first.includes(h))).filter((g) => g.length > 0)];
}

/** A pool tier done in one batch would drain every host at once: it goes in two halves instead. */
export function keepOneServing<T>(groups: T[][]): T[][] {
  const only = groups.length === 1 ? groups[0]! : undefined;
  if (!only || only.length < 2) return groups;
  const half = Math.ceil(only.length / 2);
  return [only.slice(0, half), only.slice(half)];
}

const messageOf = (e: unknown) => (e instanceof Error ? e.message : String(e));
const restarts = (ctx: RunContext, host: HostDef) => host.roles.some((r) => restartRoles(ctx.config).includes(r));

/** Switch `current` to `release`, restart, health-check: one host's move, forwards or back. */
export async function moveTo(ctx: RunContext, host: HostDef, release: ReleaseRef, step: 'switch' | 'switchback'): Promise<void> {
  const p = paths(ctx.config.deployTo);
  const link = switchCurrent(p, release.id);
  if (ctx.config.restart && restarts(ctx, host)) {
    const again = restart(ctx.config.restart.command, release.dir, commandEnv(ctx.config, host, release));
    const restartStep = step === 'switch' ? 'restart' : step;
    // The restart needs no answer from the switch: one round trip, each reported as its own.
    await chained(ctx, host, [
      { step, commands: [link] },
      { step: restartStep, commands: [again] },
    ]);
  } else await exec(ctx, step, host, link);
  if (host.roles.some((r) => healthRoles(ctx.config).includes(r))) await waitHealthy(ctx, host);
}

export interface SwitchBackParams {
  /** The release that failed. */
  readonly release: ReleaseRef;
  readonly previous: ReadonlyMap<string, string | null>;
  /** Every host of the rollout. */
  readonly hosts: readonly HostDef[];
  readonly rotation?: Rotation;
  /** Hosts whose `current` may point at the failed release. */
  readonly touched: readonly HostDef[];
  /** Pool hosts the rollout took out of rotation and has not put back. */
  readonly drained: ReadonlySet<string>;
  /** Whether a host is in a balancer's pool. */
  readonly inPool: (h: HostDef) => boolean;
}

/**
 * Puts every touched host back on the release it served before, and every host the rollout drained back into
 * rotation, the way a rollout goes: pool hosts the balancers do not serve first; then one balancer change that
 * brings the old ones in and takes the new ones out; then those; then they come back in; then the other tiers.
 * Decisions come from the balancers' real state, read before and after each change. A host that a balancer still
 * serves alone after that change failed is not restarted (every request would fail): it stays on the new release,
 * so do the other tiers, and the result says so.
 * `ctx` must not carry an aborted signal: this runs to the end after an interrupt, bounded by command timeouts.
 * Returns one line per host with what it is now.
 */
export async function switchBackAll(ctx: RunContext, s: SwitchBackParams): Promise<string[]> {
  const problems: string[] = [];
  const tried = async <T>(what: string, fn: () => Promise<T>): Promise<T | undefined> => {
    try {
      return await fn();
    } catch (e) {
      problems.push(`${what}: ${messageOf(e)}`);
      return undefined;
    }
  };
  // Per touched host: the release it is on now and what happened.
  const outcome = new Map<string, { on: string | null; note?: string; failed?: boolean }>();
  const goBack = async (hosts: readonly HostDef[]) => {
    if (hosts.length === 0) return;
    const byTarget = new Map<string, string[]>();
    for (const h of hosts) {
      const to = s.previous.get(h.name) ?? '(none)';
      byTarget.set(to, [...(byTarget.get(to) ?? []), h.name]);
    }
    for (const [to, names] of byTarget) ctx.emit({ type: 'switchback', hosts: names, to });
    const done = await switchBack(ctx, hosts, s.previous, s.release);
    for (const [host, result] of done) {
      if (result instanceof Error) outcome.set(host, { on: null, note: `switching back failed: ${result.message}`, failed: true });
      else outcome.set(host, result);
    }
  };
  const touched = new Set(s.touched.map((h) => h.name));
  const isBack = (h: HostDef) => {
    const o = outcome.get(h.name);
    return !touched.has(h.name) || (o !== undefined && !o.failed && o.on !== s.release.id);
  };
  // A host with no earlier release stays out: nothing of this release may serve.
  const belongsIn = (h: HostDef) =>
    s.inPool(h) && (s.drained.has(h.name) || touched.has(h.name)) && isBack(h) && (!touched.has(h.name) || !!s.previous.get(h.name));

  const rotation = s.rotation;
  const before = rotation ? await tried('reading the balancers', () => rotation.views(ctx)) : undefined;
  // Unknown (the balancers could not be read) counts as served before a restart and as not served before a ready.
  const served = (views: readonly PoolView[] | undefined, h: HostDef) => views === undefined || views.some((v) => v.serving.has(h.name));
  const surelyServed = (views: readonly PoolView[] | undefined, h: HostDef) => views !== undefined && served(views, h);
  const live = s.touched.filter((h) => s.inPool(h) && served(before, h));
  // The pool first, the other tiers last (the rollout's order reversed): they follow what the pool serves in the end.
  await goBack(s.touched.filter((h) => s.inPool(h) && !live.includes(h)));

  let after: PoolView[] | undefined;
  if (rotation) {
    const changed = await tried('the balancer', async () => {
      const ready = s.hosts.filter((h) => belongsIn(h) && !surelyServed(before, h));
      await rotation.set({ ready, drain: live, lastOut: live.length > 0 && live.every((h) => !s.previous.get(h.name)) }, ctx);
      return true;
    });
    after = await tried('reading the balancers', () => rotation.views(ctx));
    const stillServed = (h: HostDef) => !changed && served(after, h);
    await goBack(live.filter((h) => !stillServed(h)));
    // The drain failed: these still get requests. One at a time, never the last one a balancer serves.
    for (const h of live.filter(stillServed)) {
      const alone = after?.find((v) => v.serving.has(h.name) && v.serving.size === 1);
      if (after === undefined || alone) {
        const why = alone
          ? `${alone.balancer} serves it alone and could not take it out of rotation`
          : 'the balancers could not take it out of rotation, nor be read';
        outcome.set(h.name, { on: s.release.id, note: `not switched back: ${why}, so restarting it would fail every request` });
        continue;
      }
      await goBack([h]);
    }
    const missing = s.hosts.filter((h) => belongsIn(h) && !surelyServed(after, h));
    if (missing.length > 0) await tried('the balancer', () => rotation.set({ ready: missing }, ctx));
    after = await tried('reading the balancers', () => rotation.views(ctx));
  }
  // A pool host left serving the new release keeps the other tiers on it too (its assets, its workers): one release
  // serves, not a mix.
  const rest = s.touched.filter((h) => !s.inPool(h));
  const stuck = s.hosts.filter((h) => s.inPool(h) && outcome.get(h.name)?.on === s.release.id).map((h) => h.name);
  if (stuck.length === 0) await goBack(rest);
  else
    for (const h of rest)
      outcome.set(h.name, {
        on: s.release.id,
        note: `kept on it with ${stuck.join(', ')}, which still serve${stuck.length > 1 ? '' : 's'} it`,
      });
  if (problems.length > 0) ctx.emit({ type: 'warning', message: `switching back was not clean: ${problems.join('; ')}` });
  return describe(s, outcome, after, rotation !== undefined);
}

/** `  web1  back on 20260101120000 · in rotation`: what each host the rollout touched or drained is now. */
function describe(
  s: SwitchBackParams,
  outcome: ReadonlyMap<string, { on: string | null; note?: string; failed?: boolean }>,
  views: readonly PoolView[] | undefined,
  balanced: boolean,
): string[] {
  const hosts = s.hosts.filter((h) => outcome.has(h.name) || s.drained.has(h.name));
  if (hosts.length === 0) return [];
  const width = Math.max(...hosts.map((h) => h.name.length));
  const rotation = (h: HostDef): string => {
    if (!balanced || !s.inPool(h)) return '';
    if (views === undefined) return ' · rotation unknown (the balancers could not be read)';
    const outs = views.filter((v) => !v.serving.has(h.name));
    if (outs.length === 0) return ' · in rotation';
    const why = outs.map((v) => `${v.balancer}${v.out.has(h.name) ? ` (${v.out.get(h.name)})` : ' (failing its health check)'}`).join(', ');
    return outs.length === views.length ? ` · out of rotation on ${why}` : ` · in rotation on some balancers only; out on ${why}`;
  };
  const lines = hosts.map((h) => {
    const o = outcome.get(h.name);
    const was = s.previous.get(h.name) ?? null;
    let text: string;
    if (!o) text = `on ${was ?? '(no release)'}, not switched`;
    else if (o.failed) text = `state unknown: ${o.note}`;
    else if (o.on === s.release.id) text = `still on ${s.release.id}, the failed release: ${o.note}`;
    else if (o.on === null) text = o.note ?? 'no earlier release';
    else text = `back on ${o.on}`;
    return `  ${h.name.padEnd(width)}  ${text}${rotation(h)}`;
  });
  return ['after switching back:', ...lines];
}

/**
 * Puts hosts back on the release they served before, each on its own (a lost connection is tried again on a new
 * one); after a first deploy, when there is none, the new app is stopped (`restart.stop`) and `current` removed.
 * Returns per host the release it is on now (null: none) with a note, or why it could not go back.
 */
export async function switchBack(
  ctx: RunContext,
  hosts: readonly HostDef[],
  previous: ReadonlyMap<string, string | null>,
  release: ReleaseRef,
): Promise<Map<string, { on: string | null; note?: string } | Error>> {
  const results = new Map<string, { on: string | null; note?: string } | Error>();
  if (hosts.length === 0) return results;
  const p = paths(ctx.config.deployTo);
  try {
    const done = await onHosts(ctx, 'switchback', hosts, async (host) => {
      const prev = previous.get(host.name);
      for (let attempt = 1; ; attempt++) {
        try {
          if (prev) {
            await moveTo(ctx, host, { id: prev, dir: p.release(prev) }, 'switchback');
            return { on: prev };
          }
          return { on: null, note: await clearFirstDeploy(ctx, host, release) };
        } catch (e) {
          if (!(e instanceof ConnectionError) || attempt >= RECONNECT_ATTEMPTS) throw e;
          ctx.emit({
            type: 'warning',
            host: host.name,
            message: `connection lost while switching back (${e.message}); trying again on a new connection`,
          });
          await sleep(RECONNECT_PAUSE_MS * attempt, ctx.signal);
        }
      }
    });
    for (const [host, r] of done) results.set(host, r);
  } catch (e) {
    if (!(e instanceof HostsFailedError)) throw e;
    for (const h of hosts) results.set(h.name, e.failures.get(h.name) ?? { on: previous.get(h.name) ?? null });
  }
  return results;
}

/** A host that had no release before: the new app is stopped (when `restart.stop` says how) and `current` removed. */
async function clearFirstDeploy(ctx: RunContext, host: HostDef, release: ReleaseRef): Promise<string> {
  const p = paths(ctx.config.deployTo);
  const stop = ctx.config.restart?.stop;
  let app = '';
  if (ctx.config.restart && restarts(ctx, host)) {
    if (stop) {
      await exec(ctx, 'switchback', host, stopApp(stop, release.dir, commandEnv(ctx.config, host, release)));
      app = 'the new app was stopped (restart.stop), ';
    } else {
      app = 'the new app was not stopped (deploy.yml has no restart.stop), ';
    }
  }
  await exec(ctx, 'switchback', host, removeCurrent(p));
  const message = `no earlier release to switch back to: ${app}current removed`;
  ctx.emit({ type: 'warning', host: host.name, message });
  return message;
}
