import { healthUrl } from '../commands/health.js';
import { paths, within } from '../commands/paths.js';
import { read } from '../shell/command.js';
import { StepFailedError } from '../errors.js';
import { healthCheck } from '../facts/health.js';
import { exec } from './runner.js';
import { sleep } from './wait.js';
const STEP = 'health';
export function isHealthy(expected, r) {
    return r.status === expected.status && (expected.contains === undefined || r.body.includes(expected.contains));
}
/** One health check of the app on the host's own address, reported as a `health` event. */
export async function checkHealth(ctx, host, attempt = 1) {
    const h = ctx.config.health;
    if (!h)
        return { ok: true, response: { status: 0, body: '' }, error: '' };
    const check = healthCheck({ address: host.address, port: h.port, path: h.path, timeout: h.timeout });
    const result = await exec(ctx, STEP, host, check.command, { allowFail: true });
    let response = { status: 0, body: '' };
    let error = '';
    try {
        response = check.parse(result.stdout);
        error = result.code === 0 ? '' : result.stderr.trim();
    }
    catch (e) {
        error = e instanceof Error ? e.message : String(e);
    }
    const ok = isHealthy(h, response);
    ctx.emit({ type: 'health', host: host.name, ok, attempt, status: response.status || undefined, detail: ok ? undefined : error || undefined });
    return { ok, response, error };
}
/** `HTTP 500: {"ok":false}` or `no answer (curl: (7) …)`: what a check got, for messages. */
export function describeAnswer(a) {
    return a.response.status ? `HTTP ${a.response.status}: ${a.response.body.slice(0, 300)}` : `no answer${a.error ? ` (${a.error})` : ''}`;
}
/**
 * Asks the app on the host's own address until it answers as expected, `retries` times at most; the waits between
 * attempts end at once when the run is interrupted. Outside a real run the probe runs once and its answer (the old
 * release's, or none) is not judged.
 */
export async function waitHealthy(ctx, host) {
    const h = ctx.config.health;
    if (!h)
        return;
    const attempts = ctx.mode === 'real' ? h.retries + 1 : 1;
    let last;
    for (let attempt = 1; attempt <= attempts; attempt++) {
        last = await checkHealth(ctx, host, attempt);
        if (last.ok || ctx.mode !== 'real')
            return;
        if (attempt < attempts)
            await sleep(h.interval * 1000, ctx.signal);
    }
    const url = healthUrl({ address: host.address, port: h.port, path: h.path });
    const expected = `HTTP ${h.status}${h.contains !== undefined ? ` with "${h.contains}" in the body` : ''}`;
    throw new StepFailedError(host.name, STEP, `GET ${url} expected ${expected}, got ${describeAnswer(last)} after ${attempts} attempts`, await logTail(ctx, host));
}
/** The last lines of the app's log on the host (health.log), to show why it is unhealthy. */
async function logTail(ctx, host) {
    const log = ctx.config.health?.log;
    if (!log)
        return undefined;
    const file = within(paths(ctx.config.deployTo).current, log);
    const r = await exec({ ...ctx, signal: undefined }, STEP, host, read(['tail', '-n', '20', file], { description: `show the end of ${log}` }), { allowFail: true });
    return r.code === 0 && r.stdout.trim() ? `last lines of ${file}:\n${r.stdout.trimEnd()}` : undefined;
}
//# sourceMappingURL=health.js.map