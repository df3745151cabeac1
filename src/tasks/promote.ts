import type { PromotedFrom } from '../commands/log.js';
import type { Config, Source } from '../config/types.js';
import { ConfigError, ConnectionError, NotPromotableError } from '../errors.js';
import type { RunSummary } from '../output/events.js';
import { ARTIFACTS_DIR, cachedArtifact } from './artifact-cache.js';
import type { RunContext } from './context.js';
import { deploy, releaseHosts, type DeployParams } from './deploy.js';
import { describeHolder } from './lock.js';
import { stageStatus, type StageStatus } from './status.js';
import type { Artifact } from './transfer.js';

export type PromoteParams = Omit<DeployParams, 'artifact' | 'promotedFrom'>;

const SHA256 = /^[0-9a-f]{64}$/;

export interface Served {
  readonly release: string;
  readonly revision: string;
}

const names = (hosts: readonly { host: string }[]) => hosts.map((h) => h.host).join(', ');

/**
 * The one release every code host of a stage serves, healthy and unlocked; otherwise why it cannot be promoted,
 * naming the hosts. `code` names the stage's hosts that hold releases.
 */
export function servedRelease(s: StageStatus, code: ReadonlySet<string>): Served {
  const next = `see \`deploy status ${s.stage}\`; deploy or roll back ${s.stage} until every host serves one healthy release`;
  if (s.unreachable.length > 0) {
    throw new ConnectionError(
      s.unreachable.join(', '),
      `could not be read, so what ${s.stage} serves is unknown; nothing was promoted`,
      '`deploy check <stage>` tests the connections',
    );
  }
  const hosts = s.hosts.filter((h) => code.has(h.host));
  if (hosts.length === 0) throw new NotPromotableError(`stage ${s.stage} has no host that holds releases; nothing was promoted`);
  const none = hosts.filter((h) => h.current === null || h.dangling);
  if (none.length > 0) throw new NotPromotableError(`${s.stage} serves no release on ${names(none)}; nothing was promoted`, next);
  const byRelease = new Map<string, string[]>();
  for (const h of hosts) byRelease.set(h.current!, [...(byRelease.get(h.current!) ?? []), h.host]);
  if (byRelease.size > 1) {
    const mixed = [...byRelease].map(([r, hs]) => `${r} on ${hs.join(', ')}`).join('; ');
    throw new NotPromotableError(`${s.stage} serves mixed releases (${mixed}); nothing was promoted`, next);
  }
  const release = hosts[0]!.current!;
  const unhealthy = s.hosts.filter((h) => h.health === 'unhealthy');
  if (unhealthy.length > 0)
    throw new NotPromotableError(`${s.stage} is unhealthy on ${names(unhealthy)} (release ${release}); nothing was promoted`, next);
  const unknown = hosts.filter((h) => h.revision === null);
  if (unknown.length > 0) {
    throw new NotPromotableError(
      `revisions.log on ${names(unknown)} does not say which revision release ${release} of ${s.stage} has; nothing was promoted`,
      'deploy that stage again, then promote',
    );
  }
  const revisions = new Set(hosts.map((h) => h.revision!));
  if (revisions.size > 1) {
    throw new NotPromotableError(
      `release ${release} of ${s.stage} has different revisions (${hosts.map((h) => `${h.revision} on ${h.host}`).join('; ')}); nothing was promoted`,
      next,
    );
  }
  if (s.lock.state === 'locked') {
    throw new NotPromotableError(
      `${s.stage} is locked on ${s.lock.host} by ${describeHolder(s.lock)}: what it serves may be changing; nothing was promoted`,
      'promote once that run is over',
    );
  }
  return { release, revision: hosts[0]!.revision! };
}

/**
 * `deploy promote <from> <to>`: deploys to `ctx`'s stage exactly what `from` serves — the same git commit, or the
 * same artifact file (kept by the deploy that uploaded it, by its sha256; never built again) — with the target
 * stage's own env, shared files, hosts and rollout. Refuses, before anything is written anywhere, when `from` is
 * mixed, unhealthy, locked or unread.
 */
export async function promote(ctx: RunContext, from: RunContext, params: PromoteParams): Promise<RunSummary> {
  const [fromStage, toStage] = [from.config.stage, ctx.config.stage];
  if (fromStage === toStage)
    throw ConfigError.single(
      ctx.config.file,
      `cannot promote ${toStage} to itself`,
      'name two stages: `deploy promote staging production`',
    );
  const [fromKind, toKind] = [from.config.source.kind, ctx.config.source.kind];
  if (fromKind !== toKind) {
    throw ConfigError.single(
      ctx.config.file,
      `${fromStage} deploys from ${sourceName(fromKind)} and ${toStage} from ${sourceName(toKind)}: promote needs both from the same kind`,
    );
  }
  const status = await stageStatus(from);
  // Hosts are read in parallel; they are named in inventory order.
  const order = from.hosts.map((h) => h.name);
  const inOrder = { ...status, hosts: [...status.hosts].sort((a, b) => order.indexOf(a.host) - order.indexOf(b.host)) };
  const served = servedRelease(inOrder, new Set(releaseHosts(from).map((h) => h.name)));
  let artifact: Artifact | undefined;
  if (fromKind === 'artifact') artifact = await keptArtifact(ctx, fromStage, served);
  const promotedFrom: PromotedFrom = {
    stage: fromStage,
    release: served.release,
    revision: served.revision,
    ...(artifact ? { sha256: artifact.sha256 } : {}),
  };
  ctx.emit({ type: 'promote', from: promotedFrom });
  const config: Config = Object.freeze({ ...ctx.config, source: pinned(ctx.config.source, served.revision, artifact) });
  return deploy({ ...ctx, config }, { ...params, ...(artifact ? { artifact } : {}), promotedFrom });
}

const sourceName = (kind: Source['kind']) => (kind === 'git' ? 'a git repository' : 'an artifact');

/** The target stage's source, fixed to what is promoted: the commit, or the kept file (its build dropped). */
export function pinned(source: Source, revision: string, artifact: Artifact | undefined): Source {
  if (source.kind === 'git') return Object.freeze({ kind: 'git', repository: source.repository, revision });
  return Object.freeze({ kind: 'artifact', path: artifact!.file });
}

export async function keptArtifact(ctx: RunContext, stage: string, served: Served): Promise<Artifact> {
  const sha = served.revision;
  if (!SHA256.test(sha))
    throw new NotPromotableError(
      `release ${served.release} of ${stage} records revision ${sha}, not an artifact's sha256; nothing was promoted`,
    );
  const found = await cachedArtifact(ctx.projectDir, sha);
  if ('problem' in found) {
    const why = found.problem === 'missing' ? `is not kept in ${ARTIFACTS_DIR}` : `in ${ARTIFACTS_DIR} no longer hashes to ${sha}`;
    throw new NotPromotableError(
      `the artifact of ${stage} release ${served.release} (sha256 ${sha}) ${why}; it is never built again, so nothing was promoted`,
      `promote from the directory (or CI workspace) whose deploy of ${stage} uploaded it: that deploy keeps it in ${ARTIFACTS_DIR} next to deploy.yml`,
    );
  }
  ctx.emit({
    type: 'info',
    message: `artifact sha256 ${sha} from ${found.file}, as ${stage} release ${served.release} got it: not built again`,
  });
  return found;
}
