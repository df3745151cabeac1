// Whole on purpose: reading, draining and readying every balancer kind share one model of the rotation.
import {
  cutOver,
  readUpstream,
  RELOAD_PENDING,
  reloadNginx,
  removeUpstream,
  renderUpstream,
  setServerState,
  serverAddress,
  setServerWeight,
  writeUpstream,
  type ServerState,
} from '../commands/balancer.js';
import { accessLogSize, readAccessLog, shareWeights } from '../commands/traffic.js';
import type { BalancerDef, Config, HaproxyBalancer, HostDef, NginxBalancer } from '../config/types.js';
import { DeployError, ExitCode, StepFailedError } from '../errors.js';
import type { Command } from '../shell/command.js';
import { parseUpstream, runtimeError, serversState, serverStats, socatInstalled, type ServerStatus } from '../facts/balancer.js';
import { combine, parseAccessLog, statCounters, trafficBetween, type ServerTraffic } from '../facts/traffic.js';
import { lines } from '../facts/fact.js';
import { hostsWithRole } from '../hosts/roles.js';
import type { RunContext } from './context.js';
import { checkHealth, describeAnswer } from './health.js';
import { exec, HostsFailedError, probe } from './runner.js';
import type { PoolView, Rotation } from './switch.js';
import { sleep } from './wait.js';

const STEP = 'balancer';
/**
 * nginx has no per-server count of in-flight requests, so a drain cannot wait for "zero". After `nginx -s reload`
 * returns, the master still has to start the new workers (the old ones accept meanwhile), and the old workers
 * finish their in-flight requests, some of them on the drained host. Ordinary requests are done well within 2 s;
 * longer ones rely on the app stopping gracefully.
 */
const NGINX_GRACE_MS = 2000;
const POLL_MS = 250;
/** Bytes of access log read per round trip; a busier log takes several. */
const LOG_CHUNK = 4 * 1024 * 1024;

/** How many hosts that left the pool an nginx upstream file remembers. */
const LEFT_NOTES = 20;

/** A server a balancer lists (or listed) that is no pool host of deploy.yml. */
export interface Leaver {
  readonly host: string;
  /** The balancer still sends it requests. */
  readonly serving: boolean;
  /** When it left (nginx notes it in the upstream file). */
  readonly since?: string;
}
/** How long a readied haproxy server may take to pass its health check and count as running. */
const READY_TIMEOUT_MS = 30_000;
/** A balancer change that failed is tried once more (a reload or the admin socket may fail for a moment). */
const ATTEMPTS = 2;

export interface BalancerPool {
  /** The role that carries the `balancer` settings; its hosts are the balancers. */
  readonly role: string;
  readonly def: BalancerDef;
  readonly balancers: readonly HostDef[];
  /** Every host of the stage with the pool role, in inventory order. */
  readonly pool: readonly HostDef[];
}

/** Every balancer role of the stage that has hosts, with its balancer hosts and its pool. */
export function balancerPools(config: Config): BalancerPool[] {
  return Object.entries(config.roles).flatMap(([role, r]) => {
    if (!r.balancer) return [];
    const balancers = hostsWithRole(config.hosts, role);
    return balancers.length > 0 ? [{ role, def: r.balancer, balancers, pool: hostsWithRole(config.hosts, r.balancer.pool) }] : [];
  });
}

/** Waits for every promise; throws the one failure, or all of them together. */
async function settle<T>(work: readonly (readonly [name: string, task: Promise<T>])[]): Promise<T[]> {
  const results = await Promise.allSettled(work.map(([, p]) => p));
  const failures = new Map<string, Error>();
  results.forEach((r, i) => {
    if (r.status === 'rejected') failures.set(work[i]![0], r.reason instanceof Error ? r.reason : new Error(String(r.reason)));
  });
  if (failures.size === 1) throw [...failures.values()][0];
  if (failures.size > 1) throw new HostsFailedError(STEP, failures);
  return results.map((r) => (r as PromiseFulfilledResult<T>).value);
}

const interrupted = (e: unknown) => e instanceof DeployError && e.exitCode === ExitCode.interrupted;
const messageOf = (e: unknown) => (e instanceof Error ? e.message : String(e));
const names = (hosts: readonly HostDef[]) => new Set(hosts.map((h) => h.name));

/** What one balancer host does with the pool, read from it, with what a kind needs to change it. */
interface Reading extends PoolView {
  /** nginx: the upstream file as read, which is what nginx runs (a failed reload puts it back). */
  readonly text?: string;
}

/**
 * One balancer role. Every change starts from the balancer's real state, read from it, never from what this run
 * remembers: hosts found out of rotation are reported, and no drain leaves a balancer without a server.
 */
abstract class Driver {
  /** Pool hosts this run took out of rotation and has not put back. */
  readonly #taken = new Set<string>();
  /** Hosts found out of rotation (not by this run) and already reported. */
  readonly #reported = new Set<string>();
  readonly #queues = new Map<string, Promise<unknown>>();

  constructor(readonly pool: BalancerPool) {}

  /** Hosts out of rotation on purpose at the start (a beta's): never reported, nor brought back to keep a server. */
  own(hosts: readonly HostDef[]): void {
    for (const h of hosts) if (this.serves(h)) this.#taken.add(h.name);
  }

  serves(host: HostDef): boolean {
    return host.roles.includes(this.pool.def.pool);
  }

  /**
   * `ready` hosts into rotation and `drain` hosts out, on each balancer host; resolves once every balancer
   * confirmed it. Returns the hosts that came back in first so that the drain leaves a server (see #keepServing).
   */
  async set(
    ctx: RunContext,
    ready: readonly HostDef[],
    drain: readonly HostDef[],
    lastOut = false,
    keepOthersOut = false,
  ): Promise<HostDef[]> {
    drain.forEach((h) => this.#taken.add(h.name));
    const back = await settle(
      this.pool.balancers.map(
        (lb) => [lb.name, this.#serially(lb, () => this.#setOn(ctx, lb, ready, drain, lastOut, keepOthersOut))] as const,
      ),
    );
    ready.forEach((h) => this.#taken.delete(h.name));
    return [...new Map(back.flat().map((h) => [h.name, h])).values()];
  }

  /** Every pool host in rotation: returns the balancer hosts that reloaded and the pool hosts that came back. */
  async sync(ctx: RunContext): Promise<{ reloaded: string[]; back: string[] }> {
    const done = await settle(this.pool.balancers.map((lb) => [lb.name, this.#serially(lb, () => this.syncOn(ctx, lb))] as const));
    this.#taken.clear();
    return {
      reloaded: this.pool.balancers.filter((_, i) => done[i]!.reloaded).map((lb) => lb.name),
      back: [...new Set(done.flatMap((d) => d.back))],
    };
  }

  /** What each balancer host of this role really does with the pool now. */
  views(ctx: RunContext): Promise<PoolView[]> {
    return settle(this.pool.balancers.map((lb) => [lb.name, this.view(ctx, lb)] as const));
  }

  async view(ctx: RunContext, lb: HostDef): Promise<PoolView> {
    const { balancer, serving, out } = await this.#serially(lb, () => this.read(ctx, lb));
    return { balancer, serving, out };
  }

  /** Weights for a traffic canary on every balancer host of this role (undefined: back as configured). */
  async share(ctx: RunContext, weights: ReadonlyMap<string, number> | undefined): Promise<void> {
    await settle(
      this.pool.balancers.map(
        (lb) => [lb.name, this.#serially(lb, async () => this.weigh(ctx, lb, await this.read(ctx, lb), weights))] as const,
      ),
    );
  }

  /** Starts a traffic window on every balancer host of this role; the reader gives what each pool host answered. */
  async traffic(ctx: RunContext): Promise<() => Promise<Map<string, ServerTraffic>[]>> {
    const readers = await settle(this.pool.balancers.map((lb) => [lb.name, this.#serially(lb, () => this.countFrom(ctx, lb))] as const));
    return () => settle(this.pool.balancers.map((lb, i) => [lb.name, this.#serially(lb, readers[i]!)] as const));
  }

  protected abstract weigh(ctx: RunContext, lb: HostDef, reading: Reading, weights: ReadonlyMap<string, number> | undefined): Promise<void>;
  /** Starts counting on one balancer host: the reader returns, per pool host name, the window so far. */
  protected abstract countFrom(ctx: RunContext, lb: HostDef): Promise<() => Promise<Map<string, ServerTraffic>>>;

  protected abstract read(ctx: RunContext, lb: HostDef): Promise<Reading>;
  /** Servers of the balancer that are no pool host of deploy.yml: hosts removed from it. */
  abstract left(ctx: RunContext, lb: HostDef): Promise<Leaver[]>;
  /** Applies one change to one balancer host and confirms it, or throws with the balancer left as it really is. */
  protected abstract change(
    ctx: RunContext,
    lb: HostDef,
    reading: Reading,
    ready: readonly HostDef[],
    drain: readonly HostDef[],
  ): Promise<void>;
  /** Every pool host in rotation on one balancer host: whether it reloaded, and the hosts that were out. */
  protected abstract syncOn(ctx: RunContext, lb: HostDef): Promise<{ reloaded: boolean; back: string[] }>;

  /** Reads the pool's state where nothing is read (plan mode): every host in rotation. */
  protected everyoneServing(lb: HostDef): Reading {
    return { balancer: lb.name, serving: names(this.pool.pool), out: new Map() };
  }

  async #setOn(
    ctx: RunContext,
    lb: HostDef,
    ready: readonly HostDef[],
    drain: readonly HostDef[],
    lastOut: boolean,
    keepOthersOut: boolean,
  ): Promise<HostDef[]> {
    let reading = await this.read(ctx, lb);
    this.#report(ctx, reading);
    const back = drain.length > 0 && !lastOut ? await this.#keepServing(ctx, lb, reading, ready, drain, keepOthersOut) : [];
    const all = [...ready, ...back];
    for (let attempt = 1; ; attempt++) {
      try {
        await this.change(ctx, lb, reading, all, drain);
        return back;
      } catch (e) {
        if (attempt >= ATTEMPTS || interrupted(e)) throw e;
        ctx.emit({
          type: 'warning',
          host: lb.name,
          message: `the balancer change failed (${messageOf(e).split('\n')[0]}); trying once more`,
        });
        reading = await this.read(ctx, lb);
      }
    }
  }

  /** Hosts out of rotation that this run did not take out: said once per run. */
  #report(ctx: RunContext, reading: Reading): void {
    const found = [...reading.out].filter(([h]) => !this.#taken.has(h) && !this.#reported.has(h));
    if (found.length === 0) return;
    found.forEach(([h]) => this.#reported.add(h));
    const list = found.map(([h, why]) => `${h} (${why})`).join(', ');
    ctx.emit({ type: 'warning', host: reading.balancer, message: `found out of rotation, not by this run: ${list}` });
  }

  /**
   * A drain that would leave the balancer serving no host first brings back the hosts found out of rotation that
   * pass a health check; when none does, it fails before anything changed, naming them.
   */
  async #keepServing(
    ctx: RunContext,
    lb: HostDef,
    reading: Reading,
    ready: readonly HostDef[],
    drain: readonly HostDef[],
    keepOthersOut: boolean,
  ): Promise<HostDef[]> {
    const leaving = drain.filter((h) => reading.serving.has(h.name));
    const going = names(drain);
    const left = [...reading.serving].filter((h) => !going.has(h));
    if (leaving.length === 0 || left.length > 0 || ready.length > 0) return [];
    const changing = new Set([...going, ...names(ready)]);
    const candidates = this.pool.pool.filter((h) => reading.out.has(h.name) && !this.#taken.has(h.name) && !changing.has(h.name));
    const who = leaving.map((h) => h.name).join(', ');
    const lonely = `taking ${who} out of rotation would leave ${lb.name} with no host to send requests to`;
    if (keepOthersOut) {
      const others =
        candidates.length > 0
          ? `; ${candidates.map((h) => `${h.name} (${reading.out.get(h.name)})`).join(', ')} ${candidates.length === 1 ? 'is' : 'are'} out of rotation`
          : '';
      throw new StepFailedError(
        lb.name,
        STEP,
        `${lonely}${others}`,
        'nothing was changed; undrain another host first (`deploy undrain <stage> --hosts …`)',
      );
    }
    if (candidates.length === 0) {
      throw new StepFailedError(
        lb.name,
        STEP,
        `${lonely}, and no other host of pool ${this.pool.def.pool} is out of rotation to bring back`,
        'add a host to the pool, or deploy with a balancer that has one serving host more',
      );
    }
    if (!ctx.config.health) {
      const list = candidates.map((h) => `${h.name} (${reading.out.get(h.name)})`).join(', ');
      throw new StepFailedError(
        lb.name,
        STEP,
        `${lonely}: ${list} are out of rotation, and no \`health\` check is configured to make sure they can serve`,
        'put them back into rotation by hand once they serve, then deploy again',
      );
    }
    const checked = await Promise.all(candidates.map(async (h) => ({ h, answer: await checkHealth(ctx, h) })));
    const healthy = checked.filter((c) => c.answer.ok).map((c) => c.h);
    if (healthy.length === 0) {
      const list = checked.map(({ h, answer }) => `${h.name} (${reading.out.get(h.name)}; health: ${describeAnswer(answer)})`).join(', ');
      throw new StepFailedError(
        lb.name,
        STEP,
        `${lonely}, and the hosts out of rotation fail their health check: ${list}`,
        'nothing was changed; make one of them serve (or put it back by hand), then deploy again',
      );
    }
    ctx.emit({
      type: 'info',
      host: lb.name,
      message: `${healthy.map((h) => h.name).join(', ')} passed a health check and come back into rotation first, so that ${who} can leave it`,
    });
    return healthy;
  }

  #serially<T>(lb: HostDef, fn: () => Promise<T>): Promise<T> {
    const next = (this.#queues.get(lb.name) ?? Promise.resolve()).then(fn);
    this.#queues.set(
      lb.name,
      next.catch(() => undefined),
    );
    return next;
  }
}

/**
 * The tool owns the upstream include file and keeps it equal to what nginx runs: each change renders the file from
 * what was read, with the change applied, and reloads; when the reload fails, the file gets its old text back, as
 * nginx keeps running the old configuration.
 */
class NginxDriver extends Driver {
  constructor(
    pool: BalancerPool,
    readonly def: NginxBalancer,
  ) {
    super(pool);
  }

  protected async read(ctx: RunContext, lb: HostDef): Promise<Reading> {
    if (ctx.mode === 'plan') return this.everyoneServing(lb);
    const text = (await exec(ctx, STEP, lb, readUpstream(this.def.upstreamFile))).stdout;
    const file = parseUpstream(text);
    const serving = new Set<string>();
    const out = new Map<string, string>();
    for (const h of this.pool.pool) {
      const entry = file.servers.find((s) => s.name === h.name || (s.address === h.address && s.port === this.def.port));
      // No file yet: the pool as a sync would write it.
      if (file.servers.length === 0 || (entry && !entry.down)) serving.add(h.name);
      else out.set(h.name, entry ? 'down' : `not in ${this.def.upstreamFile}`);
    }
    return { balancer: lb.name, serving, out, text };
  }

  protected async change(
    ctx: RunContext,
    lb: HostDef,
    reading: Reading,
    ready: readonly HostDef[],
    drain: readonly HostDef[],
  ): Promise<void> {
    const going = names(drain);
    const coming = names(ready);
    const down = (h: HostDef) => going.has(h.name) || (!coming.has(h.name) && !reading.serving.has(h.name));
    const changed = await this.#apply(ctx, lb, reading, this.#render(down, reading));
    if (changed && drain.length > 0 && ctx.mode === 'real') await sleep(Math.min(this.def.drainTimeout * 1000, NGINX_GRACE_MS), ctx.signal);
  }

  protected async syncOn(ctx: RunContext, lb: HostDef): Promise<{ reloaded: boolean; back: string[] }> {
    if (this.pool.pool.length === 0) {
      const message = `stage ${ctx.config.stage} has no host with role ${this.def.pool}: upstream ${this.def.upstreamName} would be empty`;
      throw new StepFailedError(lb.name, STEP, message);
    }
    const reading = await this.read(ctx, lb);
    const reloaded = await this.#apply(
      ctx,
      lb,
      reading,
      this.#render(() => false, reading),
    );
    if (!reloaded)
      ctx.emit({ type: 'info', host: lb.name, message: `upstream ${this.def.upstreamName} already lists the pool; no reload` });
    for (const l of this.leavers(reading.text ?? '').filter((x) => x.serving)) {
      ctx.emit({ type: 'info', host: lb.name, message: `${l.host} left the pool: it is not a ${this.def.pool} host of deploy.yml` });
    }
    return { reloaded, back: reloaded ? [...reading.out.keys()] : [] };
  }

  /**
   * The pool as the file lists it (with a canary's weights, when given), and after it a note per server that left it
   * (listed before, not a pool host of deploy.yml now), so that `deploy status` can say so later; a host that comes
   * back loses its note.
   */
  #render(down: (h: HostDef) => boolean, reading: Reading, weights?: ReadonlyMap<string, number>): string {
    const upstream = renderUpstream(
      this.def.upstreamName,
      this.pool.pool.map((h) => {
        const weight = weights?.get(h.name);
        return { address: h.address, port: this.def.port, down: down(h), name: h.name, ...(weight !== undefined ? { weight } : {}) };
      }),
    );
    const now = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
    const notes = this.leavers(reading.text ?? '').map((l) => `# left the pool: ${l.host} ${l.since ?? now}`);
    return notes.length > 0 ? `${upstream}${notes.slice(-LEFT_NOTES).join('\n')}\n` : upstream;
  }

  /** Servers of the file that are no pool host of deploy.yml (serving: still listed), and the notes of earlier ones. */
  leavers(text: string): Leaver[] {
    const isPool = (s: { name?: string; address: string; port: number }) =>
      this.pool.pool.some((h) => h.name === s.name || (h.address === s.address && s.port === this.def.port));
    const listed = parseUpstream(text).servers.filter((s) => !isPool(s));
    const noted = [...text.matchAll(/^# left the pool: (\S+) (\S+)$/gm)].map((m) => ({ host: m[1]!, since: m[2]! }));
    return [
      ...noted
        .filter(
          (n) => !this.pool.pool.some((h) => h.name === n.host) && !listed.some((s) => (s.name ?? `${s.address}:${s.port}`) === n.host),
        )
        .map((n) => ({ ...n, serving: false })),
      ...listed.map((s) => ({ host: s.name ?? `${s.address}:${s.port}`, serving: !s.down })),
    ];
  }

  async left(ctx: RunContext, lb: HostDef): Promise<Leaver[]> {
    const text = (await exec(ctx, STEP, lb, readUpstream(this.def.upstreamFile))).stdout;
    return this.leavers(text);
  }

  /** Weights go into the upstream file (the next change or sync writes it without them); reloaded when it changed. */
  protected async weigh(ctx: RunContext, lb: HostDef, reading: Reading, weights: ReadonlyMap<string, number> | undefined): Promise<void> {
    await this.#apply(
      ctx,
      lb,
      reading,
      this.#render((h) => !reading.serving.has(h.name), reading, weights),
    );
  }

  protected async countFrom(ctx: RunContext, lb: HostDef): Promise<() => Promise<Map<string, ServerTraffic>>> {
    const log = this.def.accessLog;
    if (!log) {
      throw new StepFailedError(
        lb.name,
        STEP,
        `a traffic canary behind nginx reads the balancer's access log, and balancer.access_log is not set`,
        `log requests in the deploy_upstream format on ${lb.name} and name the file in balancer.access_log (docs/traffic.md)`,
      );
    }
    let offset = Number((await exec(ctx, STEP, lb, accessLogSize(log))).stdout.trim()) || 0;
    const byAddress = new Map(this.pool.pool.map((h) => [serverAddress(h.address, this.def.port), h.name]));
    const totals = new Map<string, ServerTraffic[]>();
    return async () => {
      for (;;) {
        const chunk = parseAccessLog((await exec(ctx, STEP, lb, readAccessLog(log, offset, LOG_CHUNK))).stdout);
        offset += chunk.consumed;
        for (const [address, t] of chunk.servers) {
          const host = byAddress.get(address);
          if (host) totals.set(host, [...(totals.get(host) ?? []), t]);
        }
        if (chunk.consumed < LOG_CHUNK / 2) break;
      }
      return new Map([...totals].map(([h, parts]) => [h, combine(parts)]));
    };
  }

  /**
   * Balancer hosts whose write or reload was cut off (a lost connection): the file may be ahead of what nginx runs,
   * so the next change there reloads even when the file already says what it should.
   */
  readonly #unsure = new Set<string>();

  /** Writes the file and reloads nginx when the text differs from what was read; returns whether it did. */
  async #apply(ctx: RunContext, lb: HostDef, reading: Reading, text: string): Promise<boolean> {
    const unsure = this.#unsure.has(lb.name);
    if (ctx.mode !== 'plan' && text === reading.text && !unsure) return false;
    let reload: { code: number; stdout: string; stderr: string };
    try {
      if (text !== reading.text || ctx.mode === 'plan') {
        const result = await exec(ctx, STEP, lb, writeUpstream(this.def.upstreamFile, text));
        // Outside a real run the write was only printed, so it may well have changed the file.
        if (ctx.mode === 'real' && result.stdout.trim() !== 'changed' && !unsure) return false;
      }
      reload = await exec(ctx, STEP, lb, reloadNginx(this.def.reload), { allowFail: true });
    } catch (e) {
      if (ctx.mode === 'real') this.#unsure.add(lb.name);
      throw e;
    }
    if (reload.code === 0) {
      this.#unsure.delete(lb.name);
      warnIfReloadPending(ctx, lb, reload.stdout);
      return true;
    }
    const complaint = nginxComplaint(`${reload.stderr}\n${reload.stdout}`) || `exit code ${reload.code}`;
    // nginx keeps its previous configuration; so does the file, or every later change would start from a lie.
    const restore = reading.text ? writeUpstream(this.def.upstreamFile, reading.text) : removeUpstream(this.def.upstreamFile);
    const undone = await exec({ ...ctx, signal: undefined }, STEP, lb, restore, { allowFail: true }).then(
      (r) => (r.code === 0 ? '' : `; putting the upstream file back failed too (exit ${r.code}: ${r.stderr.trim()})`),
      (e: unknown) => `; putting the upstream file back failed too (${messageOf(e)})`,
    );
    throw new StepFailedError(
      lb.name,
      STEP,
      `nginx did not reload: ${complaint}${undone}`,
      `nginx on ${lb.name} keeps running its previous configuration${undone ? '' : `, and ${this.def.upstreamFile} says so again`}; fix what it complains about (check with: ${this.def.reload.split('\n')[0]}), then deploy again`,
    );
  }
}

/** A reload that returned with nginx still running workers from before it is said: they serve the old pool a while. */
export function warnIfReloadPending(ctx: RunContext, lb: HostDef, stdout: string): void {
  if (!lines(stdout).includes(RELOAD_PENDING)) return;
  ctx.emit({
    type: 'warning',
    host: lb.name,
    message: `nginx on ${lb.name} still ran workers from before the reload 5 s after it: they may serve its previous configuration a while longer (see nginx's error log there)`,
  });
}

/**
 * nginx's own words about a failed check or reload: its `[emerg]`-style lines (in the `nginx: [emerg] …` form,
 * also when they come in the error log's `2026/01/01 12:00:00 [emerg] 12#12: …` form), else the last line.
 */
export function nginxComplaint(output: string): string {
  const lines = output
    .split('\n')
    .map((l) => l.trim().replace(/^\d{4}\/\d\d\/\d\d \d\d:\d\d:\d\d (\[\w+\]) \d+#\d+: /, 'nginx: $1 '))
    .filter(Boolean);
  const said = lines.filter((l) => /\[(emerg|alert|crit|error)\]/.test(l));
  return (said.length > 0 ? said : lines.slice(-1)).join('; ').slice(0, 500);
}

/**
 * Server states change through the admin socket, without a reload: hosts going in get their configured weight and
 * `ready`, and are confirmed running first, so the pool never has fewer servers than it needs; hosts going out are
 * set `drain` (no new requests), watched until their sessions (`scur`) reach zero or drain_timeout passes, then set
 * `maint`.
 */
class HaproxyDriver extends Driver {
  readonly #socat = new Map<string, Promise<void>>();

  constructor(
    pool: BalancerPool,
    readonly def: HaproxyBalancer,
  ) {
    super(pool);
  }

  protected async read(ctx: RunContext, lb: HostDef): Promise<Reading> {
    if (ctx.mode === 'plan') return this.everyoneServing(lb);
    await this.#ensureSocat(ctx, lb);
    const states = await probe(ctx, STEP, lb, serversState(this.def.adminSocket, this.def.backend));
    const serving = new Set<string>();
    const out = new Map<string, string>();
    for (const h of this.pool.pool) {
      const s = states.find((x) => x.server === h.name);
      if (!s) out.set(h.name, `not a server of backend ${this.def.backend}`);
      else if (s.admin !== 'ready') out.set(h.name, s.admin);
      else if (s.weight === 0) out.set(h.name, 'weight 0');
      // Up to the balancer's own health check: neither serving nor set out by anyone.
      else if (s.operational === 'running') serving.add(h.name);
    }
    return { balancer: lb.name, serving, out };
  }

  protected async change(
    ctx: RunContext,
    lb: HostDef,
    reading: Reading,
    ready: readonly HostDef[],
    drain: readonly HostDef[],
  ): Promise<void> {
    const both = ready.length > 0 && drain.length > 0;
    // In a cut-over the new servers first come up with weight 0, so old and new never share the traffic. A retry
    // finds the ones that already came in serving: weight 0 again would leave them, and maybe the pool, empty.
    for (const h of ready.filter((r) => !reading.serving.has(r.name))) {
      await this.#run(ctx, lb, setServerWeight(this.def.adminSocket, this.def.backend, h.name, both ? '0' : '100%'));
      await this.#set(ctx, lb, h.name, 'ready');
    }
    await this.#confirmRunning(ctx, lb, ready);
    const going = drain.filter((h) => reading.out.get(h.name) !== 'maint');
    if (both) {
      await this.#run(
        ctx,
        lb,
        cutOver(
          this.def.adminSocket,
          this.def.backend,
          ready.map((h) => h.name),
          going.map((h) => h.name),
        ),
      );
    } else {
      for (const h of going) await this.#set(ctx, lb, h.name, 'drain');
    }
    await this.#waitIdle(
      ctx,
      lb,
      going.map((h) => h.name),
    );
    for (const h of going) await this.#set(ctx, lb, h.name, 'maint');
  }

  /**
   * Every pool host `ready` at its configured weight (a weight left at 0 takes no requests either); servers of the
   * backend that are no pool host of deploy.yml (removed from it) drain and go into maintenance.
   */
  protected async syncOn(ctx: RunContext, lb: HostDef): Promise<{ reloaded: boolean; back: string[] }> {
    const states = ctx.mode === 'plan' ? [] : await probe(ctx, STEP, lb, serversState(this.def.adminSocket, this.def.backend));
    const leaving = this.#leavers(states)
      .filter((l) => l.serving)
      .map((l) => l.host);
    if (leaving.length > 0) {
      for (const server of leaving) await this.#set(ctx, lb, server, 'drain');
      await this.#waitIdle(ctx, lb, leaving);
      for (const server of leaving) await this.#set(ctx, lb, server, 'maint');
      ctx.emit({
        type: 'info',
        host: lb.name,
        message: `${leaving.join(', ')} left the pool: not a ${this.def.pool} host of deploy.yml, now in maintenance`,
      });
    }
    const back: string[] = [];
    for (const h of this.pool.pool) {
      const s = states.find((x) => x.server === h.name);
      if (s?.weight === 0) await this.#run(ctx, lb, setServerWeight(this.def.adminSocket, this.def.backend, h.name, '100%'));
      if (s?.admin !== 'ready') await this.#set(ctx, lb, h.name, 'ready');
      if (s && (s.weight === 0 || s.admin !== 'ready')) back.push(h.name);
    }
    return { reloaded: false, back };
  }

  /** Servers this run gave a canary weight, on some balancer host: a reset puts only those back. */
  readonly #weighted = new Set<string>();

  protected async weigh(ctx: RunContext, lb: HostDef, reading: Reading, weights: ReadonlyMap<string, number> | undefined): Promise<void> {
    if (weights) {
      for (const [host, weight] of weights) {
        if (!reading.serving.has(host)) continue;
        this.#weighted.add(host);
        await this.#run(ctx, lb, setServerWeight(this.def.adminSocket, this.def.backend, host, weight));
      }
      return;
    }
    // Hosts at weight 0 stay there: that is how a cut-over keeps hosts out, not a canary's weight.
    for (const h of this.pool.pool.filter((x) => this.#weighted.has(x.name) && reading.out.get(x.name) !== 'weight 0')) {
      await this.#run(ctx, lb, setServerWeight(this.def.adminSocket, this.def.backend, h.name, '100%'));
    }
  }

  protected async countFrom(ctx: RunContext, lb: HostDef): Promise<() => Promise<Map<string, ServerTraffic>>> {
    await this.#ensureSocat(ctx, lb);
    const before = await probe(ctx, STEP, lb, statCounters(this.def.adminSocket));
    const pool = names(this.pool.pool);
    return async () => {
      const now = await probe(ctx, STEP, lb, statCounters(this.def.adminSocket));
      return new Map([...trafficBetween(before, now, this.def.backend)].filter(([server]) => pool.has(server)));
    };
  }

  async left(ctx: RunContext, lb: HostDef): Promise<Leaver[]> {
    await this.#ensureSocat(ctx, lb);
    return this.#leavers(await probe(ctx, STEP, lb, serversState(this.def.adminSocket, this.def.backend)));
  }

  #leavers(states: readonly ServerStatus[]): Leaver[] {
    const pool = names(this.pool.pool);
    return states.filter((s) => !pool.has(s.server)).map((s) => ({ host: s.server, serving: s.admin !== 'maint' && s.weight !== 0 }));
  }

  async #set(ctx: RunContext, lb: HostDef, server: string, state: ServerState): Promise<void> {
    await this.#run(
      ctx,
      lb,
      setServerState(this.def.adminSocket, this.def.backend, server, state),
      `set ${this.def.backend}/${server} to ${state}`,
    );
  }

  /** haproxy's complaint (e.g. `No such server.`) fails the step. */
  async #run(ctx: RunContext, lb: HostDef, command: Command, what = command.description ?? 'change a server'): Promise<void> {
    await this.#ensureSocat(ctx, lb);
    const result = await exec(ctx, STEP, lb, command);
    const error = runtimeError(result.stdout);
    if (error !== undefined) {
      const server = /\/([A-Za-z0-9_.:-]+)/.exec(what)?.[1] ?? '<host>';
      throw new StepFailedError(
        lb.name,
        STEP,
        `haproxy refused to ${what}: ${error}`,
        `the servers of haproxy backend ${this.def.backend} must be named like the hosts in deploy.yml (\`server ${server} <address>:<port> …\`)`,
      );
    }
  }

  async #waitIdle(ctx: RunContext, lb: HostDef, servers: readonly string[]): Promise<void> {
    if (servers.length === 0) return;
    const wanted = new Set(servers);
    const deadline = Date.now() + this.def.drainTimeout * 1000;
    for (;;) {
      const stats = await probe(ctx, STEP, lb, serverStats(this.def.adminSocket));
      if (ctx.mode !== 'real') return;
      const busy = stats.filter((s) => s.backend === this.def.backend && wanted.has(s.server) && s.sessions > 0);
      if (busy.length === 0) return;
      if (Date.now() >= deadline) {
        const left = busy.map((s) => `${s.server} (${s.sessions})`).join(', ');
        ctx.emit({
          type: 'warning',
          host: lb.name,
          message: `requests still in flight after drain_timeout (${this.def.drainTimeout} s) on ${left}; putting them in maintenance anyway`,
        });
        return;
      }
      await sleep(Math.min(POLL_MS, deadline - Date.now()), ctx.signal);
    }
  }

  async #confirmRunning(ctx: RunContext, lb: HostDef, hosts: readonly HostDef[]): Promise<void> {
    if (hosts.length === 0) return;
    const deadline = Date.now() + READY_TIMEOUT_MS;
    const serving = (s: ServerStatus | undefined) => s?.admin === 'ready' && s.operational === 'running';
    for (;;) {
      const states = await probe(ctx, STEP, lb, serversState(this.def.adminSocket, this.def.backend));
      if (ctx.mode !== 'real') return;
      const behind = hosts.map((h) => [h.name, states.find((s) => s.server === h.name)] as const).filter(([, s]) => !serving(s));
      if (behind.length === 0) return;
      if (Date.now() >= deadline) {
        const seen = behind.map(([name, s]) => `${name}: ${s ? `${s.admin}, ${s.operational}` : 'not listed'}`).join('; ');
        throw new StepFailedError(
          lb.name,
          STEP,
          `not back in rotation ${READY_TIMEOUT_MS / 1000} s after being set ready (haproxy says ${seen})`,
          `haproxy's health check keeps failing: see \`show servers state ${this.def.backend}\` on ${lb.name}`,
        );
      }
      await sleep(POLL_MS, ctx.signal);
    }
  }

  #ensureSocat(ctx: RunContext, lb: HostDef): Promise<void> {
    let check = this.#socat.get(lb.name);
    if (!check) {
      check = probe(ctx, STEP, lb, socatInstalled()).then((found) => {
        if (!found && ctx.mode !== 'plan') {
          const message = 'socat is not installed; it talks to the haproxy admin socket';
          throw new StepFailedError(lb.name, STEP, message, 'install it, e.g. apt-get install socat');
        }
      });
      // A check that failed (a lost connection) is asked again next time.
      check.catch(() => this.#socat.delete(lb.name));
      this.#socat.set(lb.name, check);
    }
    return check;
  }
}

function driversFor(config: Config): Driver[] {
  return balancerPools(config).map((p) => (p.def.kind === 'nginx' ? new NginxDriver(p, p.def) : new HaproxyDriver(p, p.def)));
}

/**
 * Takes pool hosts out of every balancer of the stage and puts them back, or undefined when the stage has no
 * balancer; `owned` hosts are out of rotation on purpose (see Driver.own). Each change reads the balancers' real state first, runs with the given context (the switch-back passes
 * one that an interrupt does not stop), and its `drain` events come once every balancer has confirmed it.
 */
export function rotationFor(ctx: RunContext, owned: readonly HostDef[] = []): Rotation | undefined {
  const drivers = driversFor(ctx.config);
  if (drivers.length === 0) return undefined;
  for (const d of drivers) d.own(owned);
  const onEach = <T>(fn: (d: Driver) => Promise<T>, ds = drivers) => settle(ds.map((d) => [d.pool.role, fn(d)] as const));

  const set: Rotation['set'] = async ({ ready = [], drain = [], lastOut = false, keepOthersOut = false }, run = ctx) => {
    const both = ready.find((h) => drain.includes(h));
    if (both) throw new Error(`${both.name} cannot go into rotation and out of it at once`);
    const part = (d: Driver) => ({ ready: ready.filter((h) => d.serves(h)), drain: drain.filter((h) => d.serves(h)) });
    const involved = drivers.filter((d) => part(d).ready.length + part(d).drain.length > 0);
    if (involved.length === 0) return;
    const back = (await onEach((d) => d.set(run, part(d).ready, part(d).drain, lastOut, keepOthersOut), involved)).flat();
    const emit = (hosts: readonly HostDef[], action: 'drain' | 'ready') =>
      hosts.forEach((h) => run.emit({ type: 'drain', host: h.name, action }));
    emit([...new Map([...back, ...ready.filter((h) => involved.some((d) => d.serves(h)))].map((h) => [h.name, h])).values()], 'ready');
    emit(
      drain.filter((h) => involved.some((d) => d.serves(h))),
      'drain',
    );
  };

  return {
    set,
    sync: async (run = ctx) => {
      const done = await onEach((d) => d.sync(run));
      for (const host of new Set(done.flatMap((d) => d.back))) run.emit({ type: 'drain', host, action: 'ready' });
    },
    views: async (run = ctx) => (await onEach((d) => d.views(run))).flat(),
    share: async (hosts, share, run = ctx) => {
      if (share === undefined) {
        await onEach((d) => d.share(run, undefined));
        return undefined;
      }
      const views = (await onEach((d) => d.views(run))).flat();
      const canaries = names(hosts);
      const served = (h: HostDef) => views.every((v) => v.serving.has(h.name));
      const pool = [...new Map(drivers.flatMap((d) => d.pool.pool).map((h) => [h.name, h])).values()];
      const rest = pool.filter((h) => !canaries.has(h.name) && served(h));
      const weighed = hosts.filter(served);
      if (weighed.length === 0 || rest.length === 0) {
        const who =
          weighed.length === 0
            ? `the canary (${hosts.map((h) => h.name).join(', ')}) is not served by every balancer`
            : 'no other host of the pool is served';
        throw new DeployError(`cannot give the canary ${Math.round(share * 1000) / 10}% of the requests: ${who}`, ExitCode.stepFailed);
      }
      const w = shareWeights(weighed.length, rest.length, share);
      const weights = new Map([...weighed.map((h) => [h.name, w.canary] as const), ...rest.map((h) => [h.name, w.rest] as const)]);
      await onEach((d) => d.share(run, weights));
      return w.share;
    },
    traffic: async (run = ctx) => {
      const readers = await onEach((d) => d.traffic(run));
      return {
        read: async () => {
          const parts = new Map<string, ServerTraffic[]>();
          for (const perBalancer of (await Promise.all(readers.map((r) => r()))).flat()) {
            for (const [host, t] of perBalancer) parts.set(host, [...(parts.get(host) ?? []), t]);
          }
          return new Map([...parts].map(([h, p]) => [h, combine(p)]));
        },
      };
    },
  };
}

/**
 * For `deploy status`: per pool host, whether every balancer routes to it (`in`), none does (`out`), or the
 * balancers disagree (`mixed`), as read from the balancers (a host at weight 0 is out). Read-only; a balancer that
 * cannot be read is reported as a warning.
 */
export async function rotationStatus(ctx: RunContext): Promise<Map<string, 'in' | 'out' | 'mixed'>> {
  const seen = new Map<string, Set<boolean>>();
  const note = (host: string, inRotation: boolean) => seen.set(host, (seen.get(host) ?? new Set()).add(inRotation));
  for (const driver of driversFor(ctx.config)) {
    for (const lb of driver.pool.balancers) {
      try {
        const view = await driver.view(ctx, lb);
        for (const h of driver.pool.pool) note(h.name, !view.out.has(h.name));
      } catch (e) {
        ctx.emit({ type: 'warning', host: lb.name, message: `cannot read the balancer: ${messageOf(e)}` });
      }
    }
  }
  return new Map([...seen].map(([h, s]) => [h, s.size > 1 ? 'mixed' : s.has(true) ? 'in' : 'out']));
}

/**
 * For `deploy status`: per balancer host, the servers it lists that are no pool host of deploy.yml (hosts removed
 * from it), and whether it still sends them requests. A balancer that cannot be read is left out (rotationStatus
 * warns about it).
 */
export async function poolLeavers(ctx: RunContext): Promise<{ balancer: string; left: Leaver[] }[]> {
  const found: { balancer: string; left: Leaver[] }[] = [];
  for (const driver of driversFor(ctx.config)) {
    for (const lb of driver.pool.balancers) {
      const left = await driver.left(ctx, lb).catch(() => []);
      if (left.length > 0) found.push({ balancer: lb.name, left });
    }
  }
  return found;
}
