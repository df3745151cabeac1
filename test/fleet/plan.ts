import { dirname, isAbsolute, join, normalize, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { SshTarget } from '../../src/backends/backend.js';

export interface FleetHost {
  name: string;
  address: string;
  port: number;
  user: string;
  roles: string[];
}

export interface Fleet {
  hosts: FleetHost[];
  key: string;
  knownHosts: string;
  sshConfig: string;
  stateDir: string;
  balancer?: { kind: 'nginx' | 'haproxy'; url: string; host: string };
  media?: { url: string; host: string; deployTo: string };
  databaseUrl?: string;
}

/** A fleet host as the SSH backend reaches it: the fleet's key and known_hosts, host keys checked. */
export function sshTarget(f: Fleet, name: string, over: Partial<SshTarget> = {}): SshTarget {
  const h = f.hosts.find((x) => x.name === name);
  if (!h) throw new Error(`no host ${name} in the fleet (hosts: ${f.hosts.map((x) => x.name).join(', ')})`);
  return {
    name: h.name,
    address: h.address,
    port: h.port,
    user: h.user,
    identityFiles: [f.key],
    knownHosts: [f.knownHosts],
    strictHostKeys: true,
    forwardAgent: false,
    connectTimeoutMs: 5000,
    keepaliveIntervalMs: 10_000,
    ...over,
  };
}

export interface FleetOptions {
  webs?: number;
  balancer?: 'nginx' | 'haproxy' | false;
  postgres?: boolean;
  media?: boolean;
  net?: string;
  stateDir?: string;
  jsonPath?: string;
  mediaDeployTo?: string;
  /** A jump host `bastion1` (no app, sshd with OpenSSH's default MaxStartups 10:30:100 and MaxSessions 10). */
  bastion?: boolean;
}

export type ResolvedOptions = Required<FleetOptions>;

export class FleetError extends Error {
  constructor(
    message: string,
    readonly hint?: string,
  ) {
    super(hint ? `${message}\n  → ${hint}` : message);
    this.name = 'FleetError';
  }
}

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const DEPLOY_USER = 'deploy';
export const SSH_PORT = 22;
export const APP_PORT = 3000;
export const LB_PORT = 8080;
export const MEDIA_PORT = 8080;
export const PG_PORT = 5432;
/** While refused, sshd listens here instead of on port 22 (see refuse()). */
export const REFUSED_SSH_PORT = 2222;
export const MAX_WEBS = 200;
/** OpenSSH's default, on the bastion as on a real one. */
export const BASTION_MAX_STARTUPS = '10:30:100';

export const DEFAULTS: ResolvedOptions = {
  webs: 2,
  balancer: 'nginx',
  postgres: true,
  media: true,
  net: '127.0.1',
  stateDir: '/var/tmp/deploy-fleet',
  jsonPath: join(repoRoot, '.fleet', 'fleet.json'),
  mediaDeployTo: '/srv/demo',
  bastion: false,
};

/** Paths bind-mounted per host: a state dir beneath them would be hidden inside the hosts. */
const OVERMOUNTED = ['/tmp', '/srv', '/var/www', '/home'];

type Env = Record<string, string | undefined>;

function envFlag(env: Env, name: string): boolean | undefined {
  const v = env[name];
  if (v === undefined || v === '') return undefined;
  if (['1', 'true', 'yes'].includes(v)) return true;
  if (['0', 'false', 'no'].includes(v)) return false;
  throw new FleetError(`${name}=${v} is not a boolean`, `use ${name}=1 or ${name}=0`);
}

function envBalancer(env: Env): ResolvedOptions['balancer'] | undefined {
  const v = env.FLEET_BALANCER;
  if (v === undefined || v === '') return undefined;
  if (v === 'nginx' || v === 'haproxy') return v;
  if (v === 'none' || v === '0' || v === 'false') return false;
  throw new FleetError(`FLEET_BALANCER=${v} is not a balancer`, 'use nginx, haproxy or none');
}

/** Explicit options win over FLEET_* environment variables, which win over the defaults. */
export function resolveOptions(o: FleetOptions = {}, env: Env = process.env): ResolvedOptions {
  const websEnv = env.FLEET_WEBS ? Number(env.FLEET_WEBS) : undefined;
  const r: ResolvedOptions = {
    webs: o.webs ?? websEnv ?? DEFAULTS.webs,
    balancer: o.balancer ?? envBalancer(env) ?? DEFAULTS.balancer,
    postgres: o.postgres ?? envFlag(env, 'FLEET_POSTGRES') ?? DEFAULTS.postgres,
    media: o.media ?? envFlag(env, 'FLEET_MEDIA') ?? DEFAULTS.media,
    net: o.net ?? (env.FLEET_NET || DEFAULTS.net),
    stateDir: resolve(o.stateDir ?? (env.FLEET_STATE || DEFAULTS.stateDir)),
    jsonPath: resolve(o.jsonPath ?? (env.FLEET_JSON || DEFAULTS.jsonPath)),
    mediaDeployTo: o.mediaDeployTo ?? (env.FLEET_MEDIA_DEPLOY_TO || DEFAULTS.mediaDeployTo),
    bastion: o.bastion ?? envFlag(env, 'FLEET_BASTION') ?? DEFAULTS.bastion,
  };
  validate(r);
  return r;
}

function validate(o: ResolvedOptions): void {
  if (!Number.isInteger(o.webs) || o.webs < 1 || o.webs > MAX_WEBS) {
    throw new FleetError(`webs must be an integer from 1 to ${MAX_WEBS}, got ${o.webs}`);
  }
  parseNet(o.net);
  const s = normalize(o.stateDir);
  if (s === '/' || OVERMOUNTED.some((p) => s === p || s.startsWith(`${p}/`))) {
    throw new FleetError(
      `state dir ${o.stateDir} is not usable`,
      `pick a directory outside ${OVERMOUNTED.join(', ')} (they are mounted per host), e.g. /var/tmp/deploy-fleet-2`,
    );
  }
  const d = o.mediaDeployTo;
  if (!isAbsolute(d) || !/^\/srv(\/[A-Za-z0-9_.-]+)+$/.test(d) || d.split('/').includes('..')) {
    throw new FleetError(`mediaDeployTo must be a plain absolute path under /srv, got ${d}`);
  }
}

/** "127.A.B" → [A, B]. 127.0.0 is refused: 127.0.0.1 is every machine's localhost. */
export function parseNet(net: string): [number, number] {
  const m = /^127\.(\d{1,3})\.(\d{1,3})$/.exec(net);
  const a = Number(m?.[1]);
  const b = Number(m?.[2]);
  if (!m || a > 255 || b > 255 || (a === 0 && b === 0)) {
    throw new FleetError(
      `net ${net} is not a usable address block`,
      'give three octets inside 127.0.0.0/8 other than 127.0.0, e.g. 127.0.3',
    );
  }
  return [a, b];
}

/** A second block for a throwaway fleet next to the main one: 127.A.B → 127.(A+1).B. */
export function siblingNet(net: string): string {
  const [a, b] = parseNet(net);
  if (a === 255) throw new FleetError(`net ${net} has no sibling block`, 'use a net whose second octet is below 255');
  return `127.${a + 1}.${b}`;
}

/**
 * web1–web9 → .1–.9, web10–web164 → .100–.254, web165–web200 → .31–.66; .10, .20, .30 are db1, media1, lb1 and
 * .99 is bastion1.
 */
export function webAddress(net: string, i: number): string {
  if (!Number.isInteger(i) || i < 1 || i > MAX_WEBS) throw new FleetError(`no address for web${i}`);
  return `${net}.${i <= 9 ? i : i <= 164 ? 90 + i : i - 134}`;
}

export interface HostPlan {
  name: string;
  address: string;
  roles: string[];
}

export function planHosts(o: ResolvedOptions): HostPlan[] {
  const hosts: HostPlan[] = [];
  for (let i = 1; i <= o.webs; i++) hosts.push({ name: `web${i}`, address: webAddress(o.net, i), roles: ['web'] });
  if (o.postgres) hosts.push({ name: 'db1', address: `${o.net}.10`, roles: ['db'] });
  if (o.media) hosts.push({ name: 'media1', address: `${o.net}.20`, roles: ['media'] });
  if (o.balancer) hosts.push({ name: 'lb1', address: `${o.net}.30`, roles: ['balancer'] });
  if (o.bastion) hosts.push({ name: 'bastion1', address: `${o.net}.99`, roles: ['bastion'] });
  return hosts;
}

/** Where people find an ssh_config next to the fleet json: .fleet/ssh_config for .fleet/fleet.json. */
export function peopleSshConfigPath(jsonPath: string): string {
  const base = jsonPath.replace(/\.json$/, '');
  return base.endsWith('/fleet') ? join(dirname(jsonPath), 'ssh_config') : `${base}.ssh_config`;
}
