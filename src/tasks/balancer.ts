import {
  cutOver,
  readUpstream,
  reloadNginx,
  renderUpstream,
  setServerState,
  setServerWeight,
  writeUpstream,
  type ServerState,
} from '../commands/balancer.js';
import type { BalancerDef, Config, HaproxyBalancer, HostDef, NginxBalancer } from '../config/types.js';
import { StepFailedError } from '../errors.js';
import type { Command } from '../shell/command.js';
import { runtimeError, serversState, serverStats, socatInstalled, upstreamFile, type ServerStatus } from '../facts/balancer.js';
import { hostsWithRole } from '../hosts/roles.js';
import type { RunContext } from './context.js';
import { exec, HostsFailedError, probe } from './runner.js';
import type { Rotation } from './switch.js';

const STEP = 'balancer';
/**
 * nginx has no per-server count of in-flight requests, so a drain cannot wait for "zero". After `nginx -s reload`
 * returns, the master still has to start the new workers (the old ones accept meanwhile), and the old workers
 * finish their in-flight requests, some of them on the drained host. Ordinary requests are done well within 2 s;
 * longer ones rely on the app stopping gracefully.
 */
const NGINX_GRACE_MS = 2000;
const POLL_MS = 250;
/** How long a readied haproxy server may take to pass its health check and count as running. */
const READY_TIMEOUT_MS = 30_000;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

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
async function settle(work: readonly (readonly [name: string, task: Promise<unknown>])[]): Promise<void> {
  const results = await Promise.allSettled(work.map(([, p]) => p));
  const failures = new Map<string, Error>();
  results.forEach((r, i) => {
    if (r.status === 'rejected') failures.set(work[i]![0], r.reason instanceof Error ? r.reason : new Error(String(r.reason)));
  });
  if (failures.size === 1) throw [...failures.values()][0];
  if (failures.size > 1) throw new HostsFailedError(STEP, failures);
}

/** One balancer role: its pool's state for this run, applied to each of its balancer hosts. */
abstract class Driver {
  /** Pool hosts out of rotation, as this run left them. */
  protected readonly down = new Set<string>();

  constructor(
    readonly ctx: RunContext,
    readonly pool: BalancerPool,
  ) {}

  serves(host: HostDef): boolean {
    return host.roles.includes(this.pool.def.pool);
  }

  async set(ready: readonly HostDef[], drain: readonly HostDef[]): Promise<void> {
    ready.forEach((h) => this.down.delete(h.name));
    drain.forEach((h) => this.down.add(h.name));
    if (drain.length > 0 && this.pool.pool.every((h) => this.down.has(h.name))) {
      this.ctx.emit({ type: 'warning', message: `every host of pool ${this.pool.def.pool} is out of rotation: requests fail until one is back` });
    }
    await settle(this.pool.balancers.map((lb) => [lb.name, this.apply(lb, ready, drain)]));
    if (drain.length > 0) await this.settleDrain();
  }

  /** Every pool host in rotation; returns the balancer hosts whose configuration changed (and that reloaded). */
  async sync(): Promise<string[]> {
    this.down.clear();
    const changed: string[] = [];
    await settle(this.pool.balancers.map((lb) => [lb.name, this.syncOn(lb).then((c) => c && changed.push(lb.name))]));
    return changed;
  }

  protected abstract apply(lb: HostDef, ready: readonly HostDef[], drain: readonly HostDef[]): Promise<void>;
  protected abstract syncOn(lb: HostDef): Promise<boolean>;
  protected async settleDrain(): Promise<void> {}
}

/**
 * The upstream file is rendered from the pool and this run's `down` set and written whole; writes to one
 * balancer are serialised, as hosts of one batch change concurrently.
 */
class NginxDriver extends Driver {
  readonly #queues = new Map<string, Promise<unknown>>();

  constructor(
    ctx: RunContext,
    pool: BalancerPool,
    readonly def: NginxBalancer,
  ) {
    super(ctx, pool);
  }

  protected async apply(lb: HostDef): Promise<void> {
    await this.#serially(lb, () => this.#write(lb, this.#text()));
  }

  protected override async settleDrain(): Promise<void> {
    if (this.ctx.mode === 'real') await sleep(Math.min(this.def.drainTimeout * 1000, NGINX_GRACE_MS));
  }

  protected syncOn(lb: HostDef): Promise<boolean> {
    if (this.pool.pool.length === 0) {
      const message = `stage ${this.ctx.config.stage} has no host with role ${this.def.pool}: upstream ${this.def.upstreamName} would be empty`;
      return Promise.reject(new StepFailedError(lb.name, STEP, message));
    }
    return this.#serially(lb, async () => {
      const text = this.#text();
      // Read first, so a dry run shows a write and a reload only when the file really differs.
      const current = await exec(this.ctx, STEP, lb, readUpstream(this.def.upstreamFile));
      if (current.stdout === text) {
        this.ctx.emit({ type: 'info', host: lb.name, message: `upstream ${this.def.upstreamName} already lists the pool; no reload` });
        return false;
      }
      return this.#write(lb, text);
    });
  }

  #serially<T>(lb: HostDef, fn: () => Promise<T>): Promise<T> {
    const next = (this.#queues.get(lb.name) ?? Promise.resolve()).then(fn);
    this.#queues.set(lb.name, next.catch(() => undefined));
    return next;
  }

  #text(): string {
    return renderUpstream(
      this.def.upstreamName,
      this.pool.pool.map((h) => ({ address: h.address, port: this.def.port, down: this.down.has(h.name), name: h.name })),
    );
  }

  /** Writes the upstream file and reloads nginx when it changed; returns whether it did. */
  async #write(lb: HostDef, text: string): Promise<boolean> {
    const result = await exec(this.ctx, STEP, lb, writeUpstream(this.def.upstreamFile, text));
    // Outside a real run the write was only printed, so it may well have changed the file.
    const changed = this.ctx.mode !== 'real' || result.stdout.trim() === 'changed';
    if (changed) await exec(this.ctx, STEP, lb, reloadNginx(this.def.reload));
    return changed;
  }
}

/**
 * Server states change through the admin socket, without a reload: hosts going in are set `ready` and confirmed
 * running first, so the pool never has fewer servers than it needs; hosts going out are set `drain` (no new
 * requests), watched until their sessions (`scur`) reach zero or drain_timeout passes, then set `maint`.
 */
class HaproxyDriver extends Driver {
  readonly #socat = new Map<string, Promise<void>>();

  constructor(
    ctx: RunContext,
    pool: BalancerPool,
    readonly def: HaproxyBalancer,
  ) {
    super(ctx, pool);
  }

  protected async apply(lb: HostDef, ready: readonly HostDef[], drain: readonly HostDef[]): Promise<void> {
    const both = ready.length > 0 && drain.length > 0;
    // In a cut-over the new servers first come up with weight 0, so old and new never share the traffic.
    for (const h of ready) {
      await this.#run(lb, setServerWeight(this.def.adminSocket, this.def.backend, h.name, both ? '0' : '100%'));
      await this.#set(lb, h.name, 'ready');
    }
    await this.#confirmRunning(lb, ready);
    if (both) {
      await this.#run(lb, cutOver(this.def.adminSocket, this.def.backend, ready.map((h) => h.name), drain.map((h) => h.name)));
    } else {
      for (const h of drain) await this.#set(lb, h.name, 'drain');
    }
    await this.#waitIdle(lb, drain);
    for (const h of drain) await this.#set(lb, h.name, 'maint');
  }

  protected async syncOn(lb: HostDef): Promise<boolean> {
    for (const h of this.pool.pool) await this.#set(lb, h.name, 'ready');
    return false;
  }

  async #set(lb: HostDef, server: string, state: ServerState): Promise<void> {
    await this.#run(lb, setServerState(this.def.adminSocket, this.def.backend, server, state), `set ${this.def.backend}/${server} to ${state}`);
  }

  /** haproxy's complaint (e.g. `No such server.`) fails the step. */
  async #run(lb: HostDef, command: Command, what = command.description ?? 'change a server'): Promise<void> {
    await this.#ensureSocat(lb);
    const result = await exec(this.ctx, STEP, lb, command);
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

  async #waitIdle(lb: HostDef, hosts: readonly HostDef[]): Promise<void> {
    if (hosts.length === 0) return;
    const names = new Set(hosts.map((h) => h.name));
    const deadline = Date.now() + this.def.drainTimeout * 1000;
    for (;;) {
      const stats = await probe(this.ctx, STEP, lb, serverStats(this.def.adminSocket));
      if (this.ctx.mode !== 'real') return;
      const busy = stats.filter((s) => s.backend === this.def.backend && names.has(s.server) && s.sessions > 0);
      if (busy.length === 0) return;
      if (Date.now() >= deadline) {
        const left = busy.map((s) => `${s.server} (${s.sessions})`).join(', ');
        this.ctx.emit({
          type: 'warning',
          host: lb.name,
          message: `requests still in flight after drain_timeout (${this.def.drainTimeout} s) on ${left}; putting them in maintenance anyway`,
        });
        return;
      }
      await sleep(Math.min(POLL_MS, deadline - Date.now()));
    }
  }

  async #confirmRunning(lb: HostDef, hosts: readonly HostDef[]): Promise<void> {
    if (hosts.length === 0) return;
    const deadline = Date.now() + READY_TIMEOUT_MS;
    const serving = (s: ServerStatus | undefined) => s?.admin === 'ready' && s.operational === 'running';
    for (;;) {
      const states = await probe(this.ctx, STEP, lb, serversState(this.def.adminSocket, this.def.backend));
      if (this.ctx.mode !== 'real') return;
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
      await sleep(POLL_MS);
    }
  }

  #ensureSocat(lb: HostDef): Promise<void> {
    let check = this.#socat.get(lb.name);
    if (!check) {
      check = probe(this.ctx, STEP, lb, socatInstalled()).then((found) => {
        if (!found && this.ctx.mode !== 'plan') {
          const message = 'socat is not installed; it talks to the haproxy admin socket';
          throw new StepFailedError(lb.name, STEP, message, 'install it, e.g. apt-get install socat');
        }
      });
      this.#socat.set(lb.name, check);
    }
    return check;
  }
}

function driversFor(ctx: RunContext): Driver[] {
  return balancerPools(ctx.config).map((p) => (p.def.kind === 'nginx' ? new NginxDriver(ctx, p, p.def) : new HaproxyDriver(ctx, p, p.def)));
}

export interface BalancerRotation extends Rotation {
  drain(host: HostDef): Promise<void>;
  ready(host: HostDef): Promise<void>;
}

/**
 * Takes pool hosts out of every balancer of the stage and puts them back, or undefined when the stage has no
 * balancer. The state of the pool (which hosts are out) is held for the run, starting with every pool host in.
 */
export function rotationFor(ctx: RunContext): BalancerRotation | undefined {
  const drivers = driversFor(ctx);
  if (drivers.length === 0) return undefined;
  const onEach = (fn: (d: Driver) => Promise<unknown>, ds = drivers) => settle(ds.map((d) => [d.pool.role, fn(d)]));

  const set: Rotation['set'] = async ({ ready = [], drain = [] }) => {
    const both = ready.find((h) => drain.includes(h));
    if (both) throw new Error(`${both.name} cannot go into rotation and out of it at once`);
    const part = (d: Driver) => ({ ready: ready.filter((h) => d.serves(h)), drain: drain.filter((h) => d.serves(h)) });
    const involved = drivers.filter((d) => part(d).ready.length + part(d).drain.length > 0);
    if (involved.length === 0) return;
    const emit = (hosts: readonly HostDef[], action: 'drain' | 'ready') =>
      hosts.filter((h) => involved.some((d) => d.serves(h))).forEach((h) => ctx.emit({ type: 'drain', host: h.name, action }));
    emit(ready, 'ready');
    emit(drain, 'drain');
    try {
      await onEach((d) => d.set(part(d).ready, part(d).drain), involved);
    } catch (failure) {
      // A host out on one balancer only would stay out there: put the drained ones back everywhere.
      const back = (d: Driver) => d.set(part(d).drain, []);
      if (ctx.mode === 'real' && drain.length > 0) await onEach(back, involved).catch(() => undefined);
      throw failure;
    }
  };

  return {
    set,
    drain: (host) => set({ drain: [host] }),
    ready: (host) => set({ ready: [host] }),
    sync: () => onEach((d) => d.sync()),
  };
}

/**
 * Makes every balancer route to exactly the stage's pool, nothing drained: nginx gets the upstream file
 * rewritten and is reloaded only when the file changed; haproxy gets every pool host set `ready`. Returns the
 * balancer hosts that reloaded.
 */
export async function syncPool(ctx: RunContext): Promise<string[]> {
  const reloaded: string[] = [];
  await settle(driversFor(ctx).map((d) => [d.pool.role, d.sync().then((names) => reloaded.push(...names))]));
  return reloaded;
}

/**
 * For `deploy status`: per pool host, whether every balancer routes to it (`in`), none does (`out`), or the
 * balancers disagree (`mixed`). Read-only; a balancer that cannot be read is reported as a warning.
 */
export async function rotationStatus(ctx: RunContext): Promise<Map<string, 'in' | 'out' | 'mixed'>> {
  const seen = new Map<string, Set<boolean>>();
  const note = (host: string, inRotation: boolean) => seen.set(host, (seen.get(host) ?? new Set()).add(inRotation));
  for (const pool of balancerPools(ctx.config)) {
    for (const lb of pool.balancers) {
      try {
        if (pool.def.kind === 'nginx') {
          const upstream = await probe(ctx, 'status', lb, upstreamFile(pool.def.upstreamFile));
          for (const h of pool.pool) {
            const entry = upstream.servers.find((s) => s.name === h.name || (s.address === h.address && s.port === pool.def.port));
            note(h.name, entry !== undefined && !entry.down);
          }
        } else {
          const states = await probe(ctx, 'status', lb, serversState(pool.def.adminSocket, pool.def.backend));
          for (const h of pool.pool) note(h.name, states.some((s) => s.server === h.name && s.admin === 'ready'));
        }
      } catch (e) {
        ctx.emit({ type: 'warning', host: lb.name, message: `cannot read the balancer: ${e instanceof Error ? e.message : String(e)}` });
      }
    }
  }
  return new Map([...seen].map(([h, s]) => [h, s.size > 1 ? 'mixed' : s.has(true) ? 'in' : 'out']));
}
