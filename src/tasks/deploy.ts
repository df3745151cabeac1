import { appendRevisionLog, type RevisionOutcome } from '../commands/log.js';
import { paths } from '../commands/paths.js';
import { createRelease, removeRelease } from '../commands/release.js';
import type { HostDef } from '../config/types.js';
import { DeployError, ExitCode } from '../errors.js';
import { readCurrent } from '../facts/symlink.js';
import { codeHosts } from '../hosts/roles.js';
import type { HostSummary, RunSummary } from '../output/events.js';
import { preflight } from './check.js';
import { cleanupReleases } from './cleanup.js';
import type { RunContext } from './context.js';
import type { ReleaseRef } from './env.js';
import { installDependencies } from './install.js';
import { acquireLock } from './lock.js';
import { runMigrations } from './migrate.js';
import { exec, onHosts, probe } from './runner.js';
import { linkSharedInto } from './shared.js';
import { rotationFor } from './balancer.js';
import { rollout, type Rotation } from './switch.js';
import { hooked, loadTasks, runHooks } from './tasks.js';
import { startArtifact, transfer, type Artifact } from './transfer.js';

export interface DeployParams {
  readonly release: string;
  readonly owner: string;
  readonly message: string;
  readonly lockWaitSeconds: number;
  readonly rotation?: Rotation;
  readonly pauseBetweenBatches?: (role: string, nextBatch: number) => Promise<void>;
  readonly canary?: (host: HostDef) => Promise<boolean>;
}

/** The hosts of the selection that receive code. */
export const releaseHosts = (ctx: RunContext): HostDef[] => {
  const code = new Set(codeHosts(ctx.config).map((h) => h.name));
  return ctx.hosts.filter((h) => code.has(h.name));
};

/**
 * The whole deploy: preflight, lock, release dir, transfer, shared, install, migrate (once), rollout, cleanup,
 * revision log, unlock. Before the rollout a failure removes the half-built release and leaves `current`
 * alone everywhere; during it, switched hosts go back (see rollout).
 */
export async function deploy(ctx: RunContext, params: DeployParams): Promise<RunSummary> {
  const started = Date.now();
  const hosts = releaseHosts(ctx);
  if (hosts.length === 0) throw new DeployError(`no selected host of stage ${ctx.config.stage} receives code`, ExitCode.config);
  const p = paths(ctx.config.deployTo);
  const release: ReleaseRef = { id: params.release, dir: p.release(params.release) };

  await loadTasks(ctx);
  const artifact = startArtifact(ctx);
  try {
    return await deployWith(ctx, params, hosts, release, started, artifact);
  } finally {
    await artifact?.then((a) => a.cleanup(), () => undefined);
  }
}

async function deployWith(
  ctx: RunContext,
  params: DeployParams,
  hosts: HostDef[],
  release: ReleaseRef,
  started: number,
  artifact: Promise<Artifact> | undefined,
): Promise<RunSummary> {
  const p = paths(ctx.config.deployTo);
  await preflight(ctx);
  // An artifact that cannot be built or found fails the run here, before the lock or a release dir is written.
  await artifact;
  const lock = await acquireLock(ctx, { release: release.id, owner: params.owner, message: params.message, waitSeconds: params.lockWaitSeconds });
  let revision: string | undefined;
  let outcome: RevisionOutcome = 'failed';
  const previous = new Map<string, string | null>();
  try {
    await runHooks(ctx, 'before', 'deploy', release);
    let built = false;
    try {
      const live = await onHosts(ctx, 'release', hosts, async (h) => {
        const [id] = await Promise.all([probe(ctx, 'release', h, readCurrent(p)), exec(ctx, 'release', h, createRelease(p, release.id))]);
        return id;
      });
      for (const [name, id] of live) {
        previous.set(name, id);
        ctx.emit({ type: 'release', host: name, previous: id, release: release.id });
      }
      revision = await hooked(ctx, 'transfer', release, () => transfer(ctx, hosts, release, artifact));
      const withRevision = { ...release, revision };
      await hooked(ctx, 'shared', withRevision, () => linkSharedInto(ctx, hosts, withRevision));
      await hooked(ctx, 'install', withRevision, () => installDependencies(ctx, hosts, withRevision, previous));
      await hooked(ctx, 'migrate', withRevision, () => runMigrations(ctx, withRevision));
      built = true;
    } finally {
      if (!built && ctx.mode === 'real') await discard(ctx, hosts, release.id);
    }
    const live = { ...release, revision };
    await hooked(ctx, 'restart', live, () => rollout(ctx, { release: live, previous, hosts, rotation: params.rotation ?? rotationFor(ctx), pauseBetweenBatches: params.pauseBetweenBatches, canary: params.canary }));
    outcome = 'deployed';
    await hooked(ctx, 'cleanup', live, () => cleanupReleases(ctx, hosts, previous));
    await runHooks(ctx, 'after', 'deploy', live);
  } finally {
    try {
      if (revision || outcome === 'deployed') await logRevision(ctx, hosts, { release: release.id, revision: revision ?? '', owner: params.owner, outcome });
    } finally {
      await lock.release();
    }
  }
  return summary(ctx, hosts, release.id, revision, previous, Date.now() - started);
}

/** Removes a release that never went live, so nothing half-built is left behind. */
async function discard(ctx: RunContext, hosts: readonly HostDef[], id: string): Promise<void> {
  const calm: RunContext = { ...ctx, signal: undefined };
  const p = paths(ctx.config.deployTo);
  await onHosts(calm, 'discard', hosts, (h) => exec(calm, 'discard', h, removeRelease(p, id), { allowFail: true })).catch(() => undefined);
}

async function logRevision(
  ctx: RunContext,
  hosts: readonly HostDef[],
  entry: { release: string; revision: string; owner: string; outcome: RevisionOutcome },
): Promise<void> {
  const calm: RunContext = { ...ctx, signal: undefined };
  const p = paths(ctx.config.deployTo);
  const line = { release: entry.release, revision: entry.revision, user: entry.owner, time: new Date().toISOString(), stage: ctx.config.stage, outcome: entry.outcome };
  await onHosts(calm, 'log', hosts, (h) => exec(calm, 'log', h, appendRevisionLog(p, line), { allowFail: true }));
}

function summary(
  ctx: RunContext,
  hosts: readonly HostDef[],
  release: string,
  revision: string | undefined,
  previous: ReadonlyMap<string, string | null>,
  durationMs: number,
): RunSummary {
  const perHost: HostSummary[] = hosts.map((h) => ({ host: h.name, previous: previous.get(h.name) ?? null, release, outcome: 'deployed', durationMs }));
  return { stage: ctx.config.stage, release, revision, hosts: perHost };
}
