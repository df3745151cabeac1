import { markDrained, unmarkDrained } from '../commands/drain.js';
import { paths } from '../commands/paths.js';
import type { HostDef } from '../config/types.js';
import { DeployError, ExitCode, withCleanupProblems } from '../errors.js';
import { balancerPools, rotationFor } from './balancer.js';
import type { RunContext } from './context.js';
import { waitHealthy } from './health.js';
import { acquireLocks } from './lock.js';
import { bestEffort, onHosts } from './runner.js';

export interface DrainParams {
  readonly run: string;
  readonly owner: string;
  readonly message: string;
  readonly lockWaitSeconds: number;
}

const STEP = 'drain';

/** The selected hosts, each of which must be in a balancer's pool. */
function poolHosts(ctx: RunContext, verb: string): HostDef[] {
  const pools = balancerPools(ctx.config);
  if (pools.length === 0)
    throw new DeployError(`stage ${ctx.config.stage} has no balancer: there is no rotation to ${verb} hosts`, ExitCode.config);
  const pooled = new Set(pools.flatMap((p) => p.pool.map((h) => h.name)));
  const outside = ctx.hosts.filter((h) => !pooled.has(h.name));
  if (outside.length > 0) {
    const roles = [...new Set(pools.map((p) => p.def.pool))].join(', ');
    throw new DeployError(
      `${outside.map((h) => h.name).join(', ')} ${outside.length === 1 ? 'is' : 'are'} in no balancer's pool (role ${roles}): nothing to ${verb}`,
      ExitCode.config,
    );
  }
  return [...ctx.hosts];
}

/** Runs `fn` holding the stage's lock (the selected hosts and the balancers), so no rollout changes the pool meanwhile. */
async function locked(ctx: RunContext, verb: string, params: DrainParams, fn: () => Promise<void>): Promise<void> {
  const lock = await acquireLocks(ctx, {
    run: params.run,
    owner: params.owner,
    message: params.message || verb,
    verb,
    waitSeconds: params.lockWaitSeconds,
  });
  let failure: unknown;
  try {
    await fn();
  } catch (e) {
    failure = e;
  }
  const { problems } = await lock.release();
  for (const message of problems) ctx.emit({ type: 'warning', message });
  if (failure !== undefined) throw withCleanupProblems(failure, problems);
}

/**
 * `deploy drain`: the hosts leave every balancer's rotation the way a rollout drains a batch (haproxy: `drain`,
 * wait for their sessions to end, `maint`; nginx: `down` and a graceful reload), never the last host a balancer
 * serves; each host records when (`deploy_to/.drained`) for `deploy status`.
 */
export async function drain(ctx: RunContext, params: DrainParams): Promise<void> {
  const hosts = poolHosts(ctx, 'drain');
  const p = paths(ctx.config.deployTo);
  await locked(ctx, 'drain', params, async () => {
    await rotationFor(ctx)!.set({ drain: hosts, keepOthersOut: true });
    for (const h of hosts) {
      const { why } = await bestEffort(ctx, STEP, h, markDrained(p));
      if (why !== undefined)
        ctx.emit({ type: 'warning', host: h.name, message: `out of rotation, but when it was drained could not be recorded (${why})` });
    }
    ctx.emit({
      type: 'info',
      message: `${hosts.map((h) => h.name).join(', ')} out of rotation; \`deploy undrain ${ctx.config.stage} --hosts ${hosts.map((h) => h.name).join(',')}\` puts ${hosts.length === 1 ? 'it' : 'them'} back`,
    });
  });
}

/**
 * `deploy undrain`: each host must pass the health check first (the rollout's check, with its retries); then they
 * come back into every balancer's rotation together, confirmed by the balancers.
 */
export async function undrain(ctx: RunContext, params: DrainParams): Promise<void> {
  const hosts = poolHosts(ctx, 'undrain');
  const p = paths(ctx.config.deployTo);
  await locked(ctx, 'undrain', params, async () => {
    if (ctx.config.health) await onHosts(ctx, 'health', hosts, (h) => waitHealthy(ctx, h));
    await rotationFor(ctx)!.set({ ready: hosts });
    for (const h of hosts) {
      const { why } = await bestEffort(ctx, STEP, h, unmarkDrained(p));
      if (why !== undefined) ctx.emit({ type: 'warning', host: h.name, message: `back in rotation, but its drain record stays (${why})` });
    }
    ctx.emit({ type: 'info', message: `${hosts.map((h) => h.name).join(', ')} back in rotation` });
  });
}
