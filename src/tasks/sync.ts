import { appendRevisionLog, type RevisionLogEntry } from '../commands/log.js';
import { extract, prepareUploads, removeUpload, uploadPath, verifyChecksum } from '../commands/artifact.js';
import { archiveRevision, assertSha, updateMirror, writeRevision } from '../commands/git.js';
import { paths } from '../commands/paths.js';
import { createRelease, removeRelease } from '../commands/release.js';
import type { HostDef } from '../config/types.js';
import { DeployError, ExitCode, StepFailedError, withCleanupProblems } from '../errors.js';
import { lines } from '../facts/fact.js';
import { hostReleases, releaseState, type ReleaseState } from '../facts/release.js';
import type { RunSummary } from '../output/events.js';
import { and } from '../shell/command.js';
import { rotationFor } from './balancer.js';
import { preflight } from './check.js';
import type { RunContext } from './context.js';
import { lateEntry } from './cleanup.js';
import { releaseHosts } from './deploy.js';
import type { ReleaseRef } from './env.js';
import { installDependencies } from './install.js';
import { acquireLocks } from './lock.js';
import { bestEffort, exec, onHosts, probe, upload } from './runner.js';
import { linkSharedInto } from './shared.js';
import { runPurge } from './purge.js';
import { rollout } from './switch.js';
import { hooked, loadTasks } from './tasks.js';
import { buildArtifact } from './transfer.js';
import { codeRolesOf, syncPlan } from './sync-plan.js';

export interface SyncParams {
  readonly run: string;
  readonly owner: string;
  readonly message: string;
  readonly lockWaitSeconds: number;
}

const STEP = 'sync';

/**
 * `deploy sync`: brings every selected code host that serves another release than its role's live one (or none)
 * to that release — same id, same revision or artifact bytes, its shared links, install (from its own current
 * release's where it can), no migration — then switches, restarts and health-checks it, and only then puts it
 * into the balancers' rotation (the rollout's way: tasks/switch.ts). A failure in the switch sends the synced
 * hosts back (a host that served nothing serves nothing again); the exit codes are a deploy's.
 */
export async function sync(ctx: RunContext, params: SyncParams): Promise<RunSummary> {
  const hosts = releaseHosts(ctx);
  if (hosts.length === 0) throw new DeployError(`no selected host of stage ${ctx.config.stage} receives code`, ExitCode.config);
  await loadTasks(ctx);
  await preflight(ctx, ctx.hosts, { deploy: true });
  const p = paths(ctx.config.deployTo);
  const code = new Set(hosts.map((h) => h.name));
  const lock = await acquireLocks<ReleaseState>(
    ctx,
    { run: params.run, owner: params.owner, message: params.message || 'sync', verb: 'sync', waitSeconds: params.lockWaitSeconds },
    {
      probe: (h) => (code.has(h.name) ? releaseState(p) : undefined),
    },
  );
  let failure: unknown;
  let result: RunSummary | undefined;
  const made = new Set<string>();
  let release: ReleaseRef | undefined;
  let live = false;
  try {
    const read = await onHosts(ctx, STEP, hosts, (h) => probe(ctx, STEP, h, hostReleases(p)));
    const views = new Map([...read].map(([h, r]) => [h, { current: r.current, releases: r.releases, log: r.log }]));
    const plan = syncPlan(hosts, views, codeRolesOf(ctx));
    for (const h of plan.conflicts)
      ctx.emit({
        type: 'warning',
        host: h,
        message: `its roles serve different releases (${plan.live.map((l) => `${l.role}: ${l.release}`).join(', ')}); not synced`,
      });
    for (const l of plan.live) ctx.emit({ type: 'info', message: `role ${l.role} serves ${l.release} (on ${l.on.join(', ')})` });
    if (plan.behind.length === 0) {
      ctx.emit({ type: 'info', message: 'every selected host serves its role’s live release: nothing to sync' });
      result = { stage: ctx.config.stage, hosts: [] };
    } else {
      const targets = new Set(plan.behind.map((b) => b.to));
      if (targets.size > 1)
        throw new DeployError(
          `roles serve different releases (${[...targets].join(', ')}); sync one role at a time with --roles`,
          ExitCode.config,
        );
      const target = plan.live.find((l) => l.release === plan.behind[0]!.to)!;
      if (!target.revision)
        throw new StepFailedError(
          target.on.join(','),
          STEP,
          `revisions.log does not say which revision release ${target.release} is`,
          'deploy a new release instead',
        );
      release = { id: target.release, dir: p.release(target.release), revision: target.revision };
      const behind = hosts.filter((h) => plan.behind.some((b) => b.host === h.name));
      const previous = new Map(behind.map((h) => [h.name, views.get(h.name)!.current]));
      for (const b of plan.behind) ctx.emit({ type: 'release', host: b.host, previous: b.from, release: b.to });
      const states = new Map(behind.map((h) => [h.name, lock.probed.get(h.name)]));
      // A dir of the release that never went live there (an interrupted sync) is made again from nothing.
      const fetch = behind.filter((h) => {
        const s = states.get(h.name);
        return !s?.releases.includes(release!.id) || s.leftovers.includes(release!.id);
      });
      const narrow: RunContext = { ...ctx, hosts: behind };
      if (fetch.length > 0) {
        const r = release;
        lock.check('transfer');
        await onHosts(narrow, 'release', fetch, async (h) => {
          made.add(h.name);
          await exec(narrow, 'release', h, createRelease(p, r.id, states.get(h.name)?.leftovers ?? []));
        });
        const only: RunContext = { ...narrow, hosts: fetch };
        await hooked(only, 'transfer', r, () => refetch(only, fetch, r));
        lock.check('shared');
        await hooked(only, 'shared', r, () => linkSharedInto(only, fetch, r));
        lock.check('install');
        await hooked(only, 'install', r, () => installDependencies(only, fetch, r, previous));
      }
      lock.check('switch');
      await rollout(narrow, { release, previous, hosts: behind, rotation: rotationFor(narrow) });
      live = true;
      await runPurge(ctx, {
        verb: 'sync',
        outcome: 'deployed',
        release,
        moves: new Map(behind.map((h) => [h.name, { from: previous.get(h.name) ?? null, to: release!.id }])),
      });
      const entry: RevisionLogEntry = {
        release: release.id,
        revision: release.revision ?? '',
        user: params.owner,
        time: new Date().toISOString(),
        stage: ctx.config.stage,
        outcome: 'deployed',
        message: params.message || 'deploy sync',
      };
      for (const h of behind) {
        const { why } = await bestEffort(ctx, 'log', h, appendRevisionLog(p, entry, lateEntry(states.get(h.name), entry)));
        if (why !== undefined)
          ctx.emit({
            type: 'warning',
            host: h.name,
            message: `revisions.log could not be written (${why}): it does not record that the host serves ${release.id}`,
          });
      }
      result = {
        stage: ctx.config.stage,
        release: release.id,
        revision: release.revision,
        hosts: behind.map((h) => ({
          host: h.name,
          previous: previous.get(h.name) ?? null,
          release: release!.id,
          outcome: 'deployed',
          durationMs: 0,
        })),
      };
    }
  } catch (e) {
    failure = e;
  }
  const problems: string[] = [];
  if (failure !== undefined && !live && release && ctx.mode === 'real') {
    for (const name of made) {
      const h = hosts.find((x) => x.name === name)!;
      const { result: r, why } = await bestEffort(ctx, 'discard', h, removeRelease(p, release.id));
      if (r && lines(r.stdout).some((l) => l.startsWith('kept '))) continue;
      if (why !== undefined)
        problems.push(`release ${release.id} could not be removed from ${h.name} (${why}): the next deploy removes it`);
    }
  }
  const released = await lock.release();
  problems.push(...released.problems);
  for (const message of problems) ctx.emit({ type: 'warning', message });
  if (failure !== undefined) throw withCleanupProblems(failure, problems);
  return result!;
}

/**
 * The release's code again, exactly: git archives the recorded commit from each host's mirror; an artifact is
 * uploaded only when the local one has the recorded sha256 (it is never rebuilt into something else).
 */
async function refetch(ctx: RunContext, hosts: readonly HostDef[], release: ReleaseRef): Promise<void> {
  const p = paths(ctx.config.deployTo);
  const source = ctx.config.source;
  const revision = release.revision!;
  if (source.kind === 'git') {
    const sha = assertSha(revision);
    await onHosts(ctx, 'transfer', hosts, async (h) => {
      await exec(ctx, 'transfer', h, updateMirror(p, source.repository));
      await exec(
        ctx,
        'transfer',
        h,
        and([archiveRevision(p, sha, release.dir), writeRevision(release.dir, sha)], {
          description: `unpack ${sha.slice(0, 12)} into the release, record REVISION`,
        }),
      );
    });
    return;
  }
  if (ctx.mode === 'plan') return;
  const artifact = await buildArtifact(ctx, source);
  try {
    if (artifact.sha256 !== revision) {
      throw new StepFailedError(
        hosts.map((h) => h.name).join(','),
        'transfer',
        `the artifact here has sha256 ${artifact.sha256}, release ${release.id} was ${revision}: sync brings the same bytes or nothing`,
        'deploy a new release to the whole stage instead (`deploy <stage>`)',
      );
    }
    const remote = uploadPath(p, release.id);
    await onHosts(ctx, 'transfer', hosts, async (h) => {
      await exec(ctx, 'transfer', h, prepareUploads(p));
      await upload(ctx, 'transfer', h, artifact.file, remote);
      await exec(
        ctx,
        'transfer',
        h,
        and([
          verifyChecksum(remote, revision),
          extract(remote, release.dir),
          removeUpload(p, release.id),
          writeRevision(release.dir, revision),
        ]),
      );
    });
  } finally {
    await artifact.cleanup();
  }
}
