// Whole on purpose: every kind of deploy (plain, beta, beta promote, promote, watch) shares one Progress record that
// its failure path reads — what was made, switched and rolled back — to clean up and run the outcome hooks.
import { appendRevisionLog, type PromotedFrom, type RevisionLogEntry, type RevisionOutcome } from '../commands/log.js';
import { paths } from '../commands/paths.js';
import { createRelease, nextReleaseId, releaseAfter, removeEmptyRelease, removeRelease } from '../commands/release.js';
import type { HostDef } from '../config/types.js';
import { DeployError, ExitCode, StepFailedError, withCleanupProblems, withLaterProblems } from '../errors.js';
import { lines } from '../facts/fact.js';
import { parseReleaseState, releaseState, type ReleaseState } from '../facts/release.js';
import { codeHosts } from '../hosts/roles.js';
import type { Command } from '../shell/command.js';
import type { HostSummary, RunSummary } from '../output/events.js';
import { keepArtifact } from './artifact-cache.js';
import { rotationFor } from './balancer.js';
import type { CanaryGate } from './canary.js';
import { preflight } from './check.js';
import { CLEANUP_STEP, cleanupCommands, cleanupReleases, lateEntry, reportCleanup, type AfterLive } from './cleanup.js';
import type { RunContext } from './context.js';
import type { ReleaseRef } from './env.js';
import { installDependencies } from './install.js';
import { beginLocks, type LockSet } from './lock.js';
import { runMigrations } from './migrate.js';
import { bestEffort, exec, onHosts } from './runner.js';
import { sharedPlan } from './shared.js';
import { runSteps } from './chain.js';
import { refuseDuringBeta } from './beta.js';
import { runPurge } from './purge.js';
import { purgeAfterRollback, rollbackWith, rolledBackTo } from './rollback.js';
import { rollout, type RolloutParams, type Rotation } from './switch.js';
import { hooked, hookPlans, loadTasks, outcomeOf, runHooks, runOutcomeHooks, traceRun } from './tasks.js';
import { startArtifact, transferPlan, type Artifact } from './transfer.js';
import { watchFailure, watchFleet, watchSpec } from './watch.js';

export interface DeployParams {
  /** This run's local id (its log dir), kept in the lock. Not the release id: that is chosen once the lock is held. */
  readonly run: string;
  readonly owner: string;
  readonly message: string;
  readonly lockWaitSeconds: number;
  readonly rotation?: Rotation;
  readonly pauseBetweenBatches?: (role: string, nextBatch: number) => Promise<void>;
  readonly canary?: CanaryGate;
  /** The clock a release id starts from. */
  readonly now?: () => Date;
  /** An artifact already built (`deploy promote`): uploaded as it is; the build command does not run. */
  readonly artifact?: Artifact;
  /** Where the release comes from (`deploy promote`): kept in revisions.log and the summary. */
  readonly promotedFrom?: PromotedFrom;
  /**
   * `deploy beta`: the release goes to these hosts only, without migrations, and `switchTo` switches it in instead
   * of the rollout; `verb` takes the lock.
   */
  readonly only?: {
    readonly hosts: readonly HostDef[];
    readonly verb: string;
    readonly switchTo: (ctx: RunContext, params: RolloutParams) => Promise<void>;
  };
  /**
   * `deploy beta … promote`: the beta's release under its own id on `only.hosts`, with migrations. `verify` re-reads
   * the beta under the lock (instead of refusing to run while a beta runs); `moves` are the beta hosts' for `purge`.
   */
  readonly beta?: {
    readonly release: string;
    readonly verify: (ctx: RunContext) => Promise<void>;
    readonly moves: ReadonlyMap<string, { readonly from: string | null; readonly to: string }>;
  };
}

/** The hosts of the selection that receive code. */
export const releaseHosts = (ctx: RunContext): HostDef[] => {
  const code = new Set(codeHosts(ctx.config).map((h) => h.name));
  return ctx.hosts.filter((h) => code.has(h.name));
};

/** What a run has done so far, for the clean-up after a failure. */
interface Progress {
  release?: ReleaseRef;
  /** Hosts where this run made (or may have made) the release dir: only there is it discarded. */
  readonly made: Set<string>;
  built: boolean;
  live: boolean;
  /** The watch after the switch began to roll the fleet back. */
  rolledBack?: boolean;
  /** …and this is what its rollback did, once done. */
  rollback?: RunSummary;
  /** Per host, the release it served before (known once the lock is held). */
  previous?: ReadonlyMap<string, string | null>;
}

/**
 * The whole deploy: preflight, lock (every host), release id and dir, transfer, shared, install, migrate (once),
 * rollout, revision log, cleanup, unlock. Before the rollout a failure removes the release this run made and leaves
 * `current` alone everywhere; during it, switched hosts go back (see rollout). The failure's error and exit code
 * stand whatever the clean-up after it meets; clean-up problems are told after it.
 */
export async function deploy(ctx: RunContext, params: DeployParams): Promise<RunSummary> {
  const started = Date.now();
  const hosts = params.only ? [...params.only.hosts] : releaseHosts(ctx);
  if (hosts.length === 0) throw new DeployError(`no selected host of stage ${ctx.config.stage} receives code`, ExitCode.config);

  await loadTasks(ctx);
  const trace = traceRun(ctx);
  const progress: Progress = { made: new Set(), built: false, live: false };
  const artifact = params.artifact && ctx.config.source.kind === 'artifact' ? Promise.resolve(params.artifact) : startArtifact(ctx);
  try {
    const done = await deployWith(trace.ctx, params, hosts, started, artifact, progress);
    if (artifact && ctx.mode === 'real') await keepForPromote(ctx, await artifact);
    return done;
  } catch (failure) {
    throw await afterFailure(ctx, failure, progress.release, {
      step: trace.failedStep(),
      switchedBack: trace.switchedBack() || progress.rolledBack === true,
      previous: progress.previous,
      rollback: progress.rollback,
      purge: purges(params),
    });
  } finally {
    await artifact?.then(
      (a) => a.cleanup(),
      () => undefined,
    );
  }
}

/** A beta alone changes nothing the public is served: only its promotion runs the `purge` point. */
const purges = (params: DeployParams): boolean => !params.only || params.beta !== undefined;

/** A copy of what went live, for `deploy promote`; a copy that cannot be kept is said, not fatal. */
async function keepForPromote(ctx: RunContext, artifact: Artifact): Promise<void> {
  try {
    await keepArtifact(ctx.projectDir, artifact);
  } catch (e) {
    ctx.emit({
      type: 'warning',
      message: `the artifact ${artifact.sha256} was not kept for \`deploy promote\`: ${e instanceof Error ? e.message : String(e)}`,
    });
  }
}

/**
 * The outcome hooks of a failed deploy, once its lock is released: `rolled_back` when hosts were switched back,
 * then `failed`. Their own failures are told after the deploy's; its exit code stands.
 */
async function afterFailure(
  ctx: RunContext,
  failure: unknown,
  release: ReleaseRef | undefined,
  seen: {
    step?: string;
    switchedBack: boolean;
    previous?: ReadonlyMap<string, string | null>;
    rollback?: RunSummary;
    purge: boolean;
  },
): Promise<unknown> {
  const outcome = { verb: 'deploy', error: failure, ...(seen.step ? { step: seen.step } : {}), ...(release ? { release } : {}) } as const;
  const problems: string[] = [];
  // The watch rolled every host back, as `deploy rollback` does: its purge is the rollback's.
  if (seen.purge && seen.rollback) problems.push(...(await purgeAfterRollback(ctx, 'deploy', seen.rollback)));
  else if (seen.purge && seen.switchedBack && release && seen.previous) {
    const moves = new Map([...seen.previous].map(([h, was]) => [h, { from: release.id, to: was }]));
    problems.push(...(await runPurge(ctx, { verb: 'deploy', outcome: 'switched-back', release, moves, outcomePoint: true })));
  }
  // After the watch's rollback, `rolled_back` runs as after `deploy rollback`: the release every host serves again.
  if (seen.rollback)
    problems.push(
      ...(await runOutcomeHooks(ctx, 'rolled_back', { ...outcome, outcome: 'rolled-back', release: rolledBackTo(ctx, seen.rollback) })),
    );
  else if (seen.switchedBack) problems.push(...(await runOutcomeHooks(ctx, 'rolled_back', { ...outcome, outcome: 'switched-back' })));
  problems.push(...(await runOutcomeHooks(ctx, 'failed', { ...outcome, outcome: outcomeOf(failure) })));
  return withLaterProblems(failure, problems);
}

async function deployWith(
  ctx: RunContext,
  params: DeployParams,
  hosts: HostDef[],
  started: number,
  artifact: Promise<Artifact> | undefined,
  progress: Progress,
): Promise<RunSummary> {
  // A beta (params.only) serves marked requests only: the fleet's numbers say nothing about it.
  const watch = ctx.mode === 'real' && !params.only ? watchSpec(ctx.config) : undefined;
  const p = paths(ctx.config.deployTo);
  const code = new Set(hosts.map((h) => h.name));
  const locking = beginLocks(
    ctx,
    {
      run: params.run,
      owner: params.owner,
      message: params.message,
      verb: params.only?.verb ?? 'deploy',
      waitSeconds: params.lockWaitSeconds,
    },
    {
      probe: (h) => (code.has(h.name) ? releaseState(p) : undefined),
    },
  );
  let lock: LockSet<ReleaseState>;
  try {
    // The lock's first try on a host shares its check's round trip; a failed check gives back what it took.
    await preflight(ctx, ctx.hosts, { deploy: true, lock: locking });
    // An artifact that cannot be built or found fails the run here, before a release dir is written.
    await artifact;
    lock = await locking.finish();
  } catch (e) {
    throw withCleanupProblems(e, await locking.abandon());
  }
  const states = new Map(hosts.map((h) => [h.name, lock.probed.get(h.name) ?? parseReleaseState('')]));
  const previous = new Map<string, string | null>();
  progress.previous = previous;
  let revision: string | undefined;
  let failure: unknown;
  let final: Map<string, { command: Command; remove: string[] }> | undefined;
  try {
    if (params.beta) await params.beta.verify(ctx);
    else await refuseDuringBeta(ctx);
    const release = await makeRelease(ctx, hosts, states, progress, previous, params.now ?? (() => new Date()), params.beta?.release);
    await runHooks(ctx, 'before', 'deploy', release);
    const step = async <T>(name: string, fn: () => Promise<T>): Promise<T> => {
      lock.check(name);
      return fn();
    };
    revision = await step('transfer', () => prepare(ctx, hosts, release, artifact));
    const withRevision = { ...release, revision };
    await step('install', () => hooked(ctx, 'install', withRevision, () => installDependencies(ctx, hosts, withRevision, previous)));
    if (params.only && !params.beta)
      ctx.emit({ type: 'info', message: 'no migrations: the live release shares the database with this one (docs/traffic.md)' });
    else await step('migrate', () => hooked(ctx, 'migrate', withRevision, () => runMigrations(ctx, withRevision)));
    progress.built = true;
    progress.release = withRevision;
    lock.check('switch');
    const rotation = params.rotation ?? rotationFor(ctx);
    await (params.only?.switchTo ?? rollout)(ctx, {
      release: withRevision,
      previous,
      hosts,
      rotation,
      pauseBetweenBatches: async (role, next) => {
        lock.check(`batch ${next} of ${role}`);
        await params.pauseBetweenBatches?.(role, next);
      },
      canary: params.canary,
    });
    progress.live = true;
    if (purges(params))
      await runPurge(ctx, {
        verb: 'deploy',
        outcome: 'deployed',
        release: withRevision,
        moves: new Map([
          ...(params.beta?.moves ?? []),
          ...hosts.map((h) => [h.name, { from: previous.get(h.name) ?? null, to: release.id }] as const),
        ]),
      });
    if (watch) {
      lock.check('watch');
      const seen = await watchFleet(ctx, watch, hosts, rotation);
      if (!seen.ok) {
        lock.check('rollback');
        ctx.emit({ type: 'warning', message: `watch: ${seen.reason}: rolling every host back` });
        const why = `watch after the switch: ${seen.reason}`;
        for (const m of await logFailure(
          ctx,
          hosts,
          {
            release: release.id,
            revision: revision ?? '',
            owner: params.owner,
            outcome: 'failed',
            message: why,
            from: params.promotedFrom,
          },
          states,
        ))
          ctx.emit({ type: 'warning', message: m });
        progress.rolledBack = true;
        const back = await rollbackWith(ctx, { owner: params.owner, message: why, rotation }, hosts, () => lock.check('rollback'));
        progress.rollback = back;
        throw watchFailure(seen.reason, seen.event, release.id, back.release!);
      }
      if (seen.interrupted) {
        // The deploy is live and done: what is left (clean-up, revision log, unlock) runs whatever the interrupt.
        ctx = { ...ctx, signal: undefined };
        ctx.emit({ type: 'warning', message: seen.interrupted });
      }
    }
    let clean = true;
    try {
      lock.check('cleanup');
    } catch (e) {
      clean = false;
      ctx.emit({ type: 'warning', message: `old releases are left for the next deploy: ${e instanceof Error ? e.message : String(e)}` });
    }
    const afterLive: AfterLive = {
      states,
      previous,
      entry: entryOf(ctx, {
        release: release.id,
        revision: revision ?? '',
        owner: params.owner,
        outcome: 'deployed',
        message: params.message,
        from: params.promotedFrom,
      }),
      clean,
    };
    await runHooks(ctx, 'before', 'cleanup', withRevision);
    if (hooksAfterCleanup(ctx)) {
      await cleanupReleases(ctx, hosts, afterLive);
      await runHooks(ctx, 'after', 'cleanup', withRevision);
      await runHooks(ctx, 'after', 'deploy', withRevision);
    } else {
      // Nothing runs after the clean-up: it goes in the same round trip as the unlock.
      final = cleanupCommands(ctx, hosts, afterLive);
    }
  } catch (e) {
    failure = e;
  }
  const problems: string[] = [];
  if (failure !== undefined && !progress.live && ctx.mode === 'real' && progress.release) {
    const made = hosts.filter((h) => progress.made.has(h.name));
    if (!progress.built) problems.push(...(await discard(ctx, made, progress.release.id)));
    problems.push(
      ...(await logFailure(
        ctx,
        made,
        {
          release: progress.release.id,
          revision: revision ?? '',
          owner: params.owner,
          outcome: 'failed',
          message: params.message,
          from: params.promotedFrom,
        },
        states,
      )),
    );
  }
  const released = await lock.release(final ? { before: new Map([...final].map(([h, c]) => [h, c.command])), step: CLEANUP_STEP } : {});
  for (const [host, { remove }] of final ?? []) {
    const result = released.before.get(host);
    if (result) reportCleanup(ctx, host, remove, progress.release!.id, result);
  }
  problems.push(...released.problems);
  for (const message of problems) ctx.emit({ type: 'warning', message });
  if (failure !== undefined) throw withCleanupProblems(failure, problems);
  const done = summary(ctx, hosts, progress.release!.id, revision, previous, Date.now() - started);
  return params.promotedFrom ? { ...done, promotedFrom: params.promotedFrom } : done;
}

/**
 * Transfer and shared, with their hooks, on every host: what comes after the upload (or the git mirror's update)
 * goes to each host in one round trip (tasks/chain.ts), each step still reported as itself. Returns the revision.
 */
async function prepare(ctx: RunContext, hosts: readonly HostDef[], release: ReleaseRef, artifact?: Promise<Artifact>): Promise<string> {
  await runHooks(ctx, 'before', 'transfer', release);
  const t = await transferPlan(ctx, hosts, release, artifact);
  try {
    const withRevision = { ...release, revision: t.revision };
    await runSteps(ctx, [
      t.plan,
      ...(await hookPlans(ctx, 'after', 'transfer', release)),
      ...(await hookPlans(ctx, 'before', 'shared', withRevision)),
      sharedPlan(ctx, hosts, withRevision),
      ...(await hookPlans(ctx, 'after', 'shared', withRevision)),
    ]);
  } finally {
    await t.finish();
  }
  return t.revision;
}

/**
 * Chooses the release id (greater than every release on the hosts, read under the lock) and makes its dir on
 * every host with `mkdir` (never `-p`), after removing what earlier runs left behind (releases that never went live,
 * uploads). An id that exists anyway moves on to the next one; a `fixed` id (a beta's) fails instead.
 */
async function makeRelease(
  ctx: RunContext,
  hosts: readonly HostDef[],
  states: ReadonlyMap<string, ReleaseState>,
  progress: Progress,
  previous: Map<string, string | null>,
  now: () => Date,
  fixed?: string,
): Promise<ReleaseRef> {
  const p = paths(ctx.config.deployTo);
  for (const h of hosts) {
    const s = states.get(h.name)!;
    if (s.currentTarget !== null && s.current === null)
      throw new StepFailedError(
        h.name,
        'release',
        `current points to ${s.currentTarget}, which is not a release`,
        'point it at a release (see `deploy releases`) or remove it',
      );
    if (s.dangling) ctx.emit({ type: 'warning', host: h.name, message: `current points to release ${s.current}, which does not exist` });
    previous.set(h.name, s.current);
  }
  let id =
    fixed ??
    nextReleaseId(
      now(),
      [...states.values()].flatMap((s) => s.releases),
    );
  for (let attempt = 1; ; attempt++) {
    const release: ReleaseRef = { id, dir: p.release(id) };
    progress.release = release;
    progress.made.clear();
    ctx.emit({ type: 'release:chosen', release: id });
    for (const h of hosts) ctx.emit({ type: 'release', host: h.name, previous: previous.get(h.name) ?? null, release: id });
    const taken: string[] = [];
    await onHosts(ctx, 'release', hosts, async (h) => {
      progress.made.add(h.name);
      const make = createRelease(p, id, states.get(h.name)!.leftovers, { uploads: ctx.config.source.kind === 'artifact' });
      const r = await exec(ctx, 'release', h, make, { allowFail: true });
      if (lines(r.stdout).includes('exists')) {
        progress.made.delete(h.name);
        taken.push(h.name);
      } else if (r.code !== 0) {
        throw new StepFailedError(h.name, 'release', `could not create ${release.dir} (exit ${r.code})`, r.stderr.trim() || undefined);
      }
    });
    if (taken.length === 0) return release;
    const made = hosts.filter((h) => progress.made.has(h.name));
    await onHosts(ctx, 'release', made, (h) => exec(ctx, 'release', h, removeEmptyRelease(p, id)));
    progress.made.clear();
    if (attempt >= 3 || fixed)
      throw new StepFailedError(taken.join(','), 'release', `release ${id} already exists on ${taken.join(', ')}; it was not touched`);
    ctx.emit({ type: 'warning', message: `release ${id} already exists on ${taken.join(', ')}: taking the next id` });
    id = releaseAfter(id);
  }
}

/** Whether tasks run after the clean-up (after:cleanup or after:deploy hooks): then the lock is released after them. */
const hooksAfterCleanup = (ctx: RunContext): boolean =>
  (ctx.config.hooks.after.cleanup?.length ?? 0) + (ctx.config.hooks.after.deploy?.length ?? 0) > 0;

/** Removes the release this run made (and uploads), where it made it; returns what it could not remove. */
async function discard(ctx: RunContext, hosts: readonly HostDef[], id: string): Promise<string[]> {
  const p = paths(ctx.config.deployTo);
  const problems = await Promise.all(
    hosts.map(async (h) => {
      const { result, why } = await bestEffort(ctx, 'discard', h, removeRelease(p, id));
      if (result && lines(result.stdout).some((l) => l.startsWith('kept ')))
        return `release ${id} was not removed from ${h.name}: current points to it`;
      return why === undefined ? undefined : `release ${id} could not be removed from ${h.name} (${why}): the next deploy removes it`;
    }),
  );
  return problems.filter((m) => m !== undefined);
}

interface LogLine {
  readonly release: string;
  readonly revision: string;
  readonly owner: string;
  readonly outcome: RevisionOutcome;
  readonly message: string;
  readonly from?: PromotedFrom;
}

const entryOf = (ctx: RunContext, l: LogLine): RevisionLogEntry => ({
  release: l.release,
  revision: l.revision,
  user: l.owner,
  time: new Date().toISOString(),
  stage: ctx.config.stage,
  outcome: l.outcome,
  ...(l.message ? { message: l.message } : {}),
  ...(l.from ? { from: l.from } : {}),
});

/**
 * Logs a failed release on the hosts that had its dir, after the live release a host's log lacks (`states`);
 * returns what could not be logged.
 */
async function logFailure(
  ctx: RunContext,
  hosts: readonly HostDef[],
  line: LogLine,
  states: ReadonlyMap<string, ReleaseState>,
): Promise<string[]> {
  const p = paths(ctx.config.deployTo);
  const entry = entryOf(ctx, line);
  const problems = await Promise.all(
    hosts.map(async (h) => {
      const { why } = await bestEffort(ctx, 'log', h, appendRevisionLog(p, entry, lateEntry(states.get(h.name), entry)));
      return why === undefined
        ? undefined
        : `revisions.log on ${h.name} could not be written (${why}): it does not record that release ${line.release} failed`;
    }),
  );
  return problems.filter((m) => m !== undefined);
}

function summary(
  ctx: RunContext,
  hosts: readonly HostDef[],
  release: string,
  revision: string | undefined,
  previous: ReadonlyMap<string, string | null>,
  durationMs: number,
): RunSummary {
  const perHost: HostSummary[] = hosts.map((h) => ({
    host: h.name,
    previous: previous.get(h.name) ?? null,
    release,
    outcome: 'deployed',
    durationMs,
  }));
  return { stage: ctx.config.stage, release, revision, hosts: perHost };
}
