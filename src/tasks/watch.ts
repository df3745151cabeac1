import type { Config, HostDef, WatchDef } from '../config/types.js';
import { ConfigError, DeployError, ExitCode } from '../errors.js';
import { combine } from '../facts/traffic.js';
import { describeNumbers, formatRate } from '../output/canary.js';
import type { TrafficNumbers, WatchEvent, WatchLimits } from '../output/events.js';
import { balancerPools } from './balancer.js';
import { judge, trafficNumbers } from './canary.js';
import type { RunContext } from './context.js';
import { healthRoles } from './env.js';
import { checkHealth, describeAnswer } from './health.js';
import type { Rotation, TrafficWindow } from './switch.js';
import { sleep } from './wait.js';

const SAMPLE_MS = 1000;
/** A host fails the watch when its health check fails this many readings in a row (one miss may be a blip). */
export const HEALTH_FAILS = 2;

/**
 * The stage's watch, or undefined. Fails before anything runs when the error rate cannot be read: an nginx balancer
 * without its `access_log`.
 */
export function watchSpec(config: Config): WatchDef | undefined {
  const spec = config.watch;
  if (!spec) return undefined;
  const blind = balancerPools(config).find((p) => p.def.kind === 'nginx' && !p.def.accessLog);
  if (blind) {
    throw ConfigError.single(
      config.file,
      `watch reads the balancer's error rate, and the nginx balancer of role ${blind.role} has no balancer.access_log`,
      'log requests in the deploy_upstream format and name the file in balancer.access_log (docs/traffic.md)',
    );
  }
  return spec;
}

export interface WatchReading {
  readonly fleet: TrafficNumbers;
  /** Hosts whose health check failed HEALTH_FAILS readings in a row (only when the watch asks health). */
  readonly unhealthy: readonly string[];
}

/**
 * The verdict on a watch's reading. A host that keeps failing its health check fails it at once; the error rate
 * fails on evidence before the window's end (as a canary's, tasks/canary.ts `judge`) and on any request at its end.
 */
export function judgeWatch(r: WatchReading, limits: WatchLimits, final: boolean): { ok: boolean | undefined; reason?: string } {
  const over: string[] = [];
  if (limits.health && r.unhealthy.length > 0) over.push(`${r.unhealthy.join(', ')} failed ${HEALTH_FAILS} health checks in a row`);
  const numbers = judge(r.fleet, { maxErrorRate: limits.maxErrorRate }, final);
  if (numbers.ok === false) over.push(`the fleet's ${numbers.reason} (${describeNumbers(r.fleet)})`);
  if (over.length > 0) return { ok: false, reason: over.join('; ') };
  if (!final) return { ok: undefined };
  return r.fleet.requests > 0
    ? { ok: true }
    : { ok: true, reason: 'no request reached the fleet through a balancer in the window: judged by health checks only' };
}

export type WatchOutcome =
  | { readonly ok: true; readonly interrupted?: string }
  | { readonly ok: false; readonly reason: string; readonly event: WatchEvent };

/**
 * Watches the app hosts for `spec.duration` after the last batch: about every second the balancers' counters (what
 * every pool host answered since the watch began) and, with `health`, each host's health check. Resolves with the
 * verdict; Ctrl-C ends it at once and resolves as passed with `interrupted` (the release stays live).
 */
export async function watchFleet(
  ctx: RunContext,
  spec: WatchDef,
  hosts: readonly HostDef[],
  rotation: Rotation | undefined,
): Promise<WatchOutcome> {
  const checked = healthRoles(ctx.config);
  const apps = hosts.filter((h) => h.roles.some((r) => checked.includes(r)));
  const limits: WatchLimits = { maxErrorRate: spec.maxErrorRate, health: spec.health && ctx.config.health !== undefined };
  const windowMs = spec.duration * 1000;
  const base = { type: 'watch' as const, hosts: apps.map((h) => h.name), windowMs, limits };
  // Each reading's health answers are in the watch event; one `health` line per host and second would bury them.
  const quiet: RunContext = { ...ctx, emit: (e) => (e.type === 'health' ? undefined : ctx.emit(e)) };
  const misses = new Map<string, number>();
  let fleet = trafficNumbers({ requests: 0, errors: 0, times: [] });
  let last: WatchEvent = { ...base, phase: 'start', elapsedMs: 0, fleet, unhealthy: [] };
  const t0 = Date.now();
  ctx.emit({ type: 'step:start', step: 'watch', hosts: base.hosts });
  for (const h of base.hosts) ctx.emit({ type: 'host:start', step: 'watch', host: h });
  let passed = false;
  try {
    if (!rotation?.traffic)
      ctx.emit({
        type: 'warning',
        message: `watch: stage ${ctx.config.stage} has no balancer to count requests, so the fleet is judged by its health checks only`,
      });
    const window: TrafficWindow | undefined = rotation?.traffic ? await rotation.traffic() : undefined;
    const started = Date.now();
    ctx.emit(last);
    for (;;) {
      await sleep(Math.min(SAMPLE_MS, Math.max(0, started + windowMs - Date.now())), ctx.signal);
      const final = Date.now() >= started + windowMs;
      const [seen] = await Promise.all([
        window?.read(),
        limits.health
          ? Promise.all(
              apps.map(async (h) => {
                const a = await checkHealth(quiet, h);
                misses.set(h.name, a.ok ? 0 : (misses.get(h.name) ?? 0) + 1);
                if (!a.ok) ctx.emit({ type: 'warning', host: h.name, message: `watch: health check failed (${describeAnswer(a)})` });
              }),
            )
          : undefined,
      ]);
      if (seen) fleet = trafficNumbers(combine([...seen].filter(([h]) => base.hosts.includes(h)).map(([, t]) => t)));
      const unhealthy = apps.filter((h) => (misses.get(h.name) ?? 0) >= HEALTH_FAILS).map((h) => h.name);
      const verdict = judgeWatch({ fleet, unhealthy }, limits, final);
      last = {
        ...base,
        phase: verdict.ok === undefined ? 'sample' : 'verdict',
        elapsedMs: Math.min(windowMs, Date.now() - started),
        fleet,
        unhealthy,
        ...verdict,
      };
      ctx.emit(last);
      if (verdict.ok === undefined) continue;
      passed = verdict.ok;
      if (verdict.ok) return { ok: true };
      return { ok: false, reason: verdict.reason!, event: last };
    }
  } catch (e) {
    if (!ctx.signal?.aborted) throw e;
    const reason = `Ctrl-C ended the watch after ${Math.round((Date.now() - t0) / 1000)} of ${spec.duration} s: the new release stays live on every host, and nothing was rolled back`;
    ctx.emit({ ...last, phase: 'interrupted', elapsedMs: Math.min(windowMs, Date.now() - t0), reason });
    passed = true;
    return { ok: true, interrupted: reason };
  } finally {
    const durationMs = Date.now() - t0;
    for (const h of base.hosts) {
      const sick = last.unhealthy.includes(h);
      ctx.emit({
        type: 'host:end',
        step: 'watch',
        host: h,
        ok: !sick,
        durationMs,
        ...(sick ? { error: `failed ${HEALTH_FAILS} health checks in a row during the watch` } : {}),
      });
    }
    ctx.emit({ type: 'step:end', step: 'watch', ok: passed, durationMs });
  }
}

/** The run's error when the watch saw a regression: exit 6, with what was seen. */
export function watchFailure(reason: string, event: WatchEvent, release: string, target: string): DeployError {
  const at = `${Math.round(event.elapsedMs / 1000)}/${Math.round(event.windowMs / 1000)} s`;
  return new DeployError(
    `the watch after the switch failed at ${at}: ${reason}; every host was rolled back to ${target} and release ${release} is marked bad`,
    ExitCode.switchedBack,
    `limits: error rate ${formatRate(event.limits.maxErrorRate)}${event.limits.health ? ', health checks' : ''}; the numbers are in the JSON summary (\`watch\`) and the report`,
  );
}
