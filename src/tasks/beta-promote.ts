import { removeBetaMarker, type BetaMarker } from '../commands/beta.js';
import { appendRevisionLog, type PromotedFrom } from '../commands/log.js';
import { paths } from '../commands/paths.js';
import type { BetaConfig, Config, HostDef } from '../config/types.js';
import { ConnectionError, NotPromotableError } from '../errors.js';
import { codeHosts } from '../hosts/roles.js';
import type { RunSummary } from '../output/events.js';
import { rotationFor, type BalancerPool } from './balancer.js';
import { betaSetup, describeMark, readBetas, routeBeta, type BetaParams } from './beta.js';
import type { RunContext } from './context.js';
import { deploy } from './deploy.js';
import { healthRoles } from './env.js';
import { describeHolder } from './lock.js';
import { keptArtifact, pinned } from './promote.js';
import { bestEffort, onHosts } from './runner.js';
import { stageStatus, type StageStatus } from './status.js';
import { rollout, type RolloutParams } from './switch.js';

const STEP = 'beta';

/** What `deploy beta … promote` rolls out, and where. */
export interface BetaPromotion {
  readonly release: string;
  readonly revision: string;
  /** The beta hosts (inventory order): they serve the release already. */
  readonly beta: readonly string[];
  /** Per beta host, the live release it served before the beta. */
  readonly live: ReadonlyMap<string, string | null>;
  /** Every other code host: it gets the release. */
  readonly others: readonly string[];
}

const list = (hosts: readonly { host: string }[]) => hosts.map((h) => h.host).join(', ');
const messageOf = (e: unknown) => (e instanceof Error ? e.message : String(e));

/**
 * The running beta of a stage that can be promoted as it is — one release with one revision on every beta host,
 * healthy, and no run holding the lock — or why not, naming the hosts. `code` names the stage's code hosts in
 * inventory order.
 */
export function betaPromotion(s: StageStatus, code: readonly string[]): BetaPromotion {
  const stage = s.stage;
  const next = `see \`deploy status ${stage}\`; \`deploy beta ${stage} end\` sends the beta hosts back to the live release`;
  if (s.unreachable.length > 0) {
    throw new ConnectionError(
      s.unreachable.join(', '),
      `could not be read, so the beta of ${stage} is unknown; nothing was promoted`,
      '`deploy check <stage>` tests the connections',
    );
  }
  const hosts = code.flatMap((n) => s.hosts.filter((h) => h.host === n));
  const betas = hosts.filter((h): h is typeof h & { beta: BetaMarker } => h.beta !== undefined);
  if (betas.length === 0)
    throw new NotPromotableError(`no beta runs on stage ${stage}; nothing was promoted`, `start one with \`deploy beta ${stage}\``);
  const byRelease = new Map<string, string[]>();
  for (const h of betas) {
    const serves = h.current === null || h.dangling ? 'no release' : h.current;
    const key = serves === h.beta.release ? serves : `${serves} (marked beta ${h.beta.release})`;
    byRelease.set(key, [...(byRelease.get(key) ?? []), h.host]);
  }
  const release = betas[0]!.beta.release;
  if (byRelease.size > 1 || !byRelease.has(release)) {
    const mixed = [...byRelease].map(([r, hs]) => `${r} on ${hs.join(', ')}`).join('; ');
    throw new NotPromotableError(`the beta hosts of ${stage} are on mixed releases (${mixed}); nothing was promoted`, next);
  }
  const unhealthy = betas.filter((h) => h.health === 'unhealthy');
  if (unhealthy.length > 0)
    throw new NotPromotableError(
      `the beta of ${stage} is unhealthy on ${list(unhealthy)} (release ${release}); nothing was promoted`,
      next,
    );
  const revisions = new Set(betas.map((h) => h.beta.revision));
  if (revisions.has('') || revisions.size > 1) {
    throw new NotPromotableError(
      `the beta markers of release ${release} do not name one revision (${betas.map((h) => `${h.beta.revision || 'none'} on ${h.host}`).join('; ')}); nothing was promoted`,
      next,
    );
  }
  if (s.lock.state === 'locked') {
    throw new NotPromotableError(
      `${stage} is locked on ${s.lock.host} by ${describeHolder(s.lock)}: its beta may be changing; nothing was promoted`,
      'promote once that run is over',
    );
  }
  const others = hosts.filter((h) => h.beta === undefined).map((h) => h.host);
  if (others.length === 0)
    throw new NotPromotableError(`every code host of ${stage} serves the beta: there is no other host to promote it to`, next);
  return {
    release,
    revision: betas[0]!.beta.revision,
    beta: betas.map((h) => h.host),
    live: new Map(betas.map((h) => [h.host, h.beta.live])),
    others,
  };
}

/**
 * `deploy beta <stage> promote`: the beta's release — its id, its revision, the very artifact file — built on every
 * other code host as a deploy builds it (with migrations), switched in by the normal rollout with the beta hosts
 * joining the live pool at the cut-over; then marked requests go to the live pool and the beta is over. Refuses,
 * before anything is written anywhere, when no beta runs or it cannot be promoted as it is.
 */
export async function betaPromote(ctx: RunContext, params: BetaParams): Promise<RunSummary> {
  const { beta, pools } = betaSetup(ctx.config);
  const stage = ctx.config.stage;
  const code = codeHosts(ctx.config);
  const plan = betaPromotion(
    await stageStatus(ctx),
    code.map((h) => h.name),
  );
  const artifact = ctx.config.source.kind === 'artifact' ? await keptArtifact(ctx, stage, plan) : undefined;
  const from: PromotedFrom = {
    stage,
    release: plan.release,
    revision: plan.revision,
    ...(artifact ? { sha256: artifact.sha256 } : {}),
    beta: true,
  };
  const config: Config = Object.freeze({ ...ctx.config, source: pinned(ctx.config.source, plan.revision, artifact) });
  const byName = (names: readonly string[]) => code.filter((h) => names.includes(h.name));
  const betaHosts = byName(plan.beta);
  const served = betaHosts.filter((h) => h.roles.some((r) => healthRoles(config).includes(r)));
  return deploy(
    { ...ctx, config },
    {
      run: params.run,
      owner: params.owner,
      message: params.message,
      lockWaitSeconds: params.lockWaitSeconds,
      ...(artifact ? { artifact } : {}),
      promotedFrom: from,
      // The beta hosts are out of the live pool on purpose until they join it at the cut-over.
      rotation: rotationFor(ctx, served),
      only: {
        hosts: byName(plan.others),
        verb: 'beta promote',
        switchTo: (run, rp) =>
          switchPromoted(run, rp, { beta, pools, hosts: betaHosts, served, from, owner: params.owner, message: params.message }),
      },
      beta: {
        release: plan.release,
        verify: (run) => verifyBeta(run, plan),
        moves: new Map(plan.beta.map((h) => [h, { from: plan.live.get(h) ?? null, to: plan.release }])),
      },
    },
  );
}

/** Under the lock: the beta is still the one read before it (re-read, as a plan may be stale). */
async function verifyBeta(ctx: RunContext, plan: BetaPromotion): Promise<void> {
  const now = [...(await readBetas(ctx))].filter((e): e is [string, BetaMarker] => e[1] !== null);
  const same = now.length === plan.beta.length && now.every(([h, m]) => plan.beta.includes(h) && m.release === plan.release);
  if (!same) {
    const seen = now.length > 0 ? now.map(([h, m]) => `${m.release} on ${h}`).join('; ') : 'none';
    throw new NotPromotableError(
      `the beta of ${ctx.config.stage} changed before the lock was taken (was ${plan.release} on ${plan.beta.join(', ')}, now ${seen}); nothing was promoted`,
      `see \`deploy status ${ctx.config.stage}\`, then run the same command again`,
    );
  }
  // The beta hosts serve the release already: the summary lists them as such.
  for (const h of plan.beta) ctx.emit({ type: 'release', host: h, previous: plan.release, release: plan.release });
}

async function switchPromoted(
  ctx: RunContext,
  rp: RolloutParams,
  s: {
    beta: BetaConfig;
    pools: BalancerPool[];
    hosts: readonly HostDef[];
    /** The beta hosts in the live pool's health roles. */
    served: readonly HostDef[];
    from: PromotedFrom;
    owner: string;
    message: string;
  },
): Promise<void> {
  const calm: RunContext = { ...ctx, signal: undefined };
  const warn = (what: string) => (e: unknown) => ctx.emit({ type: 'warning', message: `${what}: ${messageOf(e)}` });
  const served = s.served;
  try {
    await rollout(ctx, { ...rp, joining: served });
  } catch (e) {
    // The other hosts are back on the live release: the beta goes on, its hosts out of the live pool again.
    await rp.rotation?.set({ drain: served }, calm).catch(warn('the beta hosts are still in the live pool'));
    throw e;
  }
  // Every host serves the release and is in the live pool: what is left runs whatever an interrupt, and its
  // failures are told, not the run's (the release is live everywhere).
  const stage = ctx.config.stage;
  const p = paths(ctx.config.deployTo);
  const { id, revision } = rp.release;
  await routeBeta(calm, s.beta, s.pools, []).catch(
    warn(`marked requests may still go to the beta hosts only (they serve ${id} too); \`deploy beta ${stage} end\` ends that`),
  );
  await onHosts(calm, STEP, s.hosts, (h) => bestEffort(calm, STEP, h, removeBetaMarker(p))).then((done) => {
    for (const [host, { why }] of done)
      if (why !== undefined)
        ctx.emit({ type: 'warning', host, message: `the beta marker is left (${why}): remove ${p.beta} by hand, it serves ${id}` });
  });
  const entry = {
    release: id,
    revision: revision ?? s.from.revision,
    user: s.owner,
    time: new Date().toISOString(),
    stage,
    outcome: 'deployed' as const,
    ...(s.message ? { message: s.message } : {}),
    from: s.from,
  };
  await onHosts(calm, 'log', s.hosts, async (h) => {
    const { why } = await bestEffort(calm, 'log', h, appendRevisionLog(p, entry));
    if (why !== undefined)
      ctx.emit({ type: 'warning', host: h.name, message: `revisions.log does not record the promotion (${why}); the host serves ${id}` });
  });
  ctx.emit({
    type: 'beta',
    action: 'promote',
    hosts: s.hosts.map((h) => h.name),
    release: id,
    ...(revision ? { revision } : {}),
    live: id,
    mark: describeMark(s.beta),
  });
}
