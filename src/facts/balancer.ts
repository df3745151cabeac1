import { findSocat, readUpstream, showServersState, showStat } from '../commands/balancer.js';
import { fact, FactParseError, lines, type Fact } from './fact.js';

// ── nginx upstream file ─────────────────────────────────────────────────────────────────────────────────────────

export interface UpstreamEntry {
  readonly address: string;
  readonly port: number;
  readonly down: boolean;
  /** From the `# name` comment this tool writes after each server; absent in hand-written files. */
  readonly name?: string;
  /** `weight=`, when the line sets one. */
  readonly weight?: number;
}

export interface NginxUpstream {
  /** Name of the first `upstream` block; null when the file is empty or missing. */
  readonly name: string | null;
  readonly servers: readonly UpstreamEntry[];
}

const SERVER = /(?<=^|[;{}\s])server\s+([^\s;]+)([^;]*);/g;

function splitAddress(spec: string): { address: string; port: number } {
  const m = /^(\[[^\]]+\]|[^:]+|unix:.*)(?::(\d+))?$/.exec(spec);
  if (!m) throw new FactParseError('nginx upstream', `not a server address: ${spec}`, spec);
  const address = m[1]!.startsWith('[') ? m[1]!.slice(1, -1) : m[1]!;
  return { address, port: m[2] ? Number(m[2]) : 80 };
}

/** The servers of an upstream include file, in file order, and which of them are `down`. */
export function parseUpstream(stdout: string): NginxUpstream {
  let name: string | null = null;
  const servers: UpstreamEntry[] = [];
  for (const line of lines(stdout)) {
    const hash = line.indexOf('#');
    const code = hash < 0 ? line : line.slice(0, hash);
    const comment = hash < 0 ? '' : line.slice(hash + 1).trim();
    name ??= /(?:^|\s)upstream\s+([^\s{]+)\s*\{/.exec(code)?.[1] ?? null;
    const found = [...code.matchAll(SERVER)];
    for (const m of found) {
      const params = m[2]!.trim().split(/\s+/);
      const label = found.length === 1 && /^[A-Za-z0-9][A-Za-z0-9_.-]*$/.test(comment) ? comment : undefined;
      const weight = Number(/^weight=(\d+)$/.exec(params.find((p) => p.startsWith('weight=')) ?? '')?.[1] ?? NaN);
      servers.push({
        ...splitAddress(m[1]!),
        down: params.includes('down'),
        ...(label ? { name: label } : {}),
        ...(Number.isInteger(weight) ? { weight } : {}),
      });
    }
  }
  return { name, servers };
}

export const upstreamFile = (file: string): Fact<NginxUpstream> => fact(readUpstream(file), parseUpstream);

// ── haproxy runtime API ─────────────────────────────────────────────────────────────────────────────────────────

/** haproxy answers a successful `set server` with an empty line, a failed one with a message. */
export function runtimeError(stdout: string): string | undefined {
  const text = stdout.trim();
  return text === '' ? undefined : text;
}

export type Operational = 'stopped' | 'starting' | 'running' | 'stopping';
export type Admin = 'ready' | 'drain' | 'maint';

export interface ServerStatus {
  readonly backend: string;
  readonly server: string;
  readonly address: string;
  /** srv_op_state: what health checks say. */
  readonly operational: Operational;
  /** srv_admin_state: what an operator (or this tool) set. Maintenance wins over drain. */
  readonly admin: Admin;
  /** srv_uweight: the weight now; 0 takes no new requests, whatever the states say. Absent when not listed. */
  readonly weight?: number;
}

const OPERATIONAL: readonly Operational[] = ['stopped', 'starting', 'running', 'stopping'];
// srv_admin_state bits (haproxy's SRV_ADMF_*): forced, inherited, resolver and hostname maintenance, then forced and
// inherited drain. Not 0x04 (configured maintenance, `disabled`): haproxy keeps that bit as a record of the config
// after `set server … state ready`, and checks and serves the server all the same.
const MAINT_BITS = 0x01 | 0x02 | 0x20 | 0x40;
const DRAIN_BITS = 0x08 | 0x10;

function columns(header: string | undefined, separator: string | RegExp, what: string, stdout: string): Map<string, number> {
  if (!header?.startsWith('#')) throw new FactParseError(what, `no "#" header line: ${(header ?? '').slice(0, 200)}`, stdout);
  const names = header.slice(1).trim().split(separator);
  return new Map(names.map((n, i) => [n, i]));
}

function field(row: readonly string[], cols: ReadonlyMap<string, number>, name: string, what: string, stdout: string): string {
  const i = cols.get(name);
  if (i === undefined) throw new FactParseError(what, `no ${name} column`, stdout);
  const value = row[i];
  if (value === undefined) throw new FactParseError(what, `no ${name} in: ${row.join(' ')}`, stdout);
  return value;
}

/**
 * `show servers state <backend>`: a format version line (`1`), a `# be_id be_name …` header, then one line per
 * server. Empty output (nothing ran) reads as no servers; anything else, such as `Can't find backend.`, throws.
 */
export function parseServersState(stdout: string): ServerStatus[] {
  const what = 'haproxy show servers state';
  const rows = lines(stdout).filter((l) => l.trim() !== '');
  if (rows.length === 0) return [];
  if (rows[0]!.trim() !== '1') throw new FactParseError(what, rows[0]!.trim(), stdout);
  const cols = columns(rows[1], /\s+/, what, stdout);
  return rows.slice(2).map((line) => {
    const row = line.trim().split(/\s+/);
    const get = (name: string) => field(row, cols, name, what, stdout);
    const op = Number(get('srv_op_state'));
    const admin = Number(get('srv_admin_state'));
    const operational = OPERATIONAL[op];
    if (!operational || !Number.isInteger(admin)) throw new FactParseError(what, `unexpected states in: ${line}`, stdout);
    const weight = cols.has('srv_uweight') ? Number(get('srv_uweight')) : undefined;
    if (weight !== undefined && !Number.isInteger(weight))
      throw new FactParseError(what, `srv_uweight is not a number in: ${line}`, stdout);
    return {
      backend: get('be_name'),
      server: get('srv_name'),
      address: get('srv_addr'),
      operational,
      admin: admin & MAINT_BITS ? 'maint' : admin & DRAIN_BITS ? 'drain' : 'ready',
      ...(weight !== undefined ? { weight } : {}),
    };
  });
}

export interface ServerStat {
  readonly backend: string;
  readonly server: string;
  /** `scur`: sessions the server is handling now. */
  readonly sessions: number;
  /** UP, DOWN, DRAIN, MAINT, `UP 1/2`, `no check` … */
  readonly status: string;
}

/** `show stat` CSV, servers only (not the FRONTEND/BACKEND summary rows). */
export function parseStat(stdout: string): ServerStat[] {
  const what = 'haproxy show stat';
  const rows = lines(stdout).filter((l) => l.trim() !== '');
  if (rows.length === 0) return [];
  const cols = columns(rows[0], ',', what, stdout);
  return rows
    .slice(1)
    .map((line) => line.split(','))
    .filter((row) => row[1] !== 'FRONTEND' && row[1] !== 'BACKEND')
    .map((row) => {
      const get = (name: string) => field(row, cols, name, what, stdout);
      const sessions = Number(get('scur') || '0');
      if (!Number.isInteger(sessions)) throw new FactParseError(what, `scur is not a number: ${row.join(',')}`, stdout);
      return { backend: get('pxname'), server: get('svname'), sessions, status: get('status') };
    });
}

export const serversState = (socket: string, backend: string): Fact<ServerStatus[]> =>
  fact(showServersState(socket, backend), parseServersState);

export const serverStats = (socket: string): Fact<ServerStat[]> => fact(showStat(socket), parseStat);

/** Whether socat is installed (a plan run, where nothing runs, reads as not installed). */
export const socatInstalled = (): Fact<boolean> => fact(findSocat(), (stdout) => stdout.trim() !== '');
