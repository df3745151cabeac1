import type { CanaryDef, Config, HostDef } from '../config/types.js';
import { ConfigError, DeployError, ExitCode } from '../errors.js';
import { combine, percentile, type ServerTraffic } from '../facts/traffic.js';
import { canaryLine, formatRate, latencyName, latencyOf } from '../output/canary.js';
import type { CanaryEvent, TrafficNumbers } from '../output/events.js';
import { balancerPools } from './balancer.js';
import type { RunContext } from './context.js';
import { healthRoles } from './env.js';
import { waitHealthy } from './health.js';
import type { Rotation } from './switch.js';
import { sleep } from './wait.js';

export const DEFAULT_CANARY_SECONDS = 60;

export interface CanaryOptions {
  /** How long the canary is watched when nobody is asked (default 60). */
  readonly seconds?: number;
  /**
   * Asks the person at the terminal and resolves with the answer; rejects when `signal` aborts. Absent when
   * nobody is there to ask (CI): the canary is then watched instead.
   */
  readonly ask?: (question: string, signal?: AbortSignal) => Promise<string>;
}

/**
 * Whether the rollout goes on after its canary: the person at the terminal decides (Enter goes on, `abort` switches
 * back); elsewhere the canary is watched for `seconds` and must still be healthy at the end. Both end at once when
 * the run is interrupted.
 */
export function canaryGate(ctx: RunContext, o: CanaryOptions = {}): (host: HostDef) => Promise<boolean> {
  return async (host) => {
    if (o.ask) {
      const answer = await o.ask(
        `The canary ${host.name} serves the new release. Enter to roll out to the rest, "abort" to switch it back: `,
        ctx.signal,
      );
      return answer.trim().toLowerCase() !== 'abort';
    }
    const wait = o.seconds !== undefined && Number.isFinite(o.seconds) && o.seconds >= 0 ? o.seconds : DEFAULT_CANARY_SECONDS;
    ctx.emit({ type: 'info', host: host.name, message: `canary: watching ${host.name} for ${wait}s before the rest` });
    await sleep(wait * 1000, ctx.signal);
    try {
      await waitHealthy(ctx, host);
      return true;
    } catch (e) {
      if (e instanceof DeployError && e.exitCode === ExitCode.interrupted) throw e;
      ctx.emit({ type: 'warning', host: host.name, message: `canary unhealthy: ${e instanceof Error ? e.message : String(e)}` });
      return false;
    }
  };
}

/** `--canary` as given: absent, present without a value, with seconds, or with a share of traffic (`10%`). */
export type CanaryFlag = boolean | number | { readonly share: number } | undefined;

/** A gate the rollout asks after the canary batch is in rotation: true goes on, false (or a throw) switches back. */
export type CanaryGate = (host: HostDef, rotation?: Rotation) => Promise<boolean>;

/**
 * The gate `--canary` asks for: none without the flag; with someone at a terminal (not CI) the question; otherwise
 * watching for the flag's seconds (default 60).
 */
export function canaryPolicy(
  ctx: RunContext,
  flag: CanaryFlag,
  where: { readonly interactive: boolean; readonly ask: NonNullable<CanaryOptions['ask']> },
): CanaryGate | undefined {
  const spec = trafficSpec(ctx.config, flag);
  if (spec) return trafficGate(ctx, spec);
  if (flag === undefined || flag === false || typeof flag === 'object') return undefined;
  if (where.interactive) return canaryGate(ctx, { ask: where.ask });
  return canaryGate(ctx, { seconds: typeof flag === 'number' ? flag : DEFAULT_CANARY_SECONDS });
}

// ── canary by share of traffic, judged by the balancer's numbers ─────────────────────────────────────────────────

/** Defaults of a `--canary 10%` when deploy.yml has no `canary` for the role. */
export const DEFAULT_TRAFFIC_CANARY: Omit<CanaryDef, 'traffic'> = { duration: 120, maxErrorRate: 0.01 };
/** A window is judged before its end only once the canary answered this many requests with this many errors. */
export const EARLY_REQUESTS = 20;
export const EARLY_ERRORS = 5;
const SAMPLE_MS = 1000;

/**
 * The traffic canary a run does, or undefined: deploy.yml's `canary` of the first role that is health-checked
 * (the canary's tier) runs on every deploy; `--canary 10%` asks for one with that share (deploy.yml's other
 * limits, else the defaults); `--canary <seconds>` sets its duration when deploy.yml has one. Fails before anything
 * runs when the stage has no balancer to share traffic through.
 */
export function trafficSpec(config: Config, flag: CanaryFlag): CanaryDef | undefined {
  const role = healthRoles(config).find((r) => config.roles[r]?.canary);
  const configured = role ? config.roles[role]!.canary : undefined;
  if (flag === false) return undefined;
  let spec: CanaryDef | undefined;
  if (typeof flag === 'object') spec = { ...(configured ?? DEFAULT_TRAFFIC_CANARY), traffic: flag.share };
  else if (configured) spec = typeof flag === 'number' ? { ...configured, duration: flag } : configured;
  if (!spec) return undefined;
  if (balancerPools(config).length === 0) {
    throw ConfigError.single(
      config.file,
      `a canary by share of traffic (${formatRate(spec.traffic)}) needs a balancer, and stage ${config.stage} has no role with a \`balancer\` mapping and hosts`,
      'add a balancer role (docs/balancer.md), or use `--canary <seconds>` to watch one whole host instead',
    );
  }
  return spec;
}

export function trafficNumbers(t: ServerTraffic): TrafficNumbers {
  const p95 = percentile(t.times, 0.95);
  return {
    requests: t.requests,
    errors: t.errors,
    errorRate: t.requests > 0 ? t.errors / t.requests : 0,
    ...(p95 !== undefined ? { p95Ms: p95 } : {}),
    ...(t.avgMs !== undefined ? { avgMs: t.avgMs } : {}),
  };
}

export interface Judgement {
  /** undefined: not decided yet (only before the window's end). */
  readonly ok: boolean | undefined;
  readonly reason?: string;
}

/**
 * The verdict on a canary's numbers. Limits hold for the canary alone (the rest is shown beside it). Before the
 * window's end a limit fails only on evidence: EARLY_REQUESTS requests and, for the error rate, EARLY_ERRORS errors.
 * At the end, any request counts; a canary that got none cannot be judged by numbers and passes on its health check.
 */
export function judge(canary: TrafficNumbers, limits: CanaryEvent['limits'], final: boolean): Judgement {
  const enough = final ? canary.requests > 0 : canary.requests >= EARLY_REQUESTS;
  const over: string[] = [];
  if (enough && canary.errorRate > limits.maxErrorRate && (final || canary.errors >= EARLY_ERRORS)) {
    over.push(`error rate ${formatRate(canary.errorRate)} is over the limit of ${formatRate(limits.maxErrorRate)}`);
  }
  const latency = latencyOf(canary);
  if (enough && limits.maxP95Ms !== undefined && latency !== undefined && latency > limits.maxP95Ms) {
    over.push(`${latencyName(canary)} response time ${latency} ms is over the limit of ${limits.maxP95Ms} ms`);
  }
  if (over.length > 0) return { ok: false, reason: over.join('; ') };
  if (!final) return { ok: undefined };
  return canary.requests > 0
    ? { ok: true }
    : { ok: true, reason: 'no request reached the canary in the window: judged by its health check only' };
}

/**
 * The canary batch gets `spec.traffic` of the requests through the balancers' weights while every other served
 * pool host keeps the rest; during `spec.duration` the balancers' counters are read about every second and the
 * canary's numbers compared with the limits. Within them (and healthy at the end): the weights go back and the
 * rollout goes on. Over a limit: the canary leaves the rotation, the weights go back, and the gate throws with the
 * numbers, which switches it back. Ctrl-C ends the window at once (the same clean-up, then the interrupt).
 */
export function trafficGate(ctx: RunContext, spec: CanaryDef): CanaryGate {
  return async (host, rotation) => {
    if (!rotation?.share || !rotation.traffic) throw new DeployError('a canary by share of traffic needs a balancer', ExitCode.stepFailed);
    const views = await rotation.views();
    const others = views.flatMap((v) => [...v.serving]).filter((h) => h !== host.name);
    if (others.length === 0) {
      ctx.emit({
        type: 'warning',
        host: host.name,
        message: `canary: no other pool host serves (a first deploy?), so there is no traffic to share; ${host.name} is judged by its health check only`,
      });
      await waitHealthy(ctx, host);
      return true;
    }
    const limits = { maxErrorRate: spec.maxErrorRate, ...(spec.maxP95Ms !== undefined ? { maxP95Ms: spec.maxP95Ms } : {}) };
    const windowMs = spec.duration * 1000;
    const calm: RunContext = { ...ctx, signal: undefined };
    const base = { type: 'canary' as const, hosts: [host.name], windowMs, limits };
    const zero = trafficNumbers({ requests: 0, errors: 0, times: [] });
    let share = spec.traffic;
    let last: CanaryEvent | undefined;
    let passed = false;
    ctx.emit({ type: 'step:start', step: 'canary', hosts: [host.name] });
    ctx.emit({ type: 'host:start', step: 'canary', host: host.name });
    const t0 = Date.now();
    try {
      share = (await rotation.share([host], spec.traffic)) ?? spec.traffic;
      const window = await rotation.traffic();
      const started = Date.now();
      ctx.emit({ ...base, phase: 'start', share, elapsedMs: 0, canary: zero, rest: zero });
      let verdict: Judgement = { ok: undefined };
      for (let final = false; verdict.ok === undefined; ) {
        await sleep(Math.min(SAMPLE_MS, Math.max(0, started + windowMs - Date.now())), ctx.signal);
        final = Date.now() >= started + windowMs;
        const seen = await window.read();
        const canary = trafficNumbers(combine([seen.get(host.name) ?? { requests: 0, errors: 0, times: [] }]));
        const rest = trafficNumbers(combine([...seen].filter(([h]) => h !== host.name).map(([, t]) => t)));
        verdict = judge(canary, limits, final);
        last = {
          ...base,
          phase: verdict.ok === undefined ? 'sample' : 'verdict',
          share,
          elapsedMs: Math.min(windowMs, Date.now() - started),
          canary,
          rest,
        };
        if (verdict.ok === undefined) ctx.emit(last);
      }
      if (verdict.ok) await waitHealthy(ctx, host);
      ctx.emit({ ...last!, ...verdict });
      if (verdict.reason && verdict.ok) ctx.emit({ type: 'warning', host: host.name, message: `canary: ${verdict.reason}` });
      if (!verdict.ok) {
        throw new DeployError(
          `the canary ${host.name} failed: ${verdict.reason} (${canaryLine(last!)})`,
          ExitCode.stepFailed,
          'its numbers are in the JSON summary (`canary`) and the report; the canary was switched back, the other hosts were not touched',
        );
      }
      passed = true;
      return true;
    } catch (e) {
      // Out of rotation before it is switched back, so that no more requests reach it.
      await rotation
        .set({ drain: [host] }, calm)
        .catch((err: unknown) =>
          ctx.emit({ type: 'warning', host: host.name, message: `canary: could not take it out of rotation: ${messageOf(err)}` }),
        );
      throw e;
    } finally {
      await rotation
        .share([], undefined, calm)
        .catch((err: unknown) =>
          ctx.emit({ type: 'warning', message: `canary: the balancer weights were not put back: ${messageOf(err)}` }),
        );
      ctx.emit({ type: 'host:end', step: 'canary', host: host.name, ok: passed, durationMs: Date.now() - t0 });
      ctx.emit({ type: 'step:end', step: 'canary', ok: passed, durationMs: Date.now() - t0 });
    }
  };
}

const messageOf = (e: unknown) => (e instanceof Error ? e.message : String(e));
