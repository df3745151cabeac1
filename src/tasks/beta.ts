// Whole on purpose: starting and ending a beta share its marker on the hosts and its routing on the balancers.
import { readUpstream, reloadNginx, removeUpstream, setServerState, setServerWeight, writeUpstream } from '../commands/balancer.js';
import { removeBetaMarker, renderBetaRoute, writeBetaMarker, type BetaMarker } from '../commands/beta.js';
import { appendRevisionLog } from '../commands/log.js';
import { paths } from '../commands/paths.js';
import type { BetaConfig, Config, HaproxyBalancer, HostDef, NginxBalancer } from '../config/types.js';
import { DeployError, ExitCode, InterruptedError, StepFailedError, SwitchedBackError, withCleanupProblems } from '../errors.js';
import { parseUpstream, runtimeError, serversState, serverStats } from '../facts/balancer.js';
import { betaMarker } from '../facts/beta.js';
import { codeHosts } from '../hosts/roles.js';
import type { RunSummary } from '../output/events.js';
import type { Command } from '../shell/command.js';
import { balancerPools, nginxComplaint, rotationFor, warnIfReloadPending, type BalancerPool } from './balancer.js';
import type { RunContext } from './context.js';
import { deploy } from './deploy.js';
import { healthRoles } from './env.js';
import { acquireLocks } from './lock.js';
import { readHostReleases } from './rollback.js';
import { bestEffort, exec, onHosts, probe } from './runner.js';
import { moveTo, rollout, switchBackAll, type RolloutParams, type Rotation } from './switch.js';
import { sleep } from './wait.js';

const STEP = 'beta';
const POLL_MS = 250;
/** How long a beta server readied in haproxy may take to pass its health check. */
const READY_TIMEOUT_MS = 30_000;
/** nginx keeps no count of in-flight requests: after a reload, old workers finish theirs within this (see balancer.ts). */
const NGINX_GRACE_MS = 2000;

export interface BetaParams {
  readonly run: string;
  readonly owner: string;
  readonly message: string;
  readonly lockWaitSeconds: number;
  /** `--hosts`: the beta hosts instead of deploy.yml's. */
  readonly hosts?: readonly string[];
}

const messageOf = (e: unknown) => (e instanceof Error ? e.message : String(e));
const interrupted = (e: unknown) => e instanceof DeployError && e.exitCode === ExitCode.interrupted;

/** `cookie beta`, `header X-Beta`: the mark as the output says it. */
export const describeMark = (beta: BetaConfig): string => `${beta.mark.kind} ${beta.mark.name}`;

/** The stage's beta settings and the balancers that route it; a stage without them cannot have a beta. */
export function betaSetup(config: Config): { beta: BetaConfig; pools: BalancerPool[] } {
  const beta = config.beta;
  const hint = 'see "Selective beta" in docs/traffic.md and the `beta` section of deploy.example.yml';
  if (!beta) throw new DeployError(`stage ${config.stage} has no \`beta\` section in deploy.yml`, ExitCode.config, hint);
  const pools = balancerPools(config);
  if (pools.length === 0)
    throw new DeployError(
      `stage ${config.stage} has no balancer: a beta needs one to send the marked requests to the beta hosts`,
      ExitCode.config,
      hint,
    );
  if (pools.some((p) => p.def.kind === 'nginx') && !beta.upstreamFile) {
    throw new DeployError(
      '`beta.upstream_file` is required behind nginx: the include file that holds the beta `map` and upstream',
      ExitCode.config,
      hint,
    );
  }
  return { beta, pools };
}

/**
 * The beta hosts: `--hosts` or deploy.yml's (`beta.hosts`, `beta: true`). Each must get code and be in a balancer's
 * pool, and every pool must keep a host for everyone else.
 */
export function betaHosts(config: Config, names: readonly string[] = config.beta?.hosts ?? []): HostDef[] {
  if (names.length === 0)
    throw new DeployError('no beta hosts: list them in `beta.hosts`, mark them `beta: true`, or name them with --hosts', ExitCode.config);
  const code = new Set(codeHosts(config).map((h) => h.name));
  const pools = balancerPools(config);
  const hosts = names.map((n) => {
    const h = config.hosts.find((x) => x.name === n);
    if (!h) throw new DeployError(`no host ${n} in stage ${config.stage}`, ExitCode.config);
    if (!code.has(n)) throw new DeployError(`${n} gets no code, so it cannot serve a beta`, ExitCode.config);
    if (!pools.some((p) => p.pool.some((x) => x.name === n)))
      throw new DeployError(`${n} is in no balancer's pool, so no request could reach its beta`, ExitCode.config);
    return h;
  });
  for (const p of pools) {
    if (p.pool.length > 0 && p.pool.every((h) => names.includes(h.name))) {
      throw new DeployError(
        `every host of pool ${p.def.pool} would serve the beta: none would be left for everyone else`,
        ExitCode.config,
        'leave at least one host of the pool out of the beta',
      );
    }
  }
  return hosts;
}

// ── routing marked requests ───────────────────────────────────────────────────────────────────────────────────

/**
 * Sends the requests that carry the mark to `hosts` on every balancer, or, with no hosts, to the live pool like
 * every other request; resolves once each balancer confirmed it.
 */
export async function routeBeta(
  ctx: RunContext,
  beta: BetaConfig,
  pools: readonly BalancerPool[],
  hosts: readonly HostDef[],
): Promise<void> {
  const work = pools.flatMap((pool) => {
    const mine = hosts.filter((h) => pool.pool.some((x) => x.name === h.name));
    return pool.balancers.map((lb) =>
      pool.def.kind === 'nginx' ? routeNginx(ctx, beta, pool.def, lb, mine) : routeHaproxy(ctx, beta, pool.def, lb, mine),
    );
  });
  const results = await Promise.allSettled(work);
  const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) throw failed.reason;
}

async function routeNginx(ctx: RunContext, beta: BetaConfig, def: NginxBalancer, lb: HostDef, hosts: readonly HostDef[]): Promise<void> {
  const file = beta.upstreamFile!;
  const before = (await exec(ctx, STEP, lb, readUpstream(file))).stdout;
  const servers = hosts.map((h) => ({ address: h.address, port: def.port, down: false, name: h.name }));
  const text = renderBetaRoute(beta.mark, def.upstreamName, beta.upstreamName ?? `${def.upstreamName}_beta`, servers);
  if (ctx.mode === 'real' && text === before) return;
  const written = await exec(ctx, STEP, lb, writeUpstream(file, text));
  if (ctx.mode === 'real' && written.stdout.trim() !== 'changed') return;
  const reload = await exec(ctx, STEP, lb, reloadNginx(def.reload), { allowFail: true });
  if (reload.code !== 0) {
    // nginx runs its previous configuration; the file says so again.
    await bestEffort(ctx, STEP, lb, before ? writeUpstream(file, before) : removeUpstream(file));
    throw new StepFailedError(
      lb.name,
      STEP,
      `nginx did not reload: ${nginxComplaint(`${reload.stderr}\n${reload.stdout}`) || `exit code ${reload.code}`}`,
      `nginx keeps routing as before; fix what it complains about, then run the same command again`,
    );
  }
  warnIfReloadPending(ctx, lb, reload.stdout);
  const leaving = parseUpstream(before).servers.filter((s) => !hosts.some((h) => h.name === s.name));
  if (leaving.length > 0 && ctx.mode === 'real') await sleep(Math.min(def.drainTimeout * 1000, NGINX_GRACE_MS), ctx.signal);
}

async function routeHaproxy(
  ctx: RunContext,
  beta: BetaConfig,
  def: HaproxyBalancer,
  lb: HostDef,
  hosts: readonly HostDef[],
): Promise<void> {
  const backend = beta.backend ?? `${def.backend}_beta`;
  const missing = `the servers of haproxy backend ${backend} must be named like the hosts, and start \`disabled\` (see "Selective beta" in docs/traffic.md)`;
  const run = async (command: Command) => {
    const error = runtimeError((await exec(ctx, STEP, lb, command)).stdout);
    if (error !== undefined)
      throw new StepFailedError(lb.name, STEP, `haproxy refused to ${command.description ?? 'change a server'}: ${error}`, missing);
  };
  const read = () =>
    probe(ctx, STEP, lb, serversState(def.adminSocket, backend)).catch((e: unknown) => {
      if (interrupted(e)) throw e;
      throw new StepFailedError(lb.name, STEP, `cannot read haproxy backend ${backend}: ${messageOf(e)}`, missing);
    });
  const wanted = new Set(hosts.map((h) => h.name));
  const states = await read();
  for (const h of hosts) {
    await run(setServerWeight(def.adminSocket, backend, h.name, '100%'));
    await run(setServerState(def.adminSocket, backend, h.name, 'ready'));
  }
  if (ctx.mode !== 'real') return;
  for (const deadline = Date.now() + READY_TIMEOUT_MS; hosts.length > 0; ) {
    const now = await read();
    const behind = hosts.filter((h) => !now.some((s) => s.server === h.name && s.admin === 'ready' && s.operational === 'running'));
    if (behind.length === 0) break;
    if (Date.now() >= deadline) {
      throw new StepFailedError(
        lb.name,
        STEP,
        `${behind.map((h) => h.name).join(', ')} not running in haproxy backend ${backend} ${READY_TIMEOUT_MS / 1000} s after being set ready`,
        `haproxy's health check keeps failing: see \`show servers state ${backend}\` on ${lb.name}`,
      );
    }
    await sleep(POLL_MS, ctx.signal);
  }
  // `maint` takes no new request; the ones in flight finish (haproxy does not cut them).
  const leaving = states.filter((s) => !wanted.has(s.server) && s.admin !== 'maint').map((s) => s.server);
  for (const server of leaving) await run(setServerState(def.adminSocket, backend, server, 'maint'));
  for (const deadline = Date.now() + def.drainTimeout * 1000; leaving.length > 0; ) {
    const busy = (await probe(ctx, STEP, lb, serverStats(def.adminSocket))).filter(
      (s) => s.backend === backend && leaving.includes(s.server) && s.sessions > 0,
    );
    if (busy.length === 0 || Date.now() >= deadline) break;
    await sleep(POLL_MS, ctx.signal);
  }
}

// ── markers ───────────────────────────────────────────────────────────────────────────────────────────────────

/** Per code host of the stage, the beta it serves (null: none). */
export async function readBetas(
  ctx: RunContext,
  hosts: readonly HostDef[] = codeHosts(ctx.config),
): Promise<Map<string, BetaMarker | null>> {
  const p = paths(ctx.config.deployTo);
  return onHosts(ctx, STEP, hosts, (h) => probe(ctx, STEP, h, betaMarker(p)));
}

/** A deploy or rollback while a beta runs would leave its hosts and the balancer's routing in a mixed state. */
export async function refuseDuringBeta(ctx: RunContext): Promise<void> {
  if (!ctx.config.beta || ctx.mode === 'plan') return;
  const running = [...(await readBetas(ctx))].filter((e): e is [string, BetaMarker] => e[1] !== null);
  if (running.length === 0) return;
  const what = [...new Set(running.map(([, m]) => m.release))].join(', ');
  throw new DeployError(
    `a beta of release ${what} runs on ${running.map(([h]) => h).join(', ')}`,
    ExitCode.stepFailed,
    `end it first (\`deploy beta ${ctx.config.stage} end\`: the beta hosts go back to the live release), or promote it (\`deploy beta ${ctx.config.stage} promote\`)`,
  );
}

// ── deploy beta <stage> ───────────────────────────────────────────────────────────────────────────────────────

/**
 * A new release on the beta hosts only, built as a deploy builds it (lock on every host, release dir, transfer,
 * shared, install; no migration), switched in while the beta hosts are out of the live pool; then the balancers
 * send them the requests that carry the mark, and only those.
 */
export async function betaStart(ctx: RunContext, params: BetaParams): Promise<RunSummary> {
  const { beta, pools } = betaSetup(ctx.config);
  const hosts = betaHosts(ctx.config, params.hosts);
  const rotation = rotationFor(ctx)!;
  return deploy(ctx, {
    run: params.run,
    owner: params.owner,
    message: params.message,
    lockWaitSeconds: params.lockWaitSeconds,
    only: { hosts, verb: 'beta', switchTo: (run, rp) => switchBeta(run, rp, { beta, pools, rotation }) },
  });
}

async function switchBeta(
  ctx: RunContext,
  rp: RolloutParams,
  s: { beta: BetaConfig; pools: BalancerPool[]; rotation: Rotation },
): Promise<void> {
  const hosts = rp.hosts;
  const calm: RunContext = { ...ctx, signal: undefined };
  const warn = (what: string) => (e: unknown) => ctx.emit({ type: 'warning', message: `${what}: ${messageOf(e)}` });
  const served = hosts.filter((h) => h.roles.some((r) => healthRoles(ctx.config).includes(r)));
  await s.rotation.set({ drain: served });
  try {
    await rollout(ctx, { ...rp, rotation: undefined });
  } catch (e) {
    // The rollout switched them back: they serve the live release again, for everyone.
    await s.rotation.set({ ready: served }, calm).catch(warn('the beta hosts are not back in the live pool'));
    throw e;
  }
  const p = paths(ctx.config.deployTo);
  const { id, revision } = rp.release;
  try {
    await routeBeta(ctx, s.beta, s.pools, hosts);
    await onHosts(ctx, STEP, hosts, (h) =>
      exec(ctx, STEP, h, writeBetaMarker(p, { release: id, revision: revision ?? '', live: rp.previous.get(h.name) ?? null })),
    );
  } catch (failure) {
    await routeBeta(calm, s.beta, s.pools, []).catch(warn('marked requests may still go to the beta hosts'));
    const state = await switchBackAll(calm, {
      release: rp.release,
      previous: rp.previous,
      hosts,
      touched: hosts,
      drained: new Set(),
      inPool: () => false,
    });
    await onHosts(calm, STEP, hosts, (h) => exec(calm, STEP, h, removeBetaMarker(p))).catch(warn('beta markers are left'));
    await s.rotation.set({ ready: served }, calm).catch(warn('the beta hosts are not back in the live pool'));
    const where = state.length > 0 ? `\n${state.join('\n')}` : '';
    if (interrupted(failure)) throw new InterruptedError(`${messageOf(failure)}${where}`);
    throw new SwitchedBackError(
      `beta release ${id} was switched back: ${messageOf(failure)}${where}`,
      failure instanceof DeployError ? failure.hint : undefined,
    );
  }
  const lives = [...new Set(hosts.map((h) => rp.previous.get(h.name) ?? null))];
  ctx.emit({
    type: 'beta',
    action: 'start',
    hosts: hosts.map((h) => h.name),
    release: id,
    ...(revision ? { revision } : {}),
    live: lives.length === 1 ? lives[0]! : null,
    mark: describeMark(s.beta),
  });
}

// ── deploy beta <stage> end ───────────────────────────────────────────────────────────────────────────────────

/**
 * Marked requests go to the live pool again, the beta hosts go back to the release they served before the beta,
 * and back into the live pool. Safe to run again after a failure: the markers go last.
 */
export async function betaEnd(ctx: RunContext, params: BetaParams): Promise<RunSummary> {
  const { beta, pools } = betaSetup(ctx.config);
  const rotation = rotationFor(ctx)!;
  const lock = await acquireLocks(ctx, {
    run: params.run,
    owner: params.owner,
    message: params.message || 'beta end',
    verb: 'beta end',
    waitSeconds: params.lockWaitSeconds,
  });
  let failure: unknown;
  let result: RunSummary | undefined;
  try {
    result = await endBeta(ctx, params, { beta, pools, rotation, check: () => lock.check('beta end') });
  } catch (e) {
    failure = e;
  }
  const { problems } = await lock.release();
  for (const message of problems) ctx.emit({ type: 'warning', message });
  if (failure !== undefined) throw withCleanupProblems(failure, problems);
  return result!;
}

async function endBeta(
  ctx: RunContext,
  params: BetaParams,
  s: { beta: BetaConfig; pools: BalancerPool[]; rotation: Rotation; check: () => void },
): Promise<RunSummary> {
  const p = paths(ctx.config.deployTo);
  const markers = await readBetas(ctx);
  const hosts = codeHosts(ctx.config).filter((h) => markers.get(h.name));
  const marker = (h: HostDef) => markers.get(h.name)!;
  if (hosts.length === 0) {
    // An end cut short after its markers went may have left the routing behind.
    await routeBeta(ctx, s.beta, s.pools, []);
    ctx.emit({ type: 'info', message: `no host of stage ${ctx.config.stage} serves a beta` });
    return { stage: ctx.config.stage, hosts: [] };
  }
  for (const h of hosts) {
    if (!marker(h).live)
      throw new StepFailedError(
        h.name,
        STEP,
        `served no release before beta ${marker(h).release}: there is nothing to go back to`,
        `promote the beta (\`deploy beta ${ctx.config.stage} promote\`) or deploy`,
      );
  }
  const state = await onHosts(ctx, STEP, hosts, (h) => readHostReleases(ctx, STEP, h));
  const liveOf = (h: HostDef) => {
    const id = marker(h).live!;
    const revision = state
      .get(h.name)
      ?.log.filter((e) => e.release === id && e.revision)
      .pop()?.revision;
    return { id, dir: p.release(id), ...(revision ? { revision } : {}) };
  };
  for (const h of hosts) {
    if (!state.get(h.name)?.releases.includes(liveOf(h).id))
      throw new StepFailedError(
        h.name,
        STEP,
        `the live release ${liveOf(h).id} is no longer on the host`,
        'deploy the stage to put one release everywhere',
      );
    ctx.emit({ type: 'release', host: h.name, previous: state.get(h.name)?.current ?? marker(h).release, release: liveOf(h).id });
  }
  s.check();
  await routeBeta(ctx, s.beta, s.pools, []);
  await onHosts(ctx, 'switch', hosts, (h) => moveTo(ctx, h, liveOf(h), 'switch'));
  const served = hosts.filter((h) => h.roles.some((r) => healthRoles(ctx.config).includes(r)));
  await s.rotation.set({ ready: served });
  await onHosts(ctx, STEP, hosts, (h) => exec(ctx, STEP, h, removeBetaMarker(p)));
  await Promise.all(
    hosts.map(async (h) => {
      const live = liveOf(h);
      const entry = {
        release: live.id,
        revision: live.revision ?? '',
        user: params.owner,
        time: new Date().toISOString(),
        stage: ctx.config.stage,
        outcome: 'rolled-back' as const,
        message: params.message || `beta ${marker(h).release} ended`,
      };
      const { why } = await bestEffort(ctx, 'log', h, appendRevisionLog(p, entry));
      if (why !== undefined)
        ctx.emit({
          type: 'warning',
          host: h.name,
          message: `revisions.log does not record the end of the beta (${why}); the host serves ${live.id}`,
        });
    }),
  );
  const release = marker(hosts[0]!).release;
  const lives = [...new Set(hosts.map((h) => liveOf(h).id))];
  ctx.emit({
    type: 'beta',
    action: 'end',
    hosts: hosts.map((h) => h.name),
    release,
    ...(marker(hosts[0]!).revision ? { revision: marker(hosts[0]!).revision } : {}),
    live: lives.length === 1 ? lives[0]! : null,
    mark: describeMark(s.beta),
  });
  const first = liveOf(hosts[0]!);
  return {
    stage: ctx.config.stage,
    ...(lives.length === 1 ? { release: first.id, ...(first.revision ? { revision: first.revision } : {}) } : {}),
    hosts: hosts.map((h) => ({ host: h.name, previous: marker(h).release, release: liveOf(h).id, outcome: 'deployed', durationMs: 0 })),
  };
}
