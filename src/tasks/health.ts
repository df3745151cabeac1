import { healthUrl } from '../commands/health.js';
import { paths, within } from '../commands/paths.js';
import { read } from '../shell/command.js';
import type { HostDef } from '../config/types.js';
import { StepFailedError } from '../errors.js';
import { healthCheck, type HealthResponse } from '../facts/health.js';
import type { RunContext } from './context.js';
import { exec } from './runner.js';

const STEP = 'health';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export function isHealthy(expected: { status: number; contains?: string }, r: HealthResponse): boolean {
  return r.status === expected.status && (expected.contains === undefined || r.body.includes(expected.contains));
}

/**
 * Asks the app on the host's own address until it answers as expected, `retries` times at most. Outside a real
 * run the probe runs once and its answer (the old release's, or none) is not judged.
 */
export async function waitHealthy(ctx: RunContext, host: HostDef): Promise<void> {
  const h = ctx.config.health;
  if (!h) return;
  const check = healthCheck({ address: host.address, port: h.port, path: h.path, timeout: h.timeout });
  const attempts = ctx.mode === 'real' ? h.retries + 1 : 1;
  let last: HealthResponse = { status: 0, body: '' };
  let error = '';
  for (let attempt = 1; attempt <= attempts; attempt++) {
    const result = await exec(ctx, STEP, host, check.command, { allowFail: true });
    try {
      last = check.parse(result.stdout);
      error = result.code === 0 ? '' : result.stderr.trim();
    } catch (e) {
      error = e instanceof Error ? e.message : String(e);
    }
    const ok = isHealthy(h, last);
    ctx.emit({ type: 'health', host: host.name, ok, attempt, status: last.status || undefined, detail: ok ? undefined : error || undefined });
    if (ok || ctx.mode !== 'real') return;
    if (attempt < attempts) await sleep(h.interval * 1000);
  }
  const url = healthUrl({ address: host.address, port: h.port, path: h.path });
  const expected = `HTTP ${h.status}${h.contains !== undefined ? ` with "${h.contains}" in the body` : ''}`;
  const got = last.status ? `HTTP ${last.status}: ${last.body.slice(0, 300)}` : `no answer${error ? ` (${error})` : ''}`;
  throw new StepFailedError(host.name, STEP, `GET ${url} expected ${expected}, got ${got} after ${attempts} attempts`, await logTail(ctx, host));
}

/** The last lines of the app's log on the host (health.log), to show why it is unhealthy. */
async function logTail(ctx: RunContext, host: HostDef): Promise<string | undefined> {
  const log = ctx.config.health?.log;
  if (!log) return undefined;
  const file = within(paths(ctx.config.deployTo).current, log);
  const r = await exec({ ...ctx, signal: undefined }, STEP, host, read(['tail', '-n', '20', file], { description: `show the end of ${log}` }), { allowFail: true });
  return r.code === 0 && r.stdout.trim() ? `last lines of ${file}:\n${r.stdout.trimEnd()}` : undefined;
}
