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

/** Takes a pool host out of rotation and puts it back; implemented per balancer kind. */
export interface Rotation {
  drain(host: HostDef): Promise<void>;
  ready(host: HostDef): Promise<void>;
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
 * Switches hosts tier by tier (rollout order), each tier in batches: drain, switch `current`, restart,
 * health-check, back into rotation. A batch starts only when the previous one is healthy. When anything fails,
 * every host switched so far goes back to its previous release and the new release is marked bad.
 */
export async function rollout(ctx: RunContext, params: RolloutParams): Promise<void> {
  const { release, previous, rotation } = params;
  const p = paths(ctx.config.deployTo);
  const switched: HostDef[] = [];
  const restarts = restartRoles(ctx.config);
  const checks = healthRoles(ctx.config);
  const has = (host: HostDef, roles: readonly string[]) => host.roles.some((r) => roles.includes(r));

  const switchHost = async (host: HostDef) => {
    const inPool = rotation && has(host, checks);
    if (inPool) await rotation.drain(host);
    await exec(ctx, 'switch', host, switchCurrent(p, release.id));
    switched.push(host);
    if (ctx.config.restart && has(host, restarts)) {
      await exec(ctx, 'restart', host, restart(ctx.config.restart.command, release.dir, commandEnv(ctx.config, host, release)));
    }
    if (has(host, checks)) await waitHealthy(ctx, host);
    if (inPool) await rotation.ready(host);
  };

  try {
    await hooked(ctx, 'switch', release, async () => {
      const plan = rolloutPlan(ctx, params.hosts, params.canary !== undefined);
      for (const { role, batches: groups, canary } of plan) {
        for (const [i, batch] of groups.entries()) {
          if (i > 0) {
            if (params.pauseBetweenBatches) await params.pauseBetweenBatches(role, i + 1);
            const pause = ctx.config.roles[role]?.pause ?? 0;
            if (pause > 0 && ctx.mode === 'real') await sleep(pause * 1000);
          }
          ctx.emit({ type: 'batch', role, index: i + 1, of: groups.length, hosts: batch.map((h) => h.name) });
          await onHosts(ctx, 'switch', batch, switchHost);
          if (canary && i === 0 && params.canary && groups.length > 1 && ctx.mode === 'real' && !(await params.canary(batch[0]!))) {
            throw new DeployError(`the canary ${batch[0]!.name} was not confirmed`, ExitCode.stepFailed);
          }
        }
      }
    });
  } catch (failure) {
    if (ctx.mode !== 'real') throw failure;
    await switchBack(ctx, switched, previous, rotation);
    const everywhere = params.hosts;
    await onHosts({ ...ctx, signal: undefined }, 'mark-bad', everywhere, (h) => exec({ ...ctx, signal: undefined }, 'mark-bad', h, markBad(p, release.id), { allowFail: true }));
    const reason = failure instanceof Error ? failure.message : String(failure);
    const hint = failure instanceof DeployError ? failure.hint : undefined;
    if (failure instanceof DeployError && failure.exitCode === ExitCode.interrupted) throw failure;
    throw new SwitchedBackError(
      `release ${release.id} failed while switching; ${switched.length ? `switched ${switched.map((h) => h.name).join(', ')} back` : 'no host had switched'}:\n${reason}`,
      hint,
    );
  }
}

/** Puts hosts back on the release they served before (or, after a first deploy, on none). */
export async function switchBack(
  ctx: RunContext,
  hosts: readonly HostDef[],
  previous: ReadonlyMap<string, string | null>,
  rotation?: Rotation,
): Promise<void> {
  if (hosts.length === 0) return;
  const calm: RunContext = { ...ctx, signal: undefined };
  const p = paths(ctx.config.deployTo);
  const byRelease = new Map<string, string[]>();
  hosts.forEach((h) => byRelease.set(previous.get(h.name) ?? '(none)', [...(byRelease.get(previous.get(h.name) ?? '(none)') ?? []), h.name]));
  for (const [to, names] of byRelease) ctx.emit({ type: 'switchback', hosts: names, to });
  const checks = healthRoles(ctx.config);
  const restarts = restartRoles(ctx.config);
  await onHosts(calm, 'switchback', hosts, async (host) => {
    const prev = previous.get(host.name);
    if (!prev) {
      await exec(calm, 'switchback', host, write(['rm', '-f', p.current], { description: 'remove current (there was no earlier release)' }));
      ctx.emit({ type: 'warning', host: host.name, message: 'no earlier release to switch back to: current removed' });
      return;
    }
    const ref = { id: prev, dir: p.release(prev) };
    await exec(calm, 'switchback', host, switchCurrent(p, prev));
    if (ctx.config.restart && host.roles.some((r) => restarts.includes(r))) {
      await exec(calm, 'switchback', host, restart(ctx.config.restart.command, ref.dir, commandEnv(ctx.config, host, ref)));
    }
    if (host.roles.some((r) => checks.includes(r))) await waitHealthy(calm, host);
    if (rotation && host.roles.some((r) => checks.includes(r))) await rotation.ready(host);
  });
}
