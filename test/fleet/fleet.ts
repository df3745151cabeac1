import { spawn } from 'node:child_process';
import {
  chmodSync,
  chownSync,
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { execa } from 'execa';
import {
  BASTION_MAX_STARTUPS,
  APP_PORT,
  DEPLOY_USER,
  FleetError,
  LB_PORT,
  MEDIA_PORT,
  PG_PORT,
  REFUSED_SSH_PORT,
  SSH_PORT,
  peopleSshConfigPath,
  planHosts,
  repoRoot,
  resolveOptions,
  type Fleet,
  type FleetHost,
  type FleetOptions,
  type HostPlan,
  type ResolvedOptions,
} from './plan.js';
import {
  childrenOf,
  isListening,
  isRunning,
  mapLimit,
  pidNamespace,
  pidsInNamespaces,
  sshBanner,
  startTime,
  tcpListeners,
  waitFor,
} from './proc.js';
import {
  LB_DIR,
  LB_HAPROXY_CFG,
  LB_HAPROXY_SOCKET,
  LB_NGINX_CONF,
  LB_UPSTREAM,
  LB_BETA,
  MEDIA_DIR,
  MEDIA_NGINX_CONF,
  haproxyConf,
  knownHostsLine,
  nginxBalancerConf,
  nginxMediaConf,
  nginxUpstreamConf,
  nginxBetaConf,
  sshClientConfig,
  sshdConfig,
} from './render.js';
import { ensureDeployUser, ensurePackages, postgresBin, requireRoot, type DeployUser } from './system.js';

export { resolveOptions } from './plan.js';
export type { Fleet, FleetHost, FleetOptions } from './plan.js';
export { sshTarget } from './plan.js';

type Service = 'nginx-balancer' | 'haproxy' | 'postgres' | 'media-nginx';

interface HostState extends FleetHost {
  dir: string;
  services: Service[];
  /** Size of the tmpfs mounted on /srv, or null for the host's on-disk srv dir. */
  srvMb: number | null;
  refused: boolean;
  unsharePid: number | null;
  unshareStart: string | null;
  initPid: number | null;
  pidns: string | null;
}

interface FleetState {
  version: 1;
  options: ResolvedOptions;
  user: DeployUser;
  pgBin: string;
  fleet: Fleet;
  hosts: HostState[];
}

/** Present in every state dir this module created; nothing else is ever deleted. */
const MARKER = '.deploy-fleet';

let logger: (msg: string) => void = process.env.FLEET_VERBOSE === '1' ? (m) => console.error(`[fleet] ${m}`) : () => {};

/** Progress messages (which hosts start, what is installed); silent unless set or FLEET_VERBOSE=1. */
export function setFleetLogger(fn: (msg: string) => void): void {
  logger = fn;
}

// ---------------------------------------------------------------- state

const stateFile = (dir: string) => join(dir, 'state.json');

function loadState(stateDir: string): FleetState | undefined {
  const file = stateFile(stateDir);
  if (!existsSync(file)) return undefined;
  return JSON.parse(readFileSync(file, 'utf8')) as FleetState;
}

function mustLoadState(f: Fleet): FleetState {
  const s = loadState(f.stateDir);
  if (!s) throw new FleetError(`no fleet state in ${f.stateDir}`, 'the fleet is down; start it with npm run fleet:up');
  return s;
}

function saveState(s: FleetState): void {
  const file = stateFile(s.options.stateDir);
  writeFileSync(`${file}.tmp`, JSON.stringify(s, null, 2));
  renameSync(`${file}.tmp`, file);
}

function hostOf(s: FleetState, name: string): HostState {
  const h = s.hosts.find((x) => x.name === name || x.address === name);
  if (!h) throw new FleetError(`no host ${name} in the fleet`, `hosts: ${s.hosts.map((x) => x.name).join(', ')}`);
  return h;
}

function hostAlive(h: HostState): boolean {
  return h.initPid !== null && h.pidns !== null && pidNamespace(h.initPid) === h.pidns && isRunning(h.initPid);
}

function unshareAlive(h: HostState): boolean {
  return h.unsharePid !== null && isRunning(h.unsharePid) && startTime(h.unsharePid) === h.unshareStart;
}

function tail(file: string, lines = 15): string {
  try {
    return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}

// ---------------------------------------------------------------- public API

export function readFleet(jsonPath?: string): Fleet {
  const path = resolve(jsonPath ?? resolveOptions().jsonPath);
  if (!existsSync(path)) throw new FleetError(`no fleet description at ${path}`, 'start a fleet with npm run fleet:up');
  return JSON.parse(readFileSync(path, 'utf8')) as Fleet;
}

export interface SshResult {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * Runs a shell command on a host as the deploy user through the system ssh, strict host keys, no prompts.
 * Calls ride on the host's shared connection (ControlMaster) when it has one: ~10 ms instead of ~200 ms a command.
 */
export function sshRun(f: Fleet, host: string, command: string, o: { input?: string; timeoutMs?: number } = {}): Promise<SshResult> {
  return ssh(f, host, command, o, muxOptions(f, 'use'));
}

// ssh falls back to a connection of its own when the shared one is busy (more than MaxSessions=10 channels) and
// says so on stderr; that is our plumbing, not the command's output.
const MUX_NOISE = /^(mux_client_\w+: .*|ControlSocket .* already exists, disabling multiplexing)\r?\n?/gm;

async function ssh(f: Fleet, host: string, command: string, o: { input?: string; timeoutMs?: number }, mux: string[]): Promise<SshResult> {
  const timeout = o.timeoutMs ?? 60_000;
  const r = await execa('ssh', ['-F', f.sshConfig, '-o', 'BatchMode=yes', '-o', 'StrictHostKeyChecking=yes', ...mux, '--', host, command], {
    reject: false,
    timeout,
    ...(o.input !== undefined ? { input: o.input } : { stdin: 'ignore' as const }),
  });
  const stderr = r.stderr.replace(MUX_NOISE, '');
  return {
    code: r.exitCode ?? 255,
    stdout: r.stdout,
    stderr: r.timedOut ? `${stderr}\nssh ${host}: timed out after ${timeout} ms`.trim() : stderr,
  };
}

function muxPath(f: Fleet): string | undefined {
  const dir = join(f.stateDir, 'mux');
  // A unix socket path has at most 107 bytes; ssh adds a 40-char hash and, while binding, a 17-char suffix.
  return dir.length <= 48 && existsSync(dir) ? `${dir}/%C` : undefined;
}

/**
 * The shared connection is opened once, by the login check when a host boots ('open'); sshRun only uses it
 * ('use'), because concurrent ControlMaster=auto clients race to become master and warn about it. Without a live
 * master, ssh quietly connects on its own.
 */
function muxOptions(f: Fleet, mode: 'open' | 'use'): string[] {
  const path = muxPath(f);
  if (!path) return ['-o', 'ControlMaster=no', '-o', 'ControlPath=none'];
  return mode === 'open'
    ? ['-o', 'ControlMaster=yes', '-o', `ControlPath=${path}`, '-o', 'ControlPersist=yes']
    : ['-o', 'ControlMaster=no', '-o', `ControlPath=${path}`];
}

/** Closes the host's shared connection, so the next command really connects (after refuse, before a stop). */
async function dropMux(f: Fleet, host: string): Promise<void> {
  const path = muxPath(f);
  if (path)
    await execa('ssh', ['-F', f.sshConfig, '-o', `ControlPath=${path}`, '-O', 'exit', host], {
      reject: false,
      stdin: 'ignore',
    });
}

async function sshCheck(f: Fleet, host: string, command: string, what: string): Promise<string> {
  const r = await sshRun(f, host, command);
  if (r.code !== 0) throw new FleetError(`${host}: ${what} failed (exit ${r.code}): ${r.stderr || r.stdout}`.trim());
  return r.stdout;
}

export async function fleetUp(opts: FleetOptions = {}): Promise<Fleet> {
  const o = resolveOptions(opts);
  requireRoot();
  await ensurePackages((m) => console.error(`[fleet] ${m}`));
  prepareStateDir(o);
  const plan = planHosts(o);
  assertAddressesFree(
    plan.map((h) => h.address),
    o.net,
  );
  const user = await ensureDeployUser();
  for (const d of ['/srv', '/var/www', user.home, '/run/sshd']) mkdirSync(d, { recursive: true });
  chmodSync('/run/sshd', 0o755);

  const client = join(o.stateDir, 'client');
  mkdirSync(client, { recursive: true, mode: 0o700 });
  mkdirSync(join(o.stateDir, 'mux'), { recursive: true, mode: 0o700 });
  const fleet: Fleet = {
    hosts: plan.map((h) => ({ name: h.name, address: h.address, port: SSH_PORT, user: DEPLOY_USER, roles: h.roles })),
    key: join(client, 'id_ed25519'),
    knownHosts: join(client, 'known_hosts'),
    sshConfig: join(client, 'ssh_config'),
    stateDir: o.stateDir,
  };
  const byRole = (role: string) => plan.find((h) => h.roles.includes(role));
  const lb = byRole('balancer');
  const media = byRole('media');
  const db = byRole('db');
  if (o.balancer && lb) fleet.balancer = { kind: o.balancer, url: `http://${lb.address}:${LB_PORT}`, host: lb.name };
  if (media) fleet.media = { url: `http://${media.address}:${MEDIA_PORT}`, host: media.name, deployTo: o.mediaDeployTo };
  if (db) fleet.databaseUrl = `postgres://postgres@${db.address}:${PG_PORT}/app`;

  const hosts: HostState[] = fleet.hosts.map((h) => ({
    ...h,
    dir: join(o.stateDir, 'hosts', h.name),
    services: servicesFor(h.roles, o),
    srvMb: null,
    refused: false,
    unsharePid: null,
    unshareStart: null,
    initPid: null,
    pidns: null,
  }));

  const t0 = Date.now();
  await keygen(fleet.key, 'deploy-fleet client');
  await mapLimit(hosts, 8, async (h) => {
    mkdirSync(h.dir, { recursive: true });
    await keygen(join(h.dir, 'ssh_host_ed25519_key'), h.name);
  });
  logger(`keys generated in ${Date.now() - t0} ms`);

  const pub = readFileSync(`${fleet.key}.pub`, 'utf8');
  for (const h of hosts) writeHostFiles(h, user, pub, o, plan);
  writeFileSync(
    fleet.knownHosts,
    `${hosts
      .map((h) => knownHostsLine(h.name, h.address, SSH_PORT, readFileSync(join(h.dir, 'ssh_host_ed25519_key.pub'), 'utf8')))
      .join('\n')}\n`,
  );
  writeFileSync(fleet.sshConfig, sshClientConfig(plan, { key: fleet.key, knownHosts: fleet.knownHosts, port: SSH_PORT }));
  await assertSshdConfig(hosts[0]!);

  const s: FleetState = { version: 1, options: o, user, pgBin: o.postgres ? postgresBin() : '', fleet, hosts };
  saveState(s);
  try {
    await bootHosts(s, hosts);
  } catch (err) {
    await stopHosts(s, s.hosts).catch(() => {});
    saveState(s);
    throw err;
  }
  mkdirSync(dirname(o.jsonPath), { recursive: true });
  writeFileSync(o.jsonPath, `${JSON.stringify(fleet, null, 2)}\n`);
  writeFileSync(peopleSshConfigPath(o.jsonPath), readFileSync(fleet.sshConfig));
  return fleet;
}

/**
 * Stops every host by its recorded PID (the kernel then kills everything else in its pid namespace), then checks
 * that no process is left in those namespaces and nothing listens on the fleet's addresses. Accepts a Fleet, the
 * path of its json, or its state dir; without an argument, the FLEET_JSON/FLEET_STATE (or default) fleet.
 */
export async function fleetDown(f?: Fleet | string): Promise<void> {
  const stateDir = stateDirOf(f);
  if (!stateDir) return;
  const s = loadState(stateDir);
  if (s) {
    await stopHosts(s, s.hosts);
    saveState(s);
    if (process.env.FLEET_KEEP_STATE !== '1') removeFleetFiles(s);
  } else if (existsSync(join(stateDir, MARKER)) && process.env.FLEET_KEEP_STATE !== '1') {
    rmSync(stateDir, { recursive: true, force: true });
  }
}

/** Whether the fleet recorded in stateDir (default: FLEET_STATE or /var/tmp/deploy-fleet) has any host running. */
export function fleetIsRunning(stateDir = resolveOptions().stateDir): boolean {
  const s = loadState(stateDir);
  return !!s && s.hosts.some(hostAlive);
}

/** Last-resort teardown for signal and exit handlers: SIGKILLs every host init synchronously. */
export function killFleetSync(stateDir: string): void {
  const s = loadState(stateDir);
  for (const h of s?.hosts ?? []) {
    try {
      if (hostAlive(h)) process.kill(h.initPid!, 'SIGKILL');
    } catch {
      // exited meanwhile
    }
  }
}

/** Kills the host's init: sshd and everything started on the host (apps, nginx, postgres) die at once. */
export async function stopHost(f: Fleet, name: string): Promise<void> {
  const s = mustLoadState(f);
  await stopHosts(s, [hostOf(s, name)]);
  saveState(s);
}

/** Boots a stopped host again with the same keys and dirs, and restarts its nginx/haproxy/postgres. */
export async function startHost(f: Fleet, name: string): Promise<void> {
  const s = mustLoadState(f);
  const h = hostOf(s, name);
  if (hostAlive(h)) return;
  await stopHosts(s, [h]); // leftovers of a half-dead host, if any
  try {
    await bootHosts(s, [h]);
  } finally {
    saveState(s);
  }
}

/**
 * New SSH connections to the host get ECONNREFUSED while the host and everything on it keeps running: sshd (the
 * host's init) re-executes on SIGHUP with a config that listens on port REFUSED_SSH_PORT instead of 22. Sessions
 * that were already open stay open.
 */
export async function refuse(f: Fleet, name: string): Promise<void> {
  const s = mustLoadState(f);
  const h = hostOf(s, name);
  if (!hostAlive(h)) throw new FleetError(`${name} is not running`, 'startHost() it first');
  writeSshdConfig(h, REFUSED_SSH_PORT);
  process.kill(h.initPid!, 'SIGHUP');
  await dropMux(s.fleet, h.name);
  await waitFor(
    `${name}: sshd to leave port ${SSH_PORT}`,
    () => !isListening(h.address, SSH_PORT) && isListening(h.address, REFUSED_SSH_PORT),
    {
      timeoutMs: 5000,
      abort: () => (hostAlive(h) ? undefined : `host died; ${tail(join(h.dir, 'sshd.log'))}`),
    },
  );
  h.refused = true;
  saveState(s);
}

/** Undoes refuse(): sshd accepts connections on port 22 again. */
export async function restore(f: Fleet, name: string): Promise<void> {
  const s = mustLoadState(f);
  const h = hostOf(s, name);
  if (!hostAlive(h)) throw new FleetError(`${name} is not running`, 'use startHost() for a stopped host');
  writeSshdConfig(h, SSH_PORT);
  await reloadSshd(h);
  h.refused = false;
  saveState(s);
  await loginCheck(s.fleet, h);
}

/**
 * Sets the host's sshd MaxStartups (`'1'`: one connection may wait for authentication, later ones are dropped
 * before the banner), or back to the fleet's default with null. Open sessions survive; restore() and startHost()
 * go back to the default too.
 */
export async function limitStartups(f: Fleet, name: string, spec: string | null): Promise<void> {
  const s = mustLoadState(f);
  const h = hostOf(s, name);
  if (!hostAlive(h)) throw new FleetError(`${name} is not running`, 'startHost() it first');
  writeSshdConfig(h, SSH_PORT, spec ?? undefined);
  await assertSshdConfig(h);
  await reloadSshd(h);
  await loginCheck(s.fleet, h);
}

/**
 * Restarts the host with /srv on a tmpfs of `mb` MiB (seeded with a copy of its srv dir), so a test can fill it.
 * Writes to /srv while small are lost when the host stops. `mb` 0 (or null) goes back to the on-disk dir.
 */
export async function smallSrv(f: Fleet, name: string, mb: number | null): Promise<void> {
  if (mb !== null && (!Number.isInteger(mb) || mb < 0)) throw new FleetError(`smallSrv: size must be a whole number of MiB, got ${mb}`);
  const s = mustLoadState(f);
  const h = hostOf(s, name);
  await stopHosts(s, [h]);
  h.srvMb = mb || null;
  try {
    await bootHosts(s, [h]);
  } finally {
    saveState(s);
  }
}

/**
 * Drops every SSH connection to the host while the host keeps running: SIGKILLs the per-connection sshd
 * processes (children of the host's sshd, which is its init) and the session processes under them. Clients see
 * the connection close mid-command or mid-upload; what the sessions started keeps running unless something kills
 * it. Returns how many sshd processes were killed.
 */
export function dropConnections(f: Fleet, name: string): number {
  const s = mustLoadState(f);
  const h = hostOf(s, name);
  if (!hostAlive(h)) throw new FleetError(`${name} is not running`, 'startHost() it first');
  const victims: number[] = [];
  const walk = (pid: number) => {
    for (const child of childrenOf(pid)) {
      if (!cmdline(child).startsWith('sshd: ')) continue;
      victims.push(child);
      walk(child);
    }
  };
  walk(h.initPid!);
  for (const pid of victims) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // gone meanwhile
    }
  }
  return victims.length;
}

/**
 * Runs a program inside the host (its mount, UTS and pid namespaces: its /srv, /tmp and process table) as root,
 * or as `user` (e.g. `nobody`, to look at the host as another, unprivileged user would). Not through SSH.
 */
export async function hostExec(
  f: Fleet,
  name: string,
  argv: readonly string[],
  o: { user?: string; timeoutMs?: number; input?: string } = {},
): Promise<SshResult> {
  const s = mustLoadState(f);
  const h = hostOf(s, name);
  if (!hostAlive(h)) throw new FleetError(`${name} is not running`, 'startHost() it first');
  const as = o.user ? ['runuser', '-u', o.user, '--'] : [];
  const r = await execa('nsenter', ['-t', String(h.initPid), '-m', '-u', '-p', '--', ...as, ...argv], {
    reject: false,
    timeout: o.timeoutMs ?? 30_000,
    ...(o.input !== undefined ? { input: o.input } : { stdin: 'ignore' as const }),
  });
  return { code: r.exitCode ?? 255, stdout: r.stdout, stderr: r.stderr };
}

function cmdline(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ').trim();
  } catch {
    return '';
  }
}

export interface HostStatus {
  name: string;
  address: string;
  roles: string[];
  running: boolean;
  initPid: number | null;
  ssh: boolean;
  refused: boolean;
  srvMb: number | null;
  services: { name: string; listening: boolean }[];
}

export function fleetStatus(stateDir = resolveOptions().stateDir): HostStatus[] | undefined {
  const s = loadState(stateDir);
  if (!s) return undefined;
  return s.hosts.map((h) => ({
    name: h.name,
    address: h.address,
    roles: h.roles,
    running: hostAlive(h),
    initPid: hostAlive(h) ? h.initPid : null,
    ssh: isListening(h.address, SSH_PORT),
    refused: h.refused,
    srvMb: h.srvMb,
    services: h.services.map((svc) => ({ name: svc, listening: isListening(h.address, servicePort(svc)) })),
  }));
}

/** Facts about a running fleet for writing a demo deploy config (the config schema lives elsewhere). */
export function demoConfigValues(fleet: Fleet) {
  const role = (r: string) => fleet.hosts.filter((h) => h.roles.includes(r));
  const host = (name: string | undefined) => fleet.hosts.find((h) => h.name === name);
  const lb = host(fleet.balancer?.host);
  const media = host(fleet.media?.host);
  const db = role('db')[0];
  const deployTo = fleet.media?.deployTo ?? '/srv/demo';
  return {
    ssh: {
      user: DEPLOY_USER,
      port: SSH_PORT,
      key: fleet.key,
      knownHosts: fleet.knownHosts,
      sshConfig: fleet.sshConfig,
    },
    hosts: fleet.hosts.map(({ name, address, roles }) => ({ name, address, roles })),
    web: role('web').map(({ name, address }) => ({
      name,
      address,
      port: APP_PORT,
      healthUrl: `http://${address}:${APP_PORT}/health`,
    })),
    app: {
      source: join(repoRoot, 'fixtures', 'app'),
      deployTo,
      port: APP_PORT,
      healthPath: '/health',
      start: 'bin/start',
      stop: 'bin/stop',
      restart: 'bin/restart',
      migrate: 'npm run migrate',
      install: 'npm ci --omit=dev --no-audit --no-fund',
      env: {
        ...(fleet.databaseUrl ? { DATABASE_URL: fleet.databaseUrl } : {}),
        ...(fleet.media ? { MEDIA_URL: fleet.media.url } : {}),
      },
    },
    ...(db && fleet.databaseUrl ? { db: { host: db.name, address: db.address, databaseUrl: fleet.databaseUrl } } : {}),
    ...(fleet.media && media
      ? {
          media: {
            host: media.name,
            address: media.address,
            url: fleet.media.url,
            deployTo: fleet.media.deployTo,
            assetUrl: `${fleet.media.url}/assets/{release}/{file}`,
            currentAssetUrl: `${fleet.media.url}/assets/current/{file}`,
          },
        }
      : {}),
    ...(fleet.balancer && lb
      ? {
          balancer: {
            kind: fleet.balancer.kind,
            host: lb.name,
            address: lb.address,
            url: fleet.balancer.url,
            backend: 'app',
            ...(fleet.balancer.kind === 'nginx'
              ? {
                  upstreamFile: LB_UPSTREAM,
                  config: LB_NGINX_CONF,
                  reload: `/usr/sbin/nginx -c ${LB_NGINX_CONF} -t -q && /usr/sbin/nginx -c ${LB_NGINX_CONF} -s reload`,
                }
              : {
                  config: LB_HAPROXY_CFG,
                  adminSocket: LB_HAPROXY_SOCKET,
                  adminCommand: `socat stdio ${LB_HAPROXY_SOCKET}`,
                }),
          },
        }
      : {}),
  };
}

// ---------------------------------------------------------------- setup steps

function servicesFor(roles: string[], o: ResolvedOptions): Service[] {
  const out: Service[] = [];
  if (roles.includes('balancer') && o.balancer) out.push(o.balancer === 'nginx' ? 'nginx-balancer' : 'haproxy');
  if (roles.includes('db')) out.push('postgres');
  if (roles.includes('media')) out.push('media-nginx');
  return out;
}

function servicePort(svc: Service): number {
  return svc === 'postgres' ? PG_PORT : svc === 'media-nginx' ? MEDIA_PORT : LB_PORT;
}

function stateDirOf(f: Fleet | string | undefined): string | undefined {
  if (typeof f === 'object') return f.stateDir;
  if (f === undefined) return resolveOptions().stateDir;
  const p = resolve(f);
  if (!existsSync(p)) return undefined;
  return statSync(p).isDirectory() ? p : readFleet(p).stateDir;
}

function prepareStateDir(o: ResolvedOptions): void {
  const dir = o.stateDir;
  if (existsSync(dir)) {
    const s = loadState(dir);
    if (s?.hosts.some(hostAlive)) {
      throw new FleetError(
        `a fleet is already running from ${dir}`,
        'stop it with npm run fleet:down (or fleetDown()), reuse it with FLEET_REUSE=1, or pick another FLEET_STATE and FLEET_NET',
      );
    }
    if (!existsSync(join(dir, MARKER)) && readdirSync(dir).length > 0) {
      throw new FleetError(`${dir} exists and was not created by the test fleet`, 'pick another FLEET_STATE or remove it');
    }
    if (s) {
      const ns = new Set(s.hosts.map((h) => h.pidns).filter((x): x is string => !!x));
      const stray = pidsInNamespaces(
        ns,
        s.hosts.map((h) => join(dir, 'hosts', h.name)),
      );
      if (stray.length)
        throw new FleetError(`processes ${stray.join(', ')} are still in the old fleet's namespaces`, 'run npm run fleet:down');
    }
    rmSync(dir, { recursive: true, force: true });
  }
  mkdirSync(dir, { recursive: true, mode: 0o755 });
  writeFileSync(join(dir, MARKER), 'state of a deploy test fleet (test/fleet); fleetDown() removes it\n');
}

function assertAddressesFree(addresses: string[], net: string): void {
  const ours = new Set(addresses);
  const ports = new Set([SSH_PORT, APP_PORT, LB_PORT, PG_PORT, REFUSED_SSH_PORT]);
  const busy = tcpListeners().filter((l) => ours.has(l.address) || (l.address === '0.0.0.0' && ports.has(l.port)));
  if (busy.length) {
    const list = busy.map((l) => `${l.address}:${l.port}`).join(', ');
    throw new FleetError(
      `addresses the fleet needs are in use: ${list}`,
      `another fleet may be running on ${net}: stop it (npm run fleet:down with its FLEET_STATE) or use another block, e.g. FLEET_NET=127.0.7 FLEET_STATE=/var/tmp/deploy-fleet-7`,
    );
  }
}

async function keygen(path: string, comment: string): Promise<void> {
  await execa('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', comment, '-f', path]);
}

function ownedDir(path: string, u: DeployUser, mode = 0o755): void {
  mkdirSync(path, { recursive: true });
  chownSync(path, u.uid, u.gid);
  chmodSync(path, mode);
}

function ownedFile(path: string, content: string, u: DeployUser, mode = 0o644): void {
  writeFileSync(path, content);
  chownSync(path, u.uid, u.gid);
  chmodSync(path, mode);
}

function writeHostFiles(h: HostState, u: DeployUser, clientPub: string, o: ResolvedOptions, plan: HostPlan[]): void {
  for (const d of ['srv', 'www', 'home']) ownedDir(join(h.dir, d), u);
  mkdirSync(join(h.dir, 'tmp'), { recursive: true });
  chmodSync(join(h.dir, 'tmp'), 0o1777);
  ownedDir(join(h.dir, 'home', '.ssh'), u, 0o700);
  ownedFile(join(h.dir, 'home', '.ssh', 'authorized_keys'), clientPub, u, 0o600);
  writeSshdConfig(h, SSH_PORT);

  const srv = (p: string) => join(h.dir, 'srv', p.replace(/^\/srv\//, ''));
  const webs = plan.filter((p) => p.roles.includes('web'));
  if (h.services.includes('nginx-balancer') || h.services.includes('haproxy')) {
    for (const d of [LB_DIR, `${LB_DIR}/logs`, `${LB_DIR}/tmp`]) ownedDir(srv(d), u);
    if (h.services.includes('nginx-balancer')) {
      ownedFile(srv(LB_NGINX_CONF), nginxBalancerConf(h.address), u);
      ownedFile(srv(LB_UPSTREAM), nginxUpstreamConf(webs), u);
      ownedFile(srv(LB_BETA), nginxBetaConf(), u);
    } else {
      ownedFile(srv(LB_HAPROXY_CFG), haproxyConf(h.address, webs), u);
    }
  }
  if (h.services.includes('media-nginx')) {
    for (const d of [MEDIA_DIR, `${MEDIA_DIR}/logs`, `${MEDIA_DIR}/tmp`]) ownedDir(srv(d), u);
    ownedFile(srv(MEDIA_NGINX_CONF), nginxMediaConf(h.address, o.mediaDeployTo), u);
  }
}

function writeSshdConfig(h: HostState, port: number, maxStartups?: string): void {
  const limit = maxStartups ?? (h.roles.includes('bastion') ? BASTION_MAX_STARTUPS : undefined);
  writeFileSync(
    join(h.dir, 'sshd_config'),
    sshdConfig({
      name: h.name,
      address: h.address,
      port,
      hostKey: join(h.dir, 'ssh_host_ed25519_key'),
      ...(limit ? { maxStartups: limit } : {}),
    }),
  );
}

async function assertSshdConfig(h: HostState): Promise<void> {
  const r = await execa('/usr/sbin/sshd', ['-t', '-f', join(h.dir, 'sshd_config')], { reject: false, all: true });
  if (r.exitCode !== 0) throw new FleetError(`sshd rejects the generated config ${join(h.dir, 'sshd_config')}: ${r.all ?? ''}`);
}

// ---------------------------------------------------------------- host lifecycle

/**
 * Runs inside the host's fresh namespaces, then becomes its sshd (PID 1). Arguments: name, host dir, /srv tmpfs
 * MiB (0 = bind the on-disk dir), deploy uid, gid, home.
 */
const HOST_INIT = `set -e
hostname "$1"
if [ "$3" -gt 0 ]; then
  mount -t tmpfs -o "size=$3m,mode=0755,uid=$4,gid=$5" fleet-srv /srv
  cp -a "$2/srv/." /srv/
else
  mount --bind "$2/srv" /srv
fi
mount --bind "$2/www" /var/www
mount --bind "$2/home" "$6"
mount --bind "$2/tmp" /tmp
mount -t tmpfs -o size=64m,mode=1777 fleet-shm /dev/shm
exec /usr/sbin/sshd -D -e -f "$2/sshd_config"
`;

function launchHost(s: FleetState, h: HostState): void {
  const log = join(h.dir, 'sshd.log');
  const fd = openSync(log, 'a');
  // setsid: a Ctrl-C or a closed terminal must not reach the hosts; they are stopped by PID.
  const child = spawn(
    'setsid',
    [
      'unshare',
      '--mount',
      '--propagation',
      'private',
      '--uts',
      '--ipc',
      '--pid',
      '--fork',
      '--mount-proc',
      '--kill-child=SIGTERM',
      '/bin/sh',
      '-c',
      HOST_INIT,
      'fleet-init',
      h.name,
      h.dir,
      String(h.srvMb ?? 0),
      String(s.user.uid),
      String(s.user.gid),
      s.user.home,
    ],
    { stdio: ['ignore', fd, fd] },
  );
  closeSync(fd);
  child.on('error', (err) => writeFileSync(log, `spawn failed: ${err.message}\n`, { flag: 'a' }));
  child.unref();
  if (child.pid === undefined) throw new FleetError(`${h.name}: could not start setsid/unshare`);
  h.unsharePid = child.pid;
  h.unshareStart = startTime(child.pid);
  h.initPid = null;
  h.pidns = null;
}

async function waitInit(h: HostState): Promise<void> {
  const log = join(h.dir, 'sshd.log');
  const initPid = await waitFor(`${h.name}: namespace init`, () => (unshareAlive(h) ? childrenOf(h.unsharePid!)[0] : undefined), {
    timeoutMs: 5000,
    intervalMs: 5,
    abort: () => (unshareAlive(h) ? undefined : `unshare exited before starting sshd:\n${tail(log)}`),
  });
  const ns = pidNamespace(initPid);
  if (!ns || ns === pidNamespace(process.pid)) throw new FleetError(`${h.name}: pid ${initPid} is not in a new pid namespace`);
  h.initPid = initPid;
  h.pidns = ns;
}

async function waitReady(h: HostState): Promise<void> {
  await waitFor(`${h.name}: sshd on ${h.address}:${SSH_PORT}`, () => sshBanner(h.address, SSH_PORT), {
    timeoutMs: 15_000,
    abort: () => (hostAlive(h) ? undefined : `host exited:\n${tail(join(h.dir, 'sshd.log'))}`),
  });
}

const LISTENING = /^Server listening on /gm;

/**
 * SIGHUP: sshd re-executes itself with its config. Until it has, the old one still answers; then its port is closed
 * for a moment: ready means that the new one says it listens, and sends its banner.
 */
async function reloadSshd(h: HostState): Promise<void> {
  const log = join(h.dir, 'sshd.log');
  const listening = () => (existsSync(log) ? (readFileSync(log, 'utf8').match(LISTENING)?.length ?? 0) : 0);
  const before = listening();
  process.kill(h.initPid!, 'SIGHUP');
  await waitFor(`${h.name}: sshd listening again after SIGHUP`, () => listening() > before, {
    timeoutMs: 15_000,
    abort: () => (hostAlive(h) ? undefined : `host exited:\n${tail(log)}`),
  });
  await waitReady(h);
}

async function loginCheck(f: Fleet, h: HostState): Promise<void> {
  const r = await ssh(f, h.name, 'hostname', {}, muxOptions(f, 'open'));
  if (r.code !== 0) throw new FleetError(`${h.name}: login as ${DEPLOY_USER} failed (exit ${r.code}): ${r.stderr}`.trim());
  const name = r.stdout.trim();
  if (name !== h.name) throw new FleetError(`${h.name}: logged in, but hostname says ${name}`);
}

async function bootHosts(s: FleetState, hosts: HostState[]): Promise<void> {
  const t0 = Date.now();
  for (const h of hosts) {
    writeSshdConfig(h, SSH_PORT);
    h.refused = false;
    launchHost(s, h);
  }
  saveState(s);
  await Promise.all(hosts.map(waitInit));
  saveState(s);
  await Promise.all(hosts.map(waitReady));
  logger(`${hosts.length} sshd listening after ${Date.now() - t0} ms`);
  await mapLimit(hosts, 16, (h) => loginCheck(s.fleet, h));
  logger(`${hosts.length} hosts accept logins after ${Date.now() - t0} ms`);
  await Promise.all(hosts.map((h) => startServices(s, h)));
  logger(`services up after ${Date.now() - t0} ms`);
}

async function startServices(s: FleetState, h: HostState): Promise<void> {
  for (const svc of h.services) {
    const t0 = Date.now();
    await sshCheck(s.fleet, h.name, serviceCommand(s, h, svc), `starting ${svc}`);
    await waitFor(`${h.name}: ${svc} on ${h.address}:${servicePort(svc)}`, () => isListening(h.address, servicePort(svc)), {
      timeoutMs: 10_000,
    });
    logger(`${h.name}: ${svc} started in ${Date.now() - t0} ms`);
  }
}

function serviceCommand(s: FleetState, h: HostState, svc: Service): string {
  switch (svc) {
    case 'nginx-balancer':
      return `/usr/sbin/nginx -c ${LB_NGINX_CONF} -e ${LB_DIR}/logs/error.log`;
    case 'media-nginx':
      return `/usr/sbin/nginx -c ${MEDIA_NGINX_CONF} -e ${MEDIA_DIR}/logs/error.log`;
    case 'haproxy': {
      const log = `${LB_DIR}/logs/haproxy.log`;
      return `/usr/sbin/haproxy -f ${LB_HAPROXY_CFG} -D </dev/null >>${log} 2>&1 || { tail -n 20 ${log} >&2; exit 1; }`;
    }
    case 'postgres': {
      const bin = s.pgBin;
      const firstBoot = !existsSync(join(h.dir, 'srv', 'pg', 'data', 'PG_VERSION'));
      const settings = [
        `listen_addresses=${h.address}`,
        `port=${PG_PORT}`,
        'unix_socket_directories=/tmp',
        'fsync=off',
        'synchronous_commit=off',
        'full_page_writes=off',
        'max_connections=300',
      ]
        .map((x) => `-c ${x}`)
        .join(' ');
      return [
        'set -e',
        ...(firstBoot
          ? [
              'mkdir -p /srv/pg',
              `${bin}/initdb --no-sync -A trust -U postgres -E UTF8 --locale=C.UTF-8 -D /srv/pg/data >/srv/pg/initdb.log 2>&1 || { cat /srv/pg/initdb.log >&2; exit 1; }`,
            ]
          : []),
        // The host has just booted, so a postmaster.pid is stale, and its pid may now belong to another process.
        'rm -f /srv/pg/data/postmaster.pid',
        `${bin}/pg_ctl -D /srv/pg/data -l /srv/pg/server.log -w -t 30 -s -o '${settings}' start || { tail -n 20 /srv/pg/server.log >&2; exit 1; }`,
        ...(firstBoot ? [`${bin}/createdb -h /tmp -U postgres app`] : []),
      ].join('\n');
    }
  }
}

async function stopHosts(s: FleetState, hosts: HostState[]): Promise<void> {
  const namespaces = new Set(hosts.map((h) => h.pidns).filter((x): x is string => !!x));
  const dirs = hosts.map((h) => h.dir);
  await Promise.all(hosts.filter(hostAlive).map((h) => dropMux(s.fleet, h.name)));
  for (const h of hosts) {
    if (hostAlive(h)) process.kill(h.initPid!, 'SIGTERM');
    else if (unshareAlive(h)) process.kill(h.unsharePid!, 'SIGTERM');
  }
  const gone = () => hosts.every((h) => !unshareAlive(h) && !hostAlive(h)) && pidsInNamespaces(namespaces, dirs).length === 0;
  const stopped = await waitFor('hosts to exit', gone, { timeoutMs: 5000, intervalMs: 10 }).catch(() => false);
  if (!stopped) {
    const stray = [...pidsInNamespaces(namespaces, dirs), ...hosts.filter(unshareAlive).map((h) => h.unsharePid!)];
    logger(`SIGKILL to ${stray.length} process(es) that outlived their host: ${stray.join(', ')}`);
    for (const pid of stray) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // exited meanwhile
      }
    }
    await waitFor('hosts to exit after SIGKILL', gone, { timeoutMs: 3000 }).catch(() => false);
  }
  const addresses = new Set(hosts.map((h) => h.address));
  const listening = () => tcpListeners().filter((l) => addresses.has(l.address));
  await waitFor('listeners to close', () => listening().length === 0, { timeoutMs: 3000 }).catch(() => false);

  const leftPids = pidsInNamespaces(namespaces, dirs);
  const leftListeners = listening();
  for (const h of hosts) {
    if (!hostAlive(h) && !unshareAlive(h)) {
      h.initPid = h.pidns = h.unsharePid = h.unshareStart = null;
    }
  }
  if (leftPids.length || leftListeners.length) {
    throw new FleetError(
      `teardown of ${hosts.map((h) => h.name).join(', ')} left ` +
        [
          leftPids.length ? `processes ${leftPids.join(', ')} in the hosts' pid namespaces` : '',
          leftListeners.length ? `listeners on ${leftListeners.map((l) => `${l.address}:${l.port}`).join(', ')}` : '',
        ]
          .filter(Boolean)
          .join(' and '),
      `state is in ${s.options.stateDir}; kill those PIDs by hand`,
    );
  }
}

function removeFleetFiles(s: FleetState): void {
  const { jsonPath, stateDir } = s.options;
  try {
    if (existsSync(jsonPath) && readFleet(jsonPath).stateDir === stateDir) {
      rmSync(jsonPath, { force: true });
      rmSync(peopleSshConfigPath(jsonPath), { force: true });
    }
  } catch {
    // an unreadable json is left for a person to look at
  }
  if (existsSync(join(stateDir, MARKER))) rmSync(stateDir, { recursive: true, force: true });
}
