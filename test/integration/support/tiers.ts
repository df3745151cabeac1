import { join } from 'node:path';
import { execa } from 'execa';
import { parseServersState, parseUpstream } from '../../../src/facts/balancer.js';
import { ACCESS_LOG_FORMAT } from '../../../src/facts/traffic.js';
import { demoConfigValues, sshRun, type Fleet } from '../../fleet/fleet.js';
import { project, repoRoot, type AppRepo } from './project.js';
import { LB_DIR, LB_NGINX_CONF, LB_UPSTREAM } from '../../fleet/render.js';

export const releaseOf = (stdout: string) => /release (\d{14})/.exec(stdout)?.[1] ?? '';
export const webs = (f: Fleet) => f.hosts.filter((h) => h.roles.includes('web')).map((h) => h.name);
export const lbOf = (f: Fleet) => f.hosts.find((h) => h.roles.includes('balancer'))!.name;

/** The `balancer` mapping of deploy.yml for the fleet's balancer. */
export function balancerRole(f: Fleet) {
  const b = demoConfigValues(f).balancer! as { kind: string; upstreamFile?: string; reload?: string; adminSocket?: string };
  return b.kind === 'nginx'
    ? { kind: 'nginx', pool: 'web', port: 3000, upstream_file: b.upstreamFile, upstream_name: 'app', reload: b.reload, drain_timeout: 5 }
    : { kind: 'haproxy', pool: 'web', port: 3000, admin_socket: b.adminSocket, backend: 'app', drain_timeout: 5 };
}

/** fixtures/app on every host of the fleet, web hosts in batches of one behind the balancer. */
export function tieredProject(f: Fleet, repo: AppRepo, o: { deployTo?: string; extra?: Record<string, unknown> } = {}) {
  return project(f, {
    source: { repository: repo.url },
    deployTo: o.deployTo ?? f.media?.deployTo ?? '/srv/demo',
    extra: {
      roles: { web: { batch: 1 }, balancer: { balancer: balancerRole(f) } },
      health: { path: '/health', port: 3000, retries: 20, interval: 0.25, log: 'log/app.log' },
      ...o.extra,
    },
  });
}

export async function currentOf(f: Fleet, deployTo: string, host: string): Promise<string> {
  return (await sshRun(f, host, `readlink '${deployTo}/current' | xargs -r basename`)).stdout.trim();
}

/** Per web host, whether the balancer really sends it requests: nginx's upstream file, haproxy's runtime state. */
export async function rotationOf(f: Fleet): Promise<Record<string, 'in' | string>> {
  const lb = lbOf(f);
  const out: Record<string, string> = {};
  if (f.balancer!.kind === 'nginx') {
    const r = await sshRun(f, lb, `cat ${LB_UPSTREAM}`);
    const servers = parseUpstream(r.stdout).servers;
    for (const w of webs(f)) {
      const s = servers.find((x) => x.name === w);
      out[w] = !s ? 'missing' : s.down ? 'down' : 'in';
    }
  } else {
    const r = await sshRun(f, lb, `printf '%s\\n' 'show servers state app' | socat stdio unix-connect:/srv/lb/haproxy.sock`);
    const states = parseServersState(r.stdout);
    for (const w of webs(f)) {
      const s = states.find((x) => x.server === w);
      out[w] = !s ? 'missing' : s.admin !== 'ready' ? s.admin : s.weight === 0 ? 'weight 0' : 'in';
    }
  }
  return out;
}

export interface JsonEvent {
  type: string;
  time: string;
  step?: string;
  host?: string;
  hosts?: string[];
  role?: string;
  action?: string;
  index?: number;
  ok?: boolean;
  release?: string;
  message?: string;
  command?: string;
  to?: string;
  error?: string;
  exitCode?: number;
  summary?: { hosts: { host: string; outcome: string; current: string | null }[] };
}

export interface Streamed {
  code: number;
  stderr: string;
  events: JsonEvent[];
  /** ms since epoch when the child exited. */
  exitedAt: number;
}

/**
 * The built CLI with --json, its events handed to `onEvent` as they come (to interrupt it at a chosen event, or to
 * break something on a host between two steps).
 */
export async function streamCli(
  args: readonly string[],
  onEvent: (e: JsonEvent, signal: (s: NodeJS.Signals) => void) => void | Promise<void> = () => {},
): Promise<Streamed> {
  // forceKillAfterDelay: a SIGTERM'd deploy switches back for longer than execa's default 5 s before a SIGKILL.
  const child = execa('node', [join(repoRoot, 'dist', 'cli', 'bin.js'), ...args, '--json'], {
    reject: false,
    env: { CI: 'true' },
    timeout: 240_000,
    forceKillAfterDelay: false,
  });
  const events: JsonEvent[] = [];
  const handlers: Promise<void>[] = [];
  let buffer = '';
  child.stdout?.on('data', (c: Buffer) => {
    buffer += c.toString();
    const lines = buffer.split('\n');
    buffer = lines.pop() ?? '';
    for (const line of lines.filter(Boolean)) {
      const e = JSON.parse(line) as JsonEvent;
      events.push(e);
      handlers.push(Promise.resolve(onEvent(e, (s) => child.kill(s))));
    }
  });
  const r = await child;
  const exitedAt = Date.now();
  await Promise.all(handlers);
  return { code: r.exitCode ?? -1, stderr: String(r.stderr), events, exitedAt };
}

/** Per pool host, the last `drain` event's action: what the run said about its rotation at the end. */
export function lastSaid(events: readonly JsonEvent[]): Record<string, string> {
  const said: Record<string, string> = {};
  for (const e of events) if (e.type === 'drain' && e.host) said[e.host] = e.action === 'ready' ? 'in' : 'out';
  return said;
}

/** Shell text that kills the app a deploy to `deployTo` left running on a host, by its pid file (`$p` names it after). */
export const killApp = (deployTo: string): string =>
  `p='${deployTo}/shared/tmp/pids/app.pid'; [ -f "$p" ] && kill "$(cat "$p")" 2>/dev/null`;

/** Stops the app of `deployTo` on every web host (any release's bin/stop: they share the pid file), if one runs. */
export async function stopApps(f: Fleet, deployTo: string): Promise<void> {
  const stop = `s=$(ls -d '${deployTo}'/releases/*/bin/stop 2>/dev/null | tail -n 1); if [ -n "$s" ]; then "$s"; fi`;
  await Promise.all(webs(f).map((h) => sshRun(f, h, stop)));
}

const NGINX = `/usr/sbin/nginx -c ${LB_NGINX_CONF}`;
/** Where the fleet's nginx logs in the `deploy_upstream` format while `logUpstream` is on (docs/traffic.md). */
export const ACCESS_LOG = `${LB_DIR}/logs/upstream.log`;

async function onLb(f: Fleet, command: string, input?: string): Promise<string> {
  const r = await sshRun(f, lbOf(f), command, input === undefined ? {} : { input });
  if (r.code !== 0) throw new Error(`${lbOf(f)}: ${command}: exit ${r.code}: ${r.stderr}`);
  return r.stdout;
}

/**
 * Turns on the fleet nginx's access log in the `deploy_upstream` format (the counters a canary and a watch read)
 * and returns what puts nginx.conf and the tool's upstream file back as they were, the log removed.
 */
export async function logUpstream(f: Fleet): Promise<() => Promise<void>> {
  const conf = await onLb(f, `cat ${LB_NGINX_CONF}`);
  const upstream = await onLb(f, `cat ${LB_UPSTREAM}`);
  if (!conf.includes('access_log off;')) throw new Error(`${LB_NGINX_CONF} has no 'access_log off;' to replace`);
  const logged = conf.replace('access_log off;', `${ACCESS_LOG_FORMAT}\n  access_log ${ACCESS_LOG} deploy_upstream;`);
  await onLb(f, `cat > ${LB_NGINX_CONF} && ${NGINX} -t -q && ${NGINX} -s reload`, logged);
  return async () => {
    await onLb(f, `cat > ${LB_UPSTREAM}`, upstream);
    await onLb(f, `cat > ${LB_NGINX_CONF} && ${NGINX} -t -q && ${NGINX} -s reload && rm -f ${ACCESS_LOG}`, conf);
  };
}
