import { appendRevisionLog } from '../commands/log.js';
import { paths } from '../commands/paths.js';
import { markBad, unmarkBad } from '../commands/release.js';
import type { HostDef } from '../config/types.js';
import type { Command } from '../shell/command.js';
import { DeployError, ExitCode, StepFailedError, withCleanupProblems, withLaterProblems } from '../errors.js';
import { hostReleases, type HostReleases } from '../facts/release.js';
import type { RunSummary } from '../output/events.js';
import { preflight } from './check.js';
import type { RunContext } from './context.js';
import { releaseHosts } from './deploy.js';
import { acquireLocks } from './lock.js';
import { bestEffort, onHosts, probe } from './runner.js';
import { rotationFor } from './balancer.js';
import { refuseDuringBeta } from './beta.js';
import { runPurge } from './purge.js';
import { rollout, type Rotation } from './switch.js';
import { hooked, loadTasks, outcomeOf, runOutcomeHooks, traceRun } from './tasks.js';

export type { HostReleases } from '../facts/release.js';

export interface RollbackParams {
  /** An explicit target release; default: the one before current in the revision log. */
  readonly to?: string;
  /** This run's local id (its log dir), kept in the lock. */
  readonly run: string;
  readonly owner: string;
  readonly message: string;
  readonly lockWaitSeconds: number;
  readonly rotation?: Rotation;
}

/** What a rollback target is chosen from. */
export type RollbackView = Pick<HostReleases, 'current' | 'releases' | 'bad' | 'log'>;

/**
 * The release a rollback goes to on one host: the last one that went live before the current one did, in the
 * order of the revision log (not by id or directory time: ids made on a skewed clock do not say what came
 * first), skipping releases marked bad and ones no longer there.
 */
export function rollbackTarget(h: RollbackView): string | null {
  const current = h.current;
  if (!current) return null;
  const live = h.log.filter((e) => e.outcome === 'deployed' || e.outcome === 'rolled-back').map((e) => e.release);
  const wentLive = live.lastIndexOf(current);
  for (let i = (wentLive < 0 ? live.length : wentLive) - 1; i >= 0; i--) {
    const id = live[i]!;
    if (id !== current && !h.bad.includes(id) && h.releases.includes(id)) return id;
  }
  return null;
}

export const readHostReleases = (ctx: RunContext, step: string, host: HostDef): Promise<HostReleases> =>
  probe(ctx, step, host, hostReleases(paths(ctx.config.deployTo)));

/**
 * Switches every code host to the same earlier release, then marks the release it left bad. The failure's error
 * and exit code stand whatever the unlock after it meets.
 */
export async function rollback(ctx: RunContext, params: RollbackParams): Promise<RunSummary> {
  const hosts = releaseHosts(ctx);
  if (hosts.length === 0) throw new DeployError(`no selected host of stage ${ctx.config.stage} holds releases`, ExitCode.config);
  await loadTasks(ctx);
  const trace = traceRun(ctx);
  let result: RunSummary;
  try {
    result = await lockedRollback(trace.ctx, params, hosts);
  } catch (failure) {
    const step = trace.failedStep();
    const problems = await runOutcomeHooks(ctx, 'failed', {
      verb: 'rollback',
      outcome: outcomeOf(failure),
      error: failure,
      ...(step ? { step } : {}),
    });
    throw withLaterProblems(failure, problems);
  }
  if (result.release) {
    // The rollback is done: a task after it that fails is a warning (runOutcomeHooks says it), not a failed run.
    const release = rolledBackTo(ctx, result);
    await purgeAfterRollback(ctx, 'rollback', result);
    await runOutcomeHooks(ctx, 'rolled_back', { verb: 'rollback', outcome: 'rolled-back', release });
  }
  return result;
}

/** The release a rollback left every host on, as the outcome hooks name it. */
export const rolledBackTo = (ctx: RunContext, result: RunSummary) => ({
  id: result.release!,
  dir: paths(ctx.config.deployTo).release(result.release!),
  ...(result.revision ? { revision: result.revision } : {}),
});

/**
 * The `purge` point after a rollback that is done, its lock released (`deploy rollback`, and a deploy whose watch
 * rolled the fleet back): DEPLOY_RELEASE is the release every host serves now, the manifest what each host left.
 */
export function purgeAfterRollback(ctx: RunContext, verb: 'deploy' | 'rollback', result: RunSummary): Promise<string[]> {
  const moves = new Map(result.hosts.map((h) => [h.host, { from: h.previous, to: result.release! }]));
  return runPurge(ctx, { verb, outcome: 'rolled-back', release: rolledBackTo(ctx, result), moves });
}

async function lockedRollback(ctx: RunContext, params: RollbackParams, hosts: readonly HostDef[]): Promise<RunSummary> {
  await preflight(ctx);
  const lock = await acquireLocks(ctx, {
    run: params.run,
    owner: params.owner,
    message: params.message || 'rollback',
    verb: 'rollback',
    waitSeconds: params.lockWaitSeconds,
  });
  let failure: unknown;
  let result: RunSummary | undefined;
  try {
    result = await rollbackWith(ctx, params, hosts, () => lock.check('rollback'));
  } catch (e) {
    failure = e;
  }
  const { problems } = await lock.release();
  for (const message of problems) ctx.emit({ type: 'warning', message });
  if (failure !== undefined) throw withCleanupProblems(failure, problems);
  return result!;
}

/** The rollback itself, under a lock the caller holds (`deploy rollback`, and a deploy whose watch failed). */
export async function rollbackWith(
  ctx: RunContext,
  params: Pick<RollbackParams, 'to' | 'owner' | 'message' | 'rotation'>,
  hosts: readonly HostDef[],
  check: () => void,
): Promise<RunSummary> {
  const p = paths(ctx.config.deployTo);
  await refuseDuringBeta(ctx);
  const state = await onHosts(ctx, 'rollback', hosts, (h) => readHostReleases(ctx, 'rollback', h));
  const target = chooseTarget(hosts, state, params.to);
  const previous = new Map(hosts.map((h) => [h.name, state.get(h.name)?.current ?? null]));
  for (const [host, from] of previous) ctx.emit({ type: 'release', host, previous: from, release: target });
  const entry = state
    .get(hosts[0]!.name)
    ?.log.filter((e) => e.release === target)
    .pop();
  const release = { id: target, dir: p.release(target), ...(entry?.revision ? { revision: entry.revision } : {}) };
  check();
  await hooked(ctx, 'rollback', release, () => rollout(ctx, { release, previous, hosts, rotation: params.rotation ?? rotationFor(ctx) }));
  // Each host's bookkeeping is done in full whatever another part of it did: a release not marked bad must not
  // also cost the log line, and every part that failed is said with its host and what it leaves.
  const attempt = async (h: HostDef, command: Command, failed: string): Promise<void> => {
    const { why } = await bestEffort(ctx, 'rollback', h, command, { tail: true });
    if (why !== undefined) ctx.emit({ type: 'warning', host: h.name, message: `rollback: ${failed} (${why})` });
  };
  const line = {
    release: target,
    revision: release.revision ?? '',
    user: params.owner,
    time: new Date().toISOString(),
    stage: ctx.config.stage,
    outcome: 'rolled-back' as const,
    ...(params.message ? { message: params.message } : {}),
  };
  await Promise.all(
    hosts.map(async (h) => {
      const left = previous.get(h.name);
      if (left && left !== target)
        await attempt(
          h,
          markBad(p, left),
          `release ${left} was not marked bad, so a later rollback may choose it again; every host serves ${target}`,
        );
      // A rollback --to a release marked bad makes it live again: it is no longer one to skip.
      if (state.get(h.name)?.bad.includes(target))
        await attempt(h, unmarkBad(p, target), `release ${target} still carries its bad mark while it is live`);
      await attempt(h, appendRevisionLog(p, line), `revisions.log does not record this rollback to ${target}; every host serves it`);
    }),
  );
  return {
    stage: ctx.config.stage,
    release: target,
    revision: release.revision,
    hosts: hosts.map((h) => ({
      host: h.name,
      previous: previous.get(h.name) ?? null,
      release: target,
      outcome: 'deployed',
      durationMs: 0,
    })),
  };
}

/** One target for the whole fleet, present on every host; otherwise a refusal that names the hosts. */
export function chooseTarget(hosts: readonly HostDef[], state: ReadonlyMap<string, RollbackView>, to?: string): string {
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
    throw new StepFailedError(
      missing.join(','),
      'rollback',
      `release ${target} is missing on ${missing.join(', ')}; nothing was changed`,
      'see `deploy releases <stage>` for what each host has',
    );
  }
  return target;
}
