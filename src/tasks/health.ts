import { healthUrl, MAX_REDIRECTS } from '../commands/health.js';
import { paths, within } from '../commands/paths.js';
import { read } from '../shell/command.js';
import type { HostDef } from '../config/types.js';
import { StepFailedError } from '../errors.js';
import { healthCheck, type HealthResponse } from '../facts/health.js';
import type { RunContext } from './context.js';
import { exec } from './runner.js';
import { sleep } from './wait.js';

const STEP = 'health';

export function isHealthy(expected: { status: number; contains?: string }, r: HealthResponse): boolean {
  return r.status === expected.status && (expected.contains === undefined || r.body.includes(expected.contains));
}

export interface HealthAnswer {
  readonly ok: boolean;
  readonly response: HealthResponse;
  /** Why nothing usable came back (curl's complaint, an unparsable answer); empty when something did. */
  readonly error: string;
}

/** One health check of the app on the host's own address, reported as a `health` event. */
export async function checkHealth(ctx: RunContext, host: HostDef, attempt = 1): Promise<HealthAnswer> {
  const h = ctx.config.health;
  if (!h) return { ok: true, response: { status: 0, body: '' }, error: '' };
  const check = healthCheck({ address: host.address, port: h.port, path: h.path, timeout: h.timeout, followRedirects: h.followRedirects });
  const result = await exec(ctx, STEP, host, check.command, { allowFail: true });
  let response: HealthResponse = { status: 0, body: '' };
  let error = '';
  try {
    response = check.parse(result.stdout);
    error = result.code === 0 ? '' : result.stderr.trim();
  } catch (e) {
    error = e instanceof Error ? e.message : String(e);
  }
  const ok = isHealthy(h, response);
  ctx.emit({
    type: 'health',
    host: host.name,
    ok,
    attempt,
    status: response.status || undefined,
    detail: ok ? undefined : error || undefined,
  });
  return { ok, response, error };
}

/**
 * `HTTP 500: {"ok":false}`, `HTTP/1.1 302 Found, Location: /login/` or `no answer (curl: (7) …)`: what a check got,
 * for messages.
 */
export function describeAnswer(a: HealthAnswer): string {
  const r = a.response;
  if (!r.status) return `no answer${a.error ? ` (${a.error})` : ''}`;
  if (r.location !== undefined) return `${r.statusLine ?? `HTTP ${r.status}`}, Location: ${r.location}`;
  return `HTTP ${r.status}: ${r.body.slice(0, 300)}`;
}

/** What to do about a redirect the check did not expect. */
export function redirectHint(h: { status: number; followRedirects: boolean }, r: HealthResponse): string | undefined {
  if (r.status < 300 || r.status > 399 || h.status === r.status) return undefined;
  return h.followRedirects
    ? `the redirects went on for more than ${MAX_REDIRECTS} hops: point health.path at the page they end on`
    : 'point health.path at a page that answers without a redirect, or set health.follow_redirects: true';
}

/**
 * Asks the app on the host's own address until it answers as expected, `retries` times at most; the waits between
 * attempts end at once when the run is interrupted. Outside a real run the probe runs once and its answer (the old
 * release's, or none) is not judged.
 */
export async function waitHealthy(ctx: RunContext, host: HostDef): Promise<void> {
  const h = ctx.config.health;
  if (!h) return;
  const attempts = ctx.mode === 'real' ? h.retries + 1 : 1;
  let last: HealthAnswer | undefined;
  for (let attempt = 1; attempt <= attempts; attempt++) {
    last = await checkHealth(ctx, host, attempt);
    if (last.ok || ctx.mode !== 'real') return;
    if (attempt < attempts) await sleep(h.interval * 1000, ctx.signal);
  }
  const url = healthUrl({ address: host.address, port: h.port, path: h.path });
  const expected = `HTTP ${h.status}${h.contains !== undefined ? ` with "${h.contains}" in the body` : ''}`;
  const hint = [redirectHint(h, last!.response), await logTail(ctx, host)].filter((x) => x !== undefined).join('\n') || undefined;
  throw new StepFailedError(
    host.name,
    STEP,
    `GET ${url} expected ${expected}, got ${describeAnswer(last!)} after ${attempts} attempts`,
    hint,
  );
}

/** The last lines of the app's log on the host (health.log), to show why it is unhealthy. */
async function logTail(ctx: RunContext, host: HostDef): Promise<string | undefined> {
  const log = ctx.config.health?.log;
  if (!log) return undefined;
  const file = within(paths(ctx.config.deployTo).current, log);
  const r = await exec(
    { ...ctx, signal: undefined },
    STEP,
    host,
    read(['tail', '-n', '20', file], { description: `show the end of ${log}` }),
    { allowFail: true },
  );
  return r.code === 0 && r.stdout.trim() ? `last lines of ${file}:\n${r.stdout.trimEnd()}` : undefined;
}
