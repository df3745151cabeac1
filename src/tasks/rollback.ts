import { appendRevisionLog, type RevisionLogEntry } from '../commands/log.js';
import { paths } from '../commands/paths.js';
import { markBad } from '../commands/release.js';
import type { HostDef } from '../config/types.js';
import { DeployError, ExitCode, StepFailedError } from '../errors.js';
import { revisionLog } from '../facts/log.js';
import { listReleases, markedReleases } from '../facts/release.js';
import { readCurrent } from '../facts/symlink.js';
import type { RunSummary } from '../output/events.js';
import { preflight } from './check.js';
import type { RunContext } from './context.js';
import { releaseHosts } from './deploy.js';
import { acquireLock } from './lock.js';
import { exec, onHosts, probe } from './runner.js';
import { rotationFor } from './balancer.js';
import { rollout, type Rotation } from './switch.js';
import { hooked, loadTasks } from './tasks.js';

export interface RollbackParams {
  /** An explicit target release; default: the one before current in the revision log. */
  readonly to?: string;
  /** Identifies this run in the lock. */
  readonly runId: string;
  readonly owner: string;
  readonly message: string;
  readonly lockWaitSeconds: number;
  readonly rotation?: Rotation;
}

export interface HostReleases {
  readonly current: string | null;
  readonly releases: readonly string[];
  readonly bad: readonly string[];
  readonly log: readonly RevisionLogEntry[];
}

/**
 * The release a rollback goes to on one host: the newest release that went live before the current one
 * according to the revision log (not directory times), skipping releases marked bad and ones no longer there.
 */
export function rollbackTarget(h: HostReleases): string | null {
  if (!h.current) return null;
  const current = h.current;
  const wentLive = new Set(h.log.filter((e) => e.outcome === 'deployed' || e.outcome === 'rolled-back').map((e) => e.release));
  const candidates = [...wentLive].filter((id) => id < current && !h.bad.includes(id) && h.releases.includes(id)).sort();
  return candidates[candidates.length - 1] ?? null;
}

export async function readHostReleases(ctx: RunContext, step: string, host: HostDef): Promise<HostReleases> {
  const p = paths(ctx.config.deployTo);
  const [current, releases, marked, log] = await Promise.all([
    probe(ctx, step, host, readCurrent(p)),
    probe(ctx, step, host, listReleases(p)),
    probe(ctx, step, host, markedReleases(p)),
    probe(ctx, step, host, revisionLog(p)),
  ]);
  return { current, releases, bad: marked.bad, log: log.entries };
}

/** Switches every code host to the same earlier release, then marks the release it left bad. */
export async function rollback(ctx: RunContext, params: RollbackParams): Promise<RunSummary> {
  const hosts = releaseHosts(ctx);
  if (hosts.length === 0) throw new DeployError(`no selected host of stage ${ctx.config.stage} holds releases`, ExitCode.config);
  const p = paths(ctx.config.deployTo);
  await loadTasks(ctx);
  await preflight(ctx);
  const lock = await acquireLock(ctx, { release: params.runId, owner: params.owner, message: params.message || 'rollback', waitSeconds: params.lockWaitSeconds });
  try {
    const state = await onHosts(ctx, 'rollback', hosts, (h) => readHostReleases(ctx, 'rollback', h));
    const target = ctx.mode === 'plan' ? (params.to ?? null) : chooseTarget(hosts, state, params.to);
    if (!target) {
      ctx.emit({ type: 'info', message: 'offline plan: the rollback target is read from each host at run time' });
      return { stage: ctx.config.stage, hosts: [] };
    }
    const previous = new Map(hosts.map((h) => [h.name, state.get(h.name)?.current ?? null]));
    for (const [host, from] of previous) ctx.emit({ type: 'release', host, previous: from, release: target });
    const entry = state.get(hosts[0]!.name)?.log.filter((e) => e.release === target).pop();
    const release = { id: target, dir: p.release(target), ...(entry?.revision ? { revision: entry.revision } : {}) };
    await hooked(ctx, 'rollback', release, () => rollout(ctx, { release, previous, hosts, rotation: params.rotation ?? rotationFor(ctx) }));
    await onHosts(ctx, 'rollback', hosts, async (h) => {
      const left = previous.get(h.name);
      if (left && left !== target) await exec(ctx, 'rollback', h, markBad(p, left));
      await exec(
        ctx,
        'rollback',
        h,
        appendRevisionLog(p, { release: target, revision: release.revision ?? '', user: params.owner, time: new Date().toISOString(), stage: ctx.config.stage, outcome: 'rolled-back' }),
      );
    });
    return {
      stage: ctx.config.stage,
      release: target,
      revision: release.revision,
      hosts: hosts.map((h) => ({ host: h.name, previous: previous.get(h.name) ?? null, release: target, outcome: 'deployed', durationMs: 0 })),
    };
  } finally {
    await lock.release();
  }
}

/** One target for the whole fleet, present on every host; otherwise a refusal that names the hosts. */
export function chooseTarget(hosts: readonly HostDef[], state: ReadonlyMap<string, HostReleases>, to?: string): string {
  const per = hosts.map((h) => ({ host: h.name, s: state.get(h.name)! }));
  let target = to;
  if (!target) {
    const targets = new Map<string, string[]>();
    for (const { host, s } of per) {
      const t = rollbackTarget(s) ?? '(none)';
      targets.set(t, [...(targets.get(t) ?? []), host]);
    }
    if (targets.size > 1 || targets.has('(none)')) {
      const lines = [...targets].map(([t, hs]) => `${hs.join(', ')}: ${t}`);
      throw new StepFailedError(
        per.map((x) => x.host).join(','),
        'rollback',
        `no single earlier release to go back to on every host:\n  ${lines.join('\n  ')}`,
        'pick one that every host has with --to <release> (see `deploy releases <stage>`)',
      );
    }
    target = [...targets.keys()][0]!;
  }
  const missing = per.filter(({ s }) => !s.releases.includes(target!)).map((x) => x.host);
  if (missing.length > 0) {
    throw new StepFailedError(missing.join(','), 'rollback', `release ${target} is missing on ${missing.join(', ')}; nothing was changed`, 'see `deploy releases <stage>` for what each host has');
  }
  return target;
}
