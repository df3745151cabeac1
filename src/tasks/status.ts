import { paths } from '../commands/paths.js';
import type { HostDef } from '../config/types.js';
import type { BetaMarker } from '../commands/beta.js';
import { betaMarker } from '../facts/beta.js';
import { drainedSince } from '../facts/drain.js';
import { lockStatus, type LockStatus } from '../facts/lock.js';
import type { RevisionLogEntry } from '../commands/log.js';
import { healthCheck } from '../facts/health.js';
import { ConnectionError } from '../errors.js';
import { visible } from '../output/visible.js';
import { balancerPools, poolLeavers, rotationStatus, type Leaver } from './balancer.js';
import type { RunContext } from './context.js';
import { healthRoles } from './env.js';
import { isHealthy } from './health.js';
import { describeHolder, formatAge, lockHost } from './lock.js';
import { readHostReleases } from './rollback.js';
import { exec, onHosts, probe } from './runner.js';
import { codeRolesOf, syncPlan, type SyncView } from './sync-plan.js';

const STEP = 'status';

export interface HostStatus {
  host: string;
  roles: readonly string[];
  /** The release `current` points to; null when there is none (or the host could not be read). */
  current: string | null;
  /** `current` points to a release dir that does not exist. */
  dangling: boolean;
  revision: string | null;
  health: 'healthy' | 'unhealthy' | 'n/a';
  /** Whether the balancers route to it; n/a outside a balancer pool. */
  rotation: 'in' | 'out' | 'mixed' | 'n/a';
  bad: readonly string[];
  /** The beta it serves (`deploy beta`): its release and revision, and the live release it goes back to. */
  beta?: BetaMarker;
  /** Serves another release than its role's live one, or none: `deploy sync` brings it to this release. */
  behind?: string;
  /** When `deploy drain` took it out of rotation (UTC, the host's clock). */
  drainedSince?: string;
  /** Why the host could not be read (unreachable, host key…); the other fields then say nothing. */
  error?: string;
}

export type LockView = { readonly host: string } & (LockStatus | { readonly state: 'unknown'; readonly error: string });

export interface StageStatus {
  readonly stage: string;
  readonly hosts: readonly HostStatus[];
  readonly lock: LockView;
  /** Per role with hosts on different releases: release → hosts. */
  readonly mixed: ReadonlyMap<string, ReadonlyMap<string, string[]>>;
  /** Hosts that could not be read. */
  readonly unreachable: readonly string[];
  /** The time the status was read (to say for how long a host is drained). */
  readonly now?: string;
  /** Per balancer host, servers it lists (or listed) that are no pool host of deploy.yml. */
  readonly left?: readonly { readonly balancer: string; readonly left: readonly Leaver[] }[];
}

async function hostStatus(ctx: RunContext, host: HostDef, logs: Map<string, readonly RevisionLogEntry[]>): Promise<HostStatus> {
  const holdsCode = host.roles.some((r) => ctx.config.roles[r]?.code);
  const s = holdsCode ? await readHostReleases(ctx, STEP, host) : null;
  let health: HostStatus['health'] = 'n/a';
  const h = ctx.config.health;
  if (h && host.roles.some((r) => healthRoles(ctx.config).includes(r))) {
    const f = healthCheck({ address: host.address, port: h.port, path: h.path, timeout: h.timeout, followRedirects: h.followRedirects });
    const r = await exec(ctx, STEP, host, f.command, { allowFail: true });
    let ok = false;
    try {
      ok = isHealthy(h, f.parse(r.stdout));
    } catch {
      ok = false;
    }
    health = ok ? 'healthy' : 'unhealthy';
  }
  const revision = s?.current ? (s.log.filter((e) => e.release === s.current).pop()?.revision ?? null) : null;
  if (s) logs.set(host.name, s.log);
  const beta = holdsCode && ctx.config.beta ? await probe(ctx, STEP, host, betaMarker(paths(ctx.config.deployTo))) : null;
  const pooled = balancerPools(ctx.config).some((b) => b.pool.some((x) => x.name === host.name));
  const since = pooled ? await probe(ctx, STEP, host, drainedSince(paths(ctx.config.deployTo))) : null;
  return {
    host: host.name,
    roles: host.roles,
    current: s?.current ?? null,
    dangling: s?.dangling ?? false,
    revision,
    health,
    rotation: 'n/a',
    bad: s?.bad ?? [],
    ...(since ? { drainedSince: since } : {}),
    ...(beta ? { beta } : {}),
  };
}

/** Hosts of one role serving different releases. */
export function mixedRoles(statuses: readonly HostStatus[], codeRoles: ReadonlySet<string>): Map<string, Map<string, string[]>> {
  const byRole = new Map<string, Map<string, string[]>>();
  for (const s of statuses.filter((x) => x.error === undefined)) {
    for (const role of s.roles.filter((r) => codeRoles.has(r))) {
      const m = byRole.get(role) ?? new Map<string, string[]>();
      const key = s.current ?? '(none)';
      m.set(key, [...(m.get(key) ?? []), s.host]);
      byRole.set(role, m);
    }
  }
  return new Map([...byRole].filter(([, m]) => m.size > 1));
}

const messageOf = (e: unknown) => (e instanceof Error ? e.message : String(e));

/**
 * What every host serves, its health and rotation, mixed releases per role and the stage's lock. A host that
 * cannot be read is reported as such; the others are still read.
 */
export async function stageStatus(ctx: RunContext): Promise<StageStatus> {
  const rotation = await rotationStatus(ctx);
  const left = await poolLeavers(ctx);
  const logs = new Map<string, readonly RevisionLogEntry[]>();
  const read = await onHosts(ctx, STEP, ctx.hosts, (h) =>
    hostStatus(ctx, h, logs).catch(
      (e: unknown): HostStatus => ({
        host: h.name,
        roles: h.roles,
        current: null,
        dangling: false,
        revision: null,
        health: 'n/a',
        rotation: 'n/a',
        bad: [],
        error: messageOf(e),
      }),
    ),
  );
  const views = new Map(
    [...read.values()]
      .filter((s) => s.error === undefined && logs.has(s.host))
      .map((s): [string, SyncView] => [s.host, { current: s.current, releases: [], log: logs.get(s.host)! }]),
  );
  const behind = new Map(syncPlan(ctx.hosts, views, codeRolesOf(ctx)).behind.map((b) => [b.host, b.to]));
  const hosts = [...read.values()].map((s): HostStatus => {
    if (s.error !== undefined) return s;
    const on = rotation.get(s.host) ?? 'n/a';
    const { drainedSince: since, ...rest } = s;
    return {
      ...rest,
      rotation: on,
      ...(behind.has(s.host) ? { behind: behind.get(s.host)! } : {}),
      ...(since && on !== 'in' ? { drainedSince: since } : {}),
    };
  });
  const lh = lockHost(ctx.config);
  let lock: LockView;
  try {
    lock = { host: lh.name, ...(await probe(ctx, STEP, lh, lockStatus(paths(ctx.config.deployTo), ctx.config.lock.ttl))) };
  } catch (e) {
    lock = { host: lh.name, state: 'unknown', error: messageOf(e) };
  }
  const codeRoles = new Set(
    Object.entries(ctx.config.roles)
      .filter(([, r]) => r.code)
      .map(([n]) => n),
  );
  return {
    stage: ctx.config.stage,
    hosts,
    lock,
    mixed: mixedRoles(hosts, codeRoles),
    unreachable: hosts.filter((s) => s.error !== undefined).map((s) => s.host),
    now: new Date().toISOString(),
    left,
  };
}

/** One row of `deploy status`: what the table shows for a host. */
export interface StatusRow {
  readonly host: string;
  readonly roles: string;
  /** The release, `UNREACHABLE`, or `-` for none; `(MISSING)` when current points to no release dir. */
  readonly release: string;
  readonly revision: string;
  readonly health: string;
  /** Rotation, or why an unreachable host could not be read. */
  readonly rotation: string;
  readonly bad: readonly string[];
}

/** What `deploy status` says: rows, warnings after them, the JSON document, and the failure when hosts were unread. */
export interface StatusReport {
  readonly rows: readonly StatusRow[];
  readonly warnings: readonly string[];
  readonly json: Record<string, unknown>;
  readonly error?: ConnectionError;
}

const rotationText = (s: HostStatus, now?: string) => {
  if (s.beta) return 'BETA';
  if (s.rotation === 'n/a') return '';
  if (s.rotation === 'in') return 'in';
  const where = s.rotation === 'out' ? 'DRAINED' : 'on some balancers only';
  if (!s.drainedSince) return where;
  const seconds = now ? Math.max(0, Math.round((Date.parse(now) - Date.parse(s.drainedSince)) / 1000)) : undefined;
  return `${where} since ${s.drainedSince}${seconds === undefined ? '' : ` (${formatAge(seconds)})`}`;
};

export function statusReport(s: StageStatus): StatusReport {
  const rows = s.hosts.map((h): StatusRow => {
    const base = { host: h.host, roles: h.roles.join(','), bad: h.bad };
    if (h.error !== undefined) return { ...base, release: 'UNREACHABLE', revision: '', health: '', rotation: visible(h.error), bad: [] };
    const release = h.current ? `${h.current}${h.dangling ? ' (MISSING)' : ''}` : '-';
    return {
      ...base,
      release: h.behind ? `${release} (behind)` : release,
      revision: (h.revision ?? '').slice(0, 12),
      health: h.health,
      rotation: rotationText(h, s.now),
    };
  });
  const betas = s.hosts.filter((h) => h.beta);
  const beta = betas[0]?.beta;
  const warnings = [
    ...(beta
      ? [
          `beta release ${beta.release}${beta.revision ? ` (revision ${beta.revision.slice(0, 12)})` : ''} on ${betas.map((h) => h.host).join(', ')}, for requests that carry the beta mark; \`deploy beta ${s.stage} end\` sends them back to ${beta.live ?? 'the live release'}`,
        ]
      : []),
    ...s.hosts
      .filter((x) => x.dangling)
      .map((h) => `${h.host}: current points to release ${h.current}, which does not exist: the host serves nothing it can restart from`),
    ...behindWarnings(s),
    ...(s.left ?? []).flatMap(({ balancer, left }) =>
      left.map((l) =>
        l.serving
          ? `${balancer} still sends requests to ${l.host}, which is not in the pool in deploy.yml: the next deploy takes it out`
          : `${l.host} left the pool of ${balancer}${l.since ? ` at ${l.since}` : ''}: it is not in the pool in deploy.yml`,
      ),
    ),
    ...[...s.mixed].map(
      ([role, m]) => `role ${role} serves mixed releases: ${[...m].map(([r, hs]) => `${r} on ${hs.join(', ')}`).join('; ')}`,
    ),
    ...(s.lock.state === 'unknown'
      ? [`the lock on ${s.lock.host} could not be read: ${visible(s.lock.error)}`]
      : s.lock.state !== 'unlocked'
        ? [`${s.stage} is locked on ${s.lock.host} by ${describeHolder(s.lock)}`]
        : []),
  ];
  const json = {
    type: 'status',
    stage: s.stage,
    hosts: s.hosts,
    lock: s.lock,
    left: s.left ?? [],
    mixed: Object.fromEntries([...s.mixed].map(([r, m]) => [r, Object.fromEntries(m)])),
  };
  const error =
    s.unreachable.length > 0
      ? new ConnectionError(
          s.unreachable.join(', '),
          'could not be read; the other hosts are shown above',
          'see the error per host in the table; `deploy check <stage>` tests the connections',
        )
      : undefined;
  return { rows, warnings, json, ...(error ? { error } : {}) };
}

/** `web3, web4 are behind: their role serves 20260101120000; \`deploy sync staging\` brings them to it`. */
function behindWarnings(s: StageStatus): string[] {
  const byRelease = new Map<string, string[]>();
  for (const h of s.hosts) if (h.behind) byRelease.set(h.behind, [...(byRelease.get(h.behind) ?? []), h.host]);
  return [...byRelease].map(
    ([release, hosts]) =>
      `${hosts.join(', ')} ${hosts.length === 1 ? 'is' : 'are'} behind: ${hosts.length === 1 ? 'its role serves' : 'their role serves'} ${release}; \`deploy sync ${s.stage}\` brings ${hosts.length === 1 ? 'it' : 'them'} to it`,
  );
}
