/**
 * tasks/balancer.ts against real balancers: nginx on the shared fleet's lb1 (running the nginx.conf that
 * docs/balancer.md recommends for the duration of this file) and haproxy on a sibling fleet. A small HTTP server
 * stands in for the app on each web host. The load tests print their counts (look for "[balancer load]").
 */
import http from 'node:http';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Backend } from '../../src/backends/backend.js';
import { DryRunBackend } from '../../src/backends/dry-run.js';
import { SshBackend } from '../../src/backends/ssh.js';
import { reloadNginx, renderUpstream } from '../../src/commands/balancer.js';
import { render } from '../../src/shell/command.js';
import { loadConfig } from '../../src/config/load.js';
import { StepFailedError } from '../../src/errors.js';
import { parseServersState, parseStat, parseUpstream } from '../../src/facts/balancer.js';
import { resolveTargets } from '../../src/hosts/target.js';
import type { HostDef } from '../../src/config/types.js';
import type { DeployEvent } from '../../src/output/events.js';
import { rotationFor } from '../../src/tasks/balancer.js';
import type { Rotation } from '../../src/tasks/switch.js';
import type { RunContext, RunMode } from '../../src/tasks/context.js';
import { fleet, tempFleet, type TempFleet } from '../fleet/context.js';
import { sshRun, type Fleet, type FleetHost } from '../fleet/fleet.js';
import { repoRoot } from '../fleet/plan.js';
import { waitFor } from '../fleet/proc.js';
import { scratch, writeDeployYml } from './support/project.js';
import { LB_HAPROXY_SOCKET, LB_NGINX_CONF, LB_UPSTREAM } from '../fleet/render.js';

const APP_DIR = '/srv/balancer-test';
const NGINX = `/usr/sbin/nginx -e /srv/lb/logs/error.log -c ${LB_NGINX_CONF}`;
const LOAD_RATE = 400;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Answers every path with its host and version as JSON; `?ms=` delays the answer; stops gracefully on TERM. */
const SERVER_JS = `const http = require('http');
const fs = require('fs');
const [address, port, host, version, pidFile] = process.argv.slice(2);
const server = http.createServer((req, res) => {
  req.resume();
  req.on('end', () => {
    const ms = Number(new URL(req.url, 'http://x').searchParams.get('ms') || 0);
    setTimeout(() => {
      const body = JSON.stringify({ host, version, method: req.method });
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
      res.end(body);
    }, ms);
  });
});
server.listen(Number(port), address, () => fs.writeFileSync(pidFile, String(process.pid)));
process.on('SIGTERM', () => {
  server.close(() => process.exit(0));
  server.closeIdleConnections();
});
`;

async function run(f: Fleet, host: string, command: string, input?: string): Promise<string> {
  const r = await sshRun(f, host, command, input === undefined ? {} : { input });
  if (r.code !== 0) throw new Error(`${host}: \`${command}\` exited ${r.code}\n${r.stderr}\n${r.stdout}`);
  return r.stdout;
}

/** Stops the host's test server (waiting for it to finish its requests) and starts `version` in its place. */
async function startApp(f: Fleet, web: FleetHost, version: string): Promise<void> {
  await run(
    f,
    web.name,
    [
      `cd ${APP_DIR}`,
      'if [ -s app.pid ] && kill -TERM "$(cat app.pid)" 2>/dev/null; then while kill -0 "$(cat app.pid)" 2>/dev/null; do sleep 0.02; done; fi',
      'rm -f app.pid',
      `nohup node server.js ${web.address} 3000 ${web.name} ${version} app.pid >>app.log 2>&1 </dev/null &`,
      'i=0; while [ ! -s app.pid ]; do i=$((i+1)); if [ $i -gt 250 ]; then tail -n 20 app.log >&2; exit 1; fi; sleep 0.02; done',
    ].join('\n'),
  );
}

async function installApp(f: Fleet, webs: readonly FleetHost[]): Promise<void> {
  await Promise.all(webs.map((w) => run(f, w.name, `mkdir -p ${APP_DIR} && cat > ${APP_DIR}/server.js`, SERVER_JS)));
  await Promise.all(webs.map((w) => startApp(f, w, 'v1')));
}

const removeApp = (f: Fleet, webs: readonly FleetHost[]) =>
  Promise.all(
    webs.map((w) => sshRun(f, w.name, `cd ${APP_DIR} 2>/dev/null && kill -TERM "$(cat app.pid)" 2>/dev/null; rm -rf ${APP_DIR}`)),
  );

interface Answer {
  status: number;
  host: string;
  version: string;
}

function get(url: string, timeoutMs = 10_000): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = http.get(url, { agent: false, timeout: timeoutMs }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (body += d));
      res.on('end', () => {
        try {
          const j = JSON.parse(body) as { host: string; version: string };
          resolve({ status: res.statusCode ?? 0, host: j.host, version: j.version });
        } catch {
          reject(new Error(`GET ${url}: HTTP ${res.statusCode}: ${body.slice(0, 200)}`));
        }
      });
    });
    req.on('timeout', () => req.destroy(new Error(`GET ${url}: no answer in ${timeoutMs} ms`)));
    req.on('error', reject);
  });
}

/** Hosts that answered `n` requests through the balancer, sorted and deduplicated. */
async function hostsBehind(url: string, n = 8): Promise<string[]> {
  const seen = new Set<string>();
  for (let i = 0; i < n; i++) seen.add((await get(url)).host);
  return [...seen].sort();
}

// ── a realistic client under a steady, bounded load ─────────────────────────────────────────────────────────────

interface Outcome {
  method: string;
  /** When the request was fully handed to the kernel; 0 when it never was. */
  sent: number;
  end: number;
  host?: string;
  version?: string;
  error?: string;
}

interface LoadReport {
  sent: number;
  ok: number;
  failed: number;
  /** Idempotent requests that failed on a reused keep-alive connection and succeeded when retried. */
  retried: number;
  errors: Record<string, number>;
  hosts: Record<string, number>;
  versions: Record<string, number>;
  outcomes: Outcome[];
}

/**
 * Keep-alive connections (like a browser or an API client), `rate` requests a second, a share of them POSTs,
 * at most 64 in flight. Like browsers, curl and Go (RFC 9112 §9.3.1), an idempotent request that fails on a
 * reused connection before any answer is retried once on a new connection; a POST never is.
 */
function steadyLoad(url: string, rate: number, postShare: number): { stop(): Promise<LoadReport> } {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 16 });
  // Node sets req.reusedSocket only for sockets taken from its free pool, not for one handed straight to a
  // queued request, so reuse is tracked here.
  const used = new WeakSet<object>();
  const report: LoadReport = { sent: 0, ok: 0, failed: 0, retried: 0, errors: {}, hosts: {}, versions: {}, outcomes: [] };
  const count = (bag: Record<string, number>, key: string) => (bag[key] = (bag[key] ?? 0) + 1);

  const once = (method: string, fresh: boolean) =>
    new Promise<Outcome & { reused: boolean; answered: boolean }>((resolve) => {
      const body = method === 'POST' ? '{"order":1}' : undefined;
      const out = { method, sent: 0, end: 0, reused: false, answered: false };
      const headers = body ? { 'content-type': 'application/json' } : {};
      const req = http.request(url, { method, agent: fresh ? false : agent, timeout: 10_000, headers }, (res) => {
        out.answered = true;
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (d: string) => (text += d));
        res.on('end', () => {
          used.add(req.socket!);
          if (res.statusCode !== 200) return resolve({ ...out, end: Date.now(), error: `HTTP ${res.statusCode}` });
          const j = JSON.parse(text) as { host: string; version: string };
          resolve({ ...out, end: Date.now(), host: j.host, version: j.version });
        });
        res.on('error', (e: NodeJS.ErrnoException) => resolve({ ...out, end: Date.now(), error: e.code ?? e.message }));
      });
      req.on('socket', (s) => (out.reused = used.has(s)));
      req.on('finish', () => (out.sent = Date.now()));
      req.on('timeout', () => req.destroy(new Error('timeout')));
      req.on('error', (e: NodeJS.ErrnoException) => resolve({ ...out, end: Date.now(), error: e.code ?? e.message }));
      req.end(body);
    });

  const request = async () => {
    const method = Math.random() < postShare ? 'POST' : 'GET';
    report.sent++;
    let r = await once(method, false);
    if (r.error && r.reused && !r.answered && method === 'GET') {
      report.retried++;
      r = await once(method, true);
    }
    const { reused: _r, answered: _a, ...outcome } = r;
    report.outcomes.push(outcome);
    if (r.error) {
      report.failed++;
      count(report.errors, `${method} ${r.error}`);
    } else {
      report.ok++;
      count(report.hosts, r.host!);
      count(report.versions, r.version!);
    }
  };

  const inflight = new Set<Promise<void>>();
  const started = Date.now();
  const timer = setInterval(() => {
    const due = Math.floor(((Date.now() - started) / 1000) * rate);
    while (report.sent < due && inflight.size < 64) {
      const p: Promise<void> = request().finally(() => inflight.delete(p));
      inflight.add(p);
    }
  }, 5);
  return {
    async stop() {
      clearInterval(timer);
      await Promise.all(inflight);
      agent.destroy();
      return report;
    },
  };
}

interface Window {
  host: string;
  from: number;
  to: number;
}

/**
 * Requests sent after a host's drain finished and answered before it was readied: `leaks` are the ones it
 * answered itself (there must be none), `others` the ones the rest of the pool answered (there must be some).
 */
function duringDrains(report: LoadReport, windows: readonly Window[]): { leaks: string[]; others: number } {
  const inside = windows.flatMap((w) => report.outcomes.filter((o) => o.host && o.sent >= w.from && o.end <= w.to).map((o) => ({ w, o })));
  return {
    leaks: inside
      .filter(({ w, o }) => o.host === w.host)
      .map(({ w, o }) => `${w.host} answered a ${o.method} sent ${o.sent - w.from} ms into its drain`),
    others: inside.filter(({ w, o }) => o.host !== w.host).length,
  };
}

const summary = (r: LoadReport) =>
  JSON.stringify({
    sent: r.sent,
    ok: r.ok,
    failed: r.failed,
    retried: r.retried,
    errors: r.errors,
    hosts: r.hosts,
    versions: Object.keys(r.versions).length,
  });

/**
 * Every web host in turn: drain, restart its app with the next version, ready; round after round for at least
 * `seconds` (and two rounds), under steady load through the balancer.
 */
async function rollingUnderLoad(
  f: Fleet,
  rotation: Rotation,
  webs: readonly FleetHost[],
  hostDef: (name: string) => HostDef,
  url: string,
  seconds: number,
) {
  const load = steadyLoad(url, LOAD_RATE, 0.2);
  const windows: Window[] = [];
  const t0 = Date.now();
  let rounds = 0;
  let failure: unknown;
  try {
    await sleep(500);
    while (rounds < 2 || (Date.now() - t0 < seconds * 1000 && rounds < 30)) {
      rounds++;
      for (const w of webs) {
        await rotation.set({ drain: [hostDef(w.name)] });
        const from = Date.now();
        await startApp(f, w, `v${rounds + 1}`);
        windows.push({ host: w.name, from, to: Date.now() });
        await rotation.set({ ready: [hostDef(w.name)] });
      }
    }
    await sleep(500);
  } catch (e) {
    failure = e;
  }
  const report = await load.stop();
  if (failure) throw failure;
  return { report, windows, rounds, seconds: (Date.now() - t0) / 1000 };
}

// ── contexts ────────────────────────────────────────────────────────────────────────────────────────────────────

const backends: SshBackend[] = [];
const scratchDirs: string[] = [];

interface Made {
  ctx: RunContext;
  events: DeployEvent[];
  host(name: string): HostDef;
}

/** A RunContext over the fleet's web hosts and lb1, from a deploy.yml with this balancer. */
function context(
  f: Fleet,
  balancer: Record<string, unknown>,
  o: { mode?: RunMode; extraWebs?: { name: string; address: string }[] } = {},
): Made {
  const dir = scratch('balancer');
  scratchDirs.push(dir);
  const webs = f.hosts.filter((h) => h.roles.includes('web'));
  const lb = f.hosts.find((h) => h.roles.includes('balancer'))!;
  const file = writeDeployYml(dir, f, {
    repository: '/nonexistent/app.git',
    ssh: { user: 'deploy' },
    roles: { balancer: { balancer } },
    stages: {
      test: {
        hosts: [
          ...webs.map((w) => ({ name: w.name, address: w.address, roles: ['web'] })),
          ...(o.extraWebs ?? []).map((w) => ({ ...w, roles: ['web'] })),
          { name: lb.name, address: lb.address, roles: ['balancer'] },
        ],
      },
    },
  });
  const config = loadConfig({ file, stage: 'test', cwd: dir, env: {} });
  const targets = resolveTargets(config, config.hosts, { home: process.env.HOME ?? '/root', env: {} });
  const ssh = new SshBackend();
  backends.push(ssh);
  const mode = o.mode ?? 'real';
  const backend: Backend = mode === 'real' ? ssh : new DryRunBackend(ssh);
  const events: DeployEvent[] = [];
  const ctx: RunContext = {
    config,
    backend,
    targets: new Map(targets.map((t) => [t.name, t])),
    emit: (e) => void events.push(e),
    mode,
    hosts: config.hosts,
    local: { run: () => Promise.reject(new Error('no local commands in this test')) },
    projectDir: dir,
  };
  const host = (name: string) => {
    const h = config.hosts.find((x) => x.name === name);
    if (!h) throw new Error(`no host ${name}`);
    return h;
  };
  return { ctx, events, host };
}

afterAll(async () => {
  await Promise.all(backends.map((b) => b.close()));
  for (const dir of scratchDirs) rmSync(dir, { recursive: true, force: true });
});

const drains = (events: readonly DeployEvent[]) => events.flatMap((e) => (e.type === 'drain' ? [`${e.action} ${e.host}`] : []));

/** The nginx.conf block of docs/balancer.md, for the balancer at `address`. */
function recommendedNginxConf(address: string): string {
  const doc = readFileSync(join(repoRoot, 'docs', 'balancer.md'), 'utf8');
  const block = /```nginx\n(# load balancer for the test fleet[\s\S]*?)```/.exec(doc)?.[1];
  if (!block) throw new Error('docs/balancer.md has no nginx.conf block starting with "# load balancer for the test fleet"');
  return block.replaceAll('127.0.1.30', address);
}

// ── nginx ───────────────────────────────────────────────────────────────────────────────────────────────────────

describe('nginx balancer', () => {
  let t: TempFleet | undefined;
  let f: Fleet;
  let lb: FleetHost;
  let webs: FleetHost[];
  let url: string;
  let original: { conf: string; upstream: string } | undefined;
  const balancer = {
    kind: 'nginx',
    upstream_file: LB_UPSTREAM,
    upstream_name: 'app',
    port: 3000,
    drain_timeout: 5,
    reload: `${NGINX} -t -q && ${NGINX} -s reload`,
  };

  beforeAll(async () => {
    f = fleet();
    if (f.balancer?.kind !== 'nginx') {
      t = await tempFleet({ webs: 2, balancer: 'nginx', postgres: false, media: false });
      f = t.fleet;
    }
    lb = f.hosts.find((h) => h.roles.includes('balancer'))!;
    webs = f.hosts.filter((h) => h.roles.includes('web'));
    url = f.balancer!.url;
    original = { conf: await run(f, lb.name, `cat ${LB_NGINX_CONF}`), upstream: await run(f, lb.name, `cat ${LB_UPSTREAM}`) };
    await run(
      f,
      lb.name,
      `cat > ${LB_NGINX_CONF}.new && mv ${LB_NGINX_CONF}.new ${LB_NGINX_CONF} && ${NGINX} -t -q && ${NGINX} -s reload`,
      recommendedNginxConf(lb.address),
    );
    await installApp(f, webs);
  });

  afterAll(async () => {
    if (original && lb) {
      await run(f, lb.name, `cat > ${LB_NGINX_CONF}.new && mv ${LB_NGINX_CONF}.new ${LB_NGINX_CONF}`, `${original.conf}\n`);
      await run(
        f,
        lb.name,
        `cat > ${LB_UPSTREAM}.new && mv ${LB_UPSTREAM}.new ${LB_UPSTREAM} && ${NGINX} -s reload`,
        `${original.upstream}\n`,
      );
    }
    if (webs) await removeApp(f, webs);
    await t?.down();
  });

  it('sync writes the upstream with every pool host, reloads, and leaves an unchanged file alone', async () => {
    // A hand-written file (as the fleet starts with), which the tool then owns.
    await run(
      f,
      lb.name,
      `cat > ${LB_UPSTREAM}.new && mv ${LB_UPSTREAM}.new ${LB_UPSTREAM}`,
      `upstream app {\n${webs.map((w) => `  server ${w.address}:3000; # ${w.name}`).join('\n')}\n}\n`,
    );
    const { ctx, events } = context(f, balancer);
    await rotationFor(ctx)!.sync();
    const expected = renderUpstream(
      'app',
      webs.map((w) => ({ address: w.address, port: 3000, down: false, name: w.name })),
    );
    expect(`${await run(f, lb.name, `cat ${LB_UPSTREAM}`)}\n`).toBe(expected);
    expect(events.filter((e) => e.type === 'command').map((e) => e.type === 'command' && `${e.host} ${e.step} ${e.effect}`)).toEqual([
      `${lb.name} balancer read`,
      `${lb.name} balancer write`,
      `${lb.name} balancer write`,
    ]);

    events.length = 0;
    await rotationFor(ctx)!.sync();
    expect(events.filter((e) => e.type === 'command').length).toBe(1);
    expect(events).toContainEqual({ type: 'info', host: lb.name, message: 'upstream app already lists the pool; no reload' });
    expect(await hostsBehind(url)).toEqual(webs.map((w) => w.name).sort());
  });

  it('a reload returns once nginx runs the new configuration: no worker active before it still is; a failing snippet keeps its exit code', async () => {
    const active = `ps -eo pid=,args= | awk '$2 == "nginx:" && $3 == "worker" && $4 == "process" && NF == 4 { print $1 }' | sort`;
    const reload = render(reloadNginx(balancer.reload), 'reveal');
    const [before, after] = (await run(f, lb.name, `${active}; echo --; ${reload} >/dev/null; ${active}`)).split('--');
    const [old, now] = [before!.split(/\s+/).filter(Boolean), after!.split(/\s+/).filter(Boolean)];
    expect(old.length).toBeGreaterThan(0);
    expect(now.length).toBeGreaterThan(0);
    expect(now.filter((pid) => old.includes(pid))).toEqual([]);
    expect((await sshRun(f, lb.name, render(reloadNginx('exit 3'), 'reveal'))).code).toBe(3);
  });

  it('a reload after which nginx still runs its old workers 5 s later is a warning naming the balancer host', async () => {
    // `true` never signals nginx: its workers from before are all it runs.
    const { ctx, events, host } = context(f, { ...balancer, reload: 'true' });
    await rotationFor(ctx)!.set({ drain: [host('web1')] });
    expect(events.filter((e) => e.type === 'warning')).toEqual([
      {
        type: 'warning',
        host: lb.name,
        message: `nginx on ${lb.name} still ran workers from before the reload 5 s after it: they may serve its previous configuration a while longer (see nginx's error log there)`,
      },
    ]);
    // The real reload puts nginx and the file back in step.
    const real = context(f, balancer);
    await rotationFor(real.ctx)!.set({ ready: [real.host('web1')] });
    expect(real.events.filter((e) => e.type === 'warning' && e.message.includes('reload'))).toEqual([]);
    expect(await hostsBehind(url)).toEqual(webs.map((w) => w.name).sort());
  });

  it('drain takes a host out (after the grace period) while the others serve; ready puts it back', async () => {
    const { ctx, events, host } = context(f, balancer);
    const rotation = rotationFor(ctx)!;
    const t0 = Date.now();
    await rotation.set({ drain: [host('web1')] });
    expect(Date.now() - t0).toBeGreaterThanOrEqual(2000);
    const file = parseUpstream(await run(f, lb.name, `cat ${LB_UPSTREAM}`));
    expect(file.servers.map((s) => `${s.name} ${s.down ? 'down' : 'up'}`)).toEqual(
      webs.map((w) => `${w.name} ${w.name === 'web1' ? 'down' : 'up'}`),
    );
    expect(await hostsBehind(url)).toEqual(webs.map((w) => w.name).filter((n) => n !== 'web1'));

    await rotation.set({ ready: [host('web1')] });
    // `nginx -s reload` returns before the new workers take over: wait for them, bounded.
    await waitFor('nginx to route to every web host again', async () => (await hostsBehind(url)).length === webs.length, {
      timeoutMs: 5_000,
      intervalMs: 100,
    });
    expect(parseUpstream(await run(f, lb.name, `cat ${LB_UPSTREAM}`)).servers.every((s) => !s.down)).toBe(true);
    expect(drains(events)).toEqual(['drain web1', 'ready web1']);
    expect(
      events.filter((e) => e.type === 'command').every((e) => e.type === 'command' && e.step === 'balancer' && e.host === lb.name),
    ).toBe(true);

    // Nothing to change: no reload.
    events.length = 0;
    await rotation.set({ ready: [host('web1')] });
    expect(events.filter((e) => e.type === 'command').length).toBe(1);
  });

  it('one change drains one host and readies another with a single reload', async () => {
    const { ctx, events, host } = context(f, balancer);
    const rotation = rotationFor(ctx)!;
    await rotation.set({ drain: [host('web1')] });
    events.length = 0;
    await rotation.set({ ready: [host('web1')], drain: [host('web2')] });
    expect(drains(events)).toEqual(['ready web1', 'drain web2']);
    // The file is read first (the balancer's real state), then written, then nginx reloads once.
    expect(events.flatMap((e) => (e.type === 'command' ? [e.effect] : []))).toEqual(['read', 'write', 'write']);
    expect(await hostsBehind(url)).toEqual(webs.map((w) => w.name).filter((n) => n !== 'web2'));
    await rotation.sync();
    // `nginx -s reload` returns before the new workers take over: wait for them, bounded.
    await waitFor('nginx to route to every web host again', async () => (await hostsBehind(url)).length === webs.length, {
      timeoutMs: 5_000,
      intervalMs: 100,
    });
  });

  it('a dry run shows the write and the reload and changes nothing', async () => {
    const before = await run(f, lb.name, `cat ${LB_UPSTREAM}`);
    const { ctx, events, host } = context(f, balancer, { mode: 'dry-run' });
    const t0 = Date.now();
    await rotationFor(ctx)!.set({ drain: [host('web1')] });
    expect(Date.now() - t0).toBeLessThan(2000);
    const shown = () => events.flatMap((e) => (e.type === 'command' && e.dryRun ? [`${e.host}: ${e.command}`] : []));
    expect(shown()).toEqual([expect.stringContaining(`${lb.name}: `), expect.stringMatching(/ -s reload/)]);
    expect(shown()[0]).toContain(LB_UPSTREAM);
    expect(await run(f, lb.name, `cat ${LB_UPSTREAM}`)).toBe(before);
    await rotationFor(ctx)!.sync();
    expect(shown()).toHaveLength(2);
  });

  it('rolling drain, restart and ready of every web host under load: no request fails, none reaches a drained host', async () => {
    const { ctx, host } = context(f, { ...balancer, drain_timeout: 1 });
    const { report, windows, rounds, seconds } = await rollingUnderLoad(f, rotationFor(ctx)!, webs, host, url, 10);
    console.log(`[balancer load] nginx, ${seconds.toFixed(1)} s, ${rounds} rounds, ${windows.length * 2} reloads: ${summary(report)}`);
    expect(report.errors).toEqual({});
    expect(report.failed).toBe(0);
    // With client keep-alive off no connection is ever reused, so even a client that never retries sees no reset.
    expect(report.retried).toBe(0);
    expect(report.sent).toBeGreaterThan(LOAD_RATE * 5);
    const drained = duringDrains(report, windows);
    expect(drained.leaks).toEqual([]);
    expect(drained.others).toBeGreaterThan(100);
    expect(Object.keys(report.versions)).toHaveLength(rounds + 1);
  });
});

// ── haproxy ─────────────────────────────────────────────────────────────────────────────────────────────────────

describe('haproxy balancer', () => {
  let t: TempFleet | undefined;
  let f: Fleet;
  let lb: FleetHost;
  let webs: FleetHost[];
  let url: string;
  const balancer = { kind: 'haproxy', admin_socket: LB_HAPROXY_SOCKET, backend: 'app', port: 3000, drain_timeout: 5 };
  const socat = (command: string) => run(f, lb.name, `printf '%s\\n' '${command}' | socat stdio unix-connect:${LB_HAPROXY_SOCKET}`);
  const stateOf = async (server: string) => parseServersState(await socat('show servers state app')).find((s) => s.server === server);

  beforeAll(async () => {
    f = fleet();
    if (f.balancer?.kind !== 'haproxy') {
      t = await tempFleet({ webs: 2, balancer: 'haproxy', postgres: false, media: false });
      f = t.fleet;
    }
    lb = f.hosts.find((h) => h.roles.includes('balancer'))!;
    webs = f.hosts.filter((h) => h.roles.includes('web'));
    url = f.balancer!.url;
    await installApp(f, webs);
    // Until its first checks pass, haproxy answers 503 (an HTML page).
    await waitFor(
      'haproxy to see every web host up',
      () =>
        hostsBehind(url, 6).then(
          (h) => h.length === webs.length,
          () => false,
        ),
      { timeoutMs: 15_000, intervalMs: 200 },
    );
  });

  afterAll(async () => {
    if (webs) await removeApp(f, webs);
    await t?.down();
  });

  it('drain: state drain while requests are in flight, waits for them, then maint; ready: back in rotation', async () => {
    const { ctx, events, host } = context(f, balancer);
    const rotation = rotationFor(ctx)!;
    const slow = Array.from({ length: 4 }, () => get(`${url}/?ms=2500`).then((a) => ({ ...a, at: Date.now() })));
    const busy = async () => parseStat(await socat('show stat')).some((s) => s.server === 'web1' && s.sessions > 0);
    await waitFor('a slow request on web1', busy, { timeoutMs: 5000, intervalMs: 50 });

    let drainedAt = 0;
    const draining = rotation.set({ drain: [host('web1')] }).then(() => (drainedAt = Date.now()));
    await waitFor('web1 in drain', async () => (await stateOf('web1'))?.admin === 'drain', { timeoutMs: 5000, intervalMs: 50 });
    expect(await hostsBehind(url, 6)).toEqual(webs.map((w) => w.name).filter((n) => n !== 'web1'));
    expect(drainedAt).toBe(0);

    await draining;
    const answers = await Promise.all(slow);
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200, 200]);
    const web1Done = Math.max(...answers.filter((a) => a.host === 'web1').map((a) => a.at));
    expect(drainedAt).toBeGreaterThanOrEqual(web1Done - 50);
    expect(await stateOf('web1')).toMatchObject({ admin: 'maint' });
    expect(await hostsBehind(url, 6)).toEqual(webs.map((w) => w.name).filter((n) => n !== 'web1'));

    await rotation.set({ ready: [host('web1')] });
    expect(await stateOf('web1')).toMatchObject({ admin: 'ready', operational: 'running' });
    expect(await hostsBehind(url)).toEqual(webs.map((w) => w.name).sort());
    expect(drains(events)).toEqual(['drain web1', 'ready web1']);
    const sets = events.flatMap((e) =>
      e.type === 'command' && e.effect === 'write'
        ? [e.command.replace(/.*'set server (\S+) state (\w+)'.*/, '$1 $2').replace(/.*'set weight (\S+) (\S+)'.*/, '$1 weight $2')]
        : [],
    );
    expect(sets).toEqual(['app/web1 drain', 'app/web1 maint', 'app/web1 weight 100%', 'app/web1 ready']);
  });

  it('sync sets every pool host ready', async () => {
    await socat('set server app/web2 state maint');
    const { ctx } = context(f, balancer);
    await rotationFor(ctx)!.sync();
    expect(await stateOf('web2')).toMatchObject({ admin: 'ready' });
  });

  it('a host haproxy does not know fails the step with what to do; the others stay in rotation', async () => {
    const { ctx, host } = context(f, balancer, { extraWebs: [{ name: 'web9', address: '127.255.255.9' }] });
    const error = await rotationFor(ctx)!
      .set({ drain: [host('web9')] })
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    expect(error).toBeInstanceOf(StepFailedError);
    expect((error as StepFailedError).message).toBe(`${lb.name}: balancer: haproxy refused to set app/web9 to drain: No such server.`);
    expect((error as StepFailedError).hint).toContain('must be named like the hosts in deploy.yml');
    expect(await hostsBehind(url)).toEqual(webs.map((w) => w.name).sort());
  });

  it('rolling drain, restart and ready of every web host under load: no request fails, none reaches a drained host', async () => {
    const { ctx, host } = context(f, balancer);
    const { report, windows, rounds, seconds } = await rollingUnderLoad(f, rotationFor(ctx)!, webs, host, url, 10);
    console.log(`[balancer load] haproxy, ${seconds.toFixed(1)} s, ${rounds} rounds: ${summary(report)}`);
    expect(report.errors).toEqual({});
    expect(report.failed).toBe(0);
    expect(report.sent).toBeGreaterThan(LOAD_RATE * 5);
    const drained = duringDrains(report, windows);
    expect(drained.leaks).toEqual([]);
    expect(drained.others).toBeGreaterThan(100);
    expect(Object.keys(report.versions)).toHaveLength(rounds + 1);
  });
});
