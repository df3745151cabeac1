import { paths } from '../commands/paths.js';
import { markBad } from '../commands/release.js';
import { restart } from '../commands/restart.js';
import { switchCurrent } from '../commands/symlink.js';
import type { HostDef } from '../config/types.js';
import { DeployError, ExitCode, SwitchedBackError } from '../errors.js';
import { batches } from '../hosts/batch.js';
import { rolloutOrder } from '../hosts/roles.js';
import { write } from '../shell/command.js';
import type { RunContext } from './context.js';
import { commandEnv, healthRoles, restartRoles, type ReleaseRef } from './env.js';
import { waitHealthy } from './health.js';
import { hooked } from './tasks.js';
import { exec, onHosts } from './runner.js';

/** The balancer side of a rollout; implemented per balancer kind (tasks/balancer.ts). */
export interface Rotation {
  /**
   * One balancer change: `ready` hosts go into rotation and `drain` hosts out of it, together; resolves when the
   * drained hosts have no requests in flight (or their drain timeout passed).
   */
  set(change: { readonly ready?: readonly HostDef[]; readonly drain?: readonly HostDef[] }): Promise<void>;
  /** After a rollout: every pool host of the stage in rotation; the balancer reloads only when its config changed. */
  sync(): Promise<void>;
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
  readonly canary?: (host: HostDef) => Promise<boolean>;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Hosts grouped by the first role (in rollout order) they have, each group split into that role's batches. */
export function rolloutPlan(ctx: RunContext, hosts: readonly HostDef[], canary = false): { role: string; batches: HostDef[][]; canary: boolean }[] {
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
 * anything fails, every host switched so far goes back to its previous release (the same way round) and the
 * new release is marked bad.
 */
export async function rollout(ctx: RunContext, params: RolloutParams): Promise<void> {
  const { release, previous, rotation } = params;
  const p = paths(ctx.config.deployTo);
  const switched: HostDef[] = [];
  const drained = new Set<string>();
  const checks = healthRoles(ctx.config);
  const inPool = (h: HostDef) => rotation !== undefined && h.roles.some((r) => checks.includes(r));
  const balance = async (ready: readonly HostDef[], drain: readonly HostDef[]) => {
    if (!rotation || (ready.length === 0 && drain.length === 0)) return;
    await rotation.set({ ready, drain });
    ready.forEach((h) => drained.delete(h.name));
    drain.forEach((h) => drained.add(h.name));
  };
  const upgrade = (host: HostDef) => moveTo(ctx, host, release, () => switched.push(host));
  let cutOver = false;

  try {
    await hooked(ctx, 'switch', release, async () => {
      for (const tier of rolloutPlan(ctx, params.hosts, params.canary !== undefined)) {
        const pooled = tier.batches.flat().some(inPool);
        const groups = pooled ? keepOneServing(tier.batches) : tier.batches;
        for (const [i, batch] of groups.entries()) {
          if (i > 0) {
            if (params.pauseBetweenBatches) await params.pauseBetweenBatches(tier.role, i + 1);
            const pause = ctx.config.roles[tier.role]?.pause ?? 0;
            if (pause > 0 && ctx.mode === 'real') await sleep(pause * 1000);
          }
          ctx.emit({ type: 'batch', role: tier.role, index: i + 1, of: groups.length, hosts: batch.map((h) => h.name) });
          await balance([], batch.filter((h) => inPool(h) && !drained.has(h.name)));
          await onHosts(ctx, 'switch', batch, upgrade);
          const isCanary = tier.canary && i === 0 && groups.length > 1;
          const stillOld = isCanary || cutOver ? [] : groups.slice(i + 1).flat().filter((h) => inPool(h) && !drained.has(h.name));
          await balance(batch.filter(inPool), stillOld);
          if (pooled && !isCanary) cutOver = true;
          if (isCanary && params.canary && ctx.mode === 'real' && !(await params.canary(batch[0]!))) {
            throw new DeployError(`the canary ${batch[0]!.name} was not confirmed`, ExitCode.stepFailed);
          }
        }
      }
      if (rotation) await rotation.sync();
    });
  } catch (failure) {
    if (ctx.mode !== 'real') throw failure;
    const calm: RunContext = { ...ctx, signal: undefined };
    const live = switched.filter((h) => inPool(h) && !drained.has(h.name));
    const offline = switched.filter((h) => !live.includes(h));
    const announce = (hosts: HostDef[]) => {
      const byRelease = new Map<string, string[]>();
      for (const h of hosts) byRelease.set(previous.get(h.name) ?? '(none)', [...(byRelease.get(previous.get(h.name) ?? '(none)') ?? []), h.name]);
      for (const [to, names] of byRelease) ctx.emit({ type: 'switchback', hosts: names, to });
    };
    announce(switched);
    const problems: string[] = [];
    const attempt = (what: Promise<void>) => what.catch((e: unknown) => void problems.push(e instanceof Error ? e.message : String(e)));
    await attempt(switchBack(calm, offline, previous));
    if (rotation) {
      const waiting = params.hosts.filter((h) => inPool(h) && drained.has(h.name));
      await attempt(rotation.set({ ready: waiting, drain: live }));
      await attempt(switchBack(calm, live, previous));
      await attempt(rotation.set({ ready: live }));
    }
    if (problems.length > 0) ctx.emit({ type: 'warning', message: `switching back was not clean: ${problems.join('; ')}` });
    await onHosts(calm, 'mark-bad', params.hosts, (h) => exec(calm, 'mark-bad', h, markBad(p, release.id), { allowFail: true }));
    if (failure instanceof DeployError && failure.exitCode === ExitCode.interrupted) throw failure;
    const reason = failure instanceof Error ? failure.message : String(failure);
    const hint = failure instanceof DeployError ? failure.hint : undefined;
    throw new SwitchedBackError(
      `release ${release.id} failed while switching; ${switched.length ? `switched ${switched.map((h) => h.name).join(', ')} back` : 'no host had switched'}:\n${reason}`,
      hint,
    );
  }
}

/** A pool tier done in one batch would drain every host at once: it goes in two halves instead. */
export function keepOneServing<T>(groups: T[][]): T[][] {
  const only = groups.length === 1 ? groups[0]! : undefined;
  if (!only || only.length < 2) return groups;
  const half = Math.ceil(only.length / 2);
  return [only.slice(0, half), only.slice(half)];
}

/** Switch `current` to `release`, restart, health-check: one host's move, forwards or back. */
async function moveTo(ctx: RunContext, host: HostDef, release: ReleaseRef, switched?: () => void): Promise<void> {
  const p = paths(ctx.config.deployTo);
  const step = switched ? 'switch' : 'switchback';
  await exec(ctx, step, host, switchCurrent(p, release.id));
  switched?.();
  if (ctx.config.restart && host.roles.some((r) => restartRoles(ctx.config).includes(r))) {
    await exec(ctx, switched ? 'restart' : step, host, restart(ctx.config.restart.command, release.dir, commandEnv(ctx.config, host, release)));
  }
  if (host.roles.some((r) => healthRoles(ctx.config).includes(r))) await waitHealthy(ctx, host);
}

/** Puts hosts back on the release they served before (or, after a first deploy, on none). */
export async function switchBack(ctx: RunContext, hosts: readonly HostDef[], previous: ReadonlyMap<string, string | null>): Promise<void> {
  if (hosts.length === 0) return;
  const p = paths(ctx.config.deployTo);
  await onHosts(ctx, 'switchback', hosts, async (host) => {
    const prev = previous.get(host.name);
    if (!prev) {
      await exec(ctx, 'switchback', host, write(['rm', '-f', p.current], { description: 'remove current (there was no earlier release)' }));
      ctx.emit({ type: 'warning', host: host.name, message: 'no earlier release to switch back to: current removed' });
      return;
    }
    await moveTo(ctx, host, { id: prev, dir: p.release(prev) });
  });
}
