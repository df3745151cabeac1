import { paths } from '../commands/paths.js';
import type { HostDef } from '../config/types.js';
import { lockStatus, type LockStatus } from '../facts/lock.js';
import { healthCheck } from '../facts/health.js';
import { ConnectionError } from '../errors.js';
import { visible } from '../output/visible.js';
import { rotationStatus } from './balancer.js';
import type { RunContext } from './context.js';
import { healthRoles } from './env.js';
import { isHealthy } from './health.js';
import { describeHolder, lockHost } from './lock.js';
import { readHostReleases } from './rollback.js';
import { exec, onHosts, probe } from './runner.js';

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
}

async function hostStatus(ctx: RunContext, host: HostDef): Promise<HostStatus> {
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
  return {
    host: host.name,
    roles: host.roles,
    current: s?.current ?? null,
    dangling: s?.dangling ?? false,
    revision,
    health,
    rotation: 'n/a',
    bad: s?.bad ?? [],
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
  const read = await onHosts(ctx, STEP, ctx.hosts, (h) =>
    hostStatus(ctx, h).catch(
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
  const hosts = [...read.values()].map((s): HostStatus => (s.error === undefined ? { ...s, rotation: rotation.get(s.host) ?? 'n/a' } : s));
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

const rotationText = (s: HostStatus) =>
  s.rotation === 'n/a' ? '' : s.rotation === 'in' ? 'in' : s.rotation === 'out' ? 'DRAINED' : 'on some balancers only';

export function statusReport(s: StageStatus): StatusReport {
  const rows = s.hosts.map((h): StatusRow => {
    const base = { host: h.host, roles: h.roles.join(','), bad: h.bad };
    if (h.error !== undefined) return { ...base, release: 'UNREACHABLE', revision: '', health: '', rotation: visible(h.error), bad: [] };
    const release = h.current ? `${h.current}${h.dangling ? ' (MISSING)' : ''}` : '-';
    return { ...base, release, revision: (h.revision ?? '').slice(0, 12), health: h.health, rotation: rotationText(h) };
  });
  const warnings = [
    ...s.hosts
      .filter((x) => x.dangling)
      .map((h) => `${h.host}: current points to release ${h.current}, which does not exist: the host serves nothing it can restart from`),
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
