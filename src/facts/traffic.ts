import { showStat } from '../commands/balancer.js';
import { fact, FactParseError, lines, type Fact } from './fact.js';

/** What one pool server answered within a window. */
export interface ServerTraffic {
  /** Requests it answered (or failed to answer). */
  readonly requests: number;
  /** Of those: 5xx answers, connections refused or cut, no answer. */
  readonly errors: number;
  /** Response times in ms, one per request (nginx's access log). */
  readonly times: readonly number[];
  /** haproxy: its average response time (`rtime`, over the server's last 1024 requests) in ms. */
  readonly avgMs?: number;
}

// ── nginx: the `deploy_upstream` access log (docs/traffic.md) ─────────────────────────────────────────────────────

/** The log_format a traffic canary reads; docs/traffic.md shows it in an nginx.conf. */
export const ACCESS_LOG_FORMAT = `log_format deploy_upstream '$msec $status "$upstream_addr" "$upstream_status" "$upstream_response_time"';`;

export interface AccessLogChunk {
  /** Per upstream address (`127.0.1.1:3000`), what it answered in the complete lines read. */
  readonly servers: ReadonlyMap<string, ServerTraffic>;
  /** Bytes of complete lines (a cut-off last line is left for the next read). */
  readonly consumed: number;
  /** Lines that were not in the format (counted, not fatal: a log may hold lines written before the format). */
  readonly skipped: number;
}

const LINE = /^(\d+(?:\.\d+)?) (\d{3}) "([^"]*)" "([^"]*)" "([^"]*)"$/;

/**
 * Lines of the `deploy_upstream` log. A request nginx tried on several servers (`proxy_next_upstream`) lists them
 * all, comma-separated (` : ` between upstream groups): each attempt counts for its server, failed by its own
 * upstream status (5xx, or none when the connection failed), so a canary that refuses or errors is seen even when
 * the client got its answer from the next server. Requests no upstream served (`-`) count for nobody.
 */
export function parseAccessLog(stdout: string): AccessLogChunk {
  const end = stdout.lastIndexOf('\n') + 1;
  const complete = stdout.slice(0, end);
  const acc = new Map<string, { requests: number; errors: number; times: number[] }>();
  let skipped = 0;
  for (const line of lines(complete)) {
    if (line.trim() === '') continue;
    const m = LINE.exec(line.trim());
    if (!m) {
      skipped++;
      continue;
    }
    const addrs = split(m[3]!);
    const statuses = split(m[4]!);
    const times = split(m[5]!);
    addrs.forEach((addr, i) => {
      if (addr === '-' || addr === '') return;
      const status = Number(statuses[i]);
      const ms = Number(times[i]) * 1000;
      const s = acc.get(addr) ?? { requests: 0, errors: 0, times: [] };
      s.requests++;
      if (!Number.isInteger(status) || status >= 500) s.errors++;
      if (Number.isFinite(ms) && times[i] !== '-') s.times.push(Math.round(ms));
      acc.set(addr, s);
    });
  }
  return { servers: acc, consumed: Buffer.byteLength(complete), skipped };
}

const split = (field: string) => field.split(/\s*(?:,|:(?=\s))\s*/).map((s) => s.trim());

// ── haproxy: `show stat` counters ──────────────────────────────────────────────────────────────────────────────

export interface ServerCounters {
  readonly backend: string;
  readonly server: string;
  /** Responses by class and errors, cumulative since haproxy started. */
  readonly responses: number;
  readonly errors: number;
  /** `rtime`: average response time in ms over the server's last 1024 requests. */
  readonly rtime: number;
}

/**
 * `show stat` CSV, server rows: responses (`hrsp_*`) and errors (`hrsp_5xx`, `eresp` response errors, `econ`
 * connection errors), cumulative; a window is the difference of two readings (see trafficBetween).
 */
export function parseStatCounters(stdout: string): ServerCounters[] {
  const what = 'haproxy show stat';
  const rows = lines(stdout).filter((l) => l.trim() !== '');
  if (rows.length === 0) return [];
  const header = rows[0]!;
  if (!header.startsWith('#')) throw new FactParseError(what, `no "#" header line: ${header.slice(0, 200)}`, stdout);
  const cols = new Map(
    header
      .slice(1)
      .trim()
      .split(',')
      .map((n, i) => [n, i]),
  );
  for (const need of ['pxname', 'svname', 'hrsp_5xx', 'econ', 'eresp', 'rtime']) {
    if (!cols.has(need)) throw new FactParseError(what, `no ${need} column`, stdout);
  }
  const num = (row: string[], name: string) => {
    const i = cols.get(name);
    const v = i === undefined ? '' : (row[i] ?? '');
    const n = v === '' ? 0 : Number(v);
    if (!Number.isFinite(n)) throw new FactParseError(what, `${name} is not a number: ${row.join(',')}`, stdout);
    return n;
  };
  return rows
    .slice(1)
    .map((l) => l.split(','))
    .filter((row) => row[1] !== 'FRONTEND' && row[1] !== 'BACKEND')
    .map((row) => {
      const answered = ['hrsp_1xx', 'hrsp_2xx', 'hrsp_3xx', 'hrsp_4xx', 'hrsp_5xx', 'hrsp_other'].reduce((sum, c) => sum + num(row, c), 0);
      const failed = num(row, 'econ') + num(row, 'eresp');
      return {
        backend: row[cols.get('pxname')!]!,
        server: row[cols.get('svname')!]!,
        responses: answered + failed,
        errors: num(row, 'hrsp_5xx') + failed,
        rtime: num(row, 'rtime'),
      };
    });
}

/** What each server of `backend` answered between two readings (a server restarted in between counts from 0). */
export function trafficBetween(
  before: readonly ServerCounters[],
  after: readonly ServerCounters[],
  backend: string,
): Map<string, ServerTraffic> {
  const out = new Map<string, ServerTraffic>();
  for (const a of after.filter((c) => c.backend === backend)) {
    const b = before.find((c) => c.backend === backend && c.server === a.server);
    const reset = !b || a.responses < b.responses || a.errors < b.errors;
    const requests = reset ? a.responses : a.responses - b.responses;
    const errors = reset ? a.errors : a.errors - b.errors;
    out.set(a.server, { requests, errors, times: [], avgMs: a.rtime });
  }
  return out;
}

// ── numbers of a window ─────────────────────────────────────────────────────────────────────────────────────────

/** The p-th percentile (nearest rank) of `values`; undefined for none. */
export function percentile(values: readonly number[], p: number): number | undefined {
  if (values.length === 0) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))];
}

/** Several servers' traffic as one (times pooled, haproxy averages weighted by requests). */
export function combine(parts: readonly ServerTraffic[]): ServerTraffic {
  const requests = parts.reduce((s, p) => s + p.requests, 0);
  const errors = parts.reduce((s, p) => s + p.errors, 0);
  const times = parts.flatMap((p) => p.times);
  const averaged = parts.filter((p) => p.avgMs !== undefined);
  const weight = averaged.reduce((s, p) => s + p.requests, 0);
  const avgMs =
    averaged.length === 0
      ? undefined
      : weight > 0
        ? averaged.reduce((s, p) => s + p.avgMs! * p.requests, 0) / weight
        : averaged.reduce((s, p) => s + p.avgMs!, 0) / averaged.length;
  return { requests, errors, times, ...(avgMs !== undefined ? { avgMs: Math.round(avgMs) } : {}) };
}

export const statCounters = (socket: string): Fact<ServerCounters[]> => fact(showStat(socket), parseStatCounters);
