import type { PromotedFrom } from '../commands/log.js';

export type { PromotedFrom };

/**
 * Everything a run reports. Tasks and backends emit these; only renderers in output/ print. Field names are a
 * public interface (`--json`, .deploy/logs/…/events.ndjson): docs/json-events.md documents every one of them.
 */
export type DeployEvent =
  | { type: 'run:start'; verb: string; stage: string; id: string; release?: string; hosts: string[]; dryRun: boolean; message?: string }
  | { type: 'run:end'; outcome: Outcome; exitCode: number; durationMs: number; error?: string; summary?: RunSummary }
  | { type: 'step:start'; step: string; hosts: string[] }
  | { type: 'step:end'; step: string; ok: boolean; durationMs: number }
  | { type: 'host:start'; step: string; host: string }
  | { type: 'host:end'; step: string; host: string; ok: boolean; durationMs: number; error?: string; tail?: string[] }
  | { type: 'command'; step: string; host: string; command: string; effect: 'read' | 'write'; dryRun: boolean }
  | { type: 'command:exit'; step: string; host: string; code: number; durationMs: number }
  | { type: 'output'; step: string; host: string; stream: 'stdout' | 'stderr'; line: string }
  | { type: 'release:chosen'; release: string }
  | { type: 'release'; host: string; previous: string | null; release: string }
  | {
      type: 'lock';
      action: 'acquired' | 'released' | 'renewed' | 'waiting' | 'taken-over' | 'held';
      host: string;
      hosts?: string[];
      holder?: string;
    }
  | { type: 'batch'; role: string; index: number; of: number; hosts: string[] }
  | { type: 'health'; host: string; ok: boolean; attempt: number; status?: number; detail?: string }
  | { type: 'drain'; host: string; action: 'drain' | 'ready' }
  | { type: 'switchback'; hosts: string[]; to: string }
  | {
      type: 'canary';
      phase: 'start' | 'sample' | 'verdict';
      hosts: string[];
      share: number;
      windowMs: number;
      elapsedMs: number;
      canary: TrafficNumbers;
      rest: TrafficNumbers;
      limits: CanaryLimits;
      ok?: boolean;
      reason?: string;
    }
  | {
      type: 'watch';
      phase: 'start' | 'sample' | 'verdict' | 'interrupted';
      hosts: string[];
      windowMs: number;
      elapsedMs: number;
      fleet: TrafficNumbers;
      unhealthy: string[];
      limits: WatchLimits;
      ok?: boolean;
      reason?: string;
    }
  | {
      type: 'beta';
      action: 'start' | 'end' | 'promote';
      hosts: string[];
      release: string;
      revision?: string;
      live: string | null;
      mark: string;
    }
  | { type: 'upload'; host: string; transferred: number; total: number }
  | { type: 'skipped'; step: string; host: string; reason: string }
  | { type: 'info'; message: string; host?: string }
  | { type: 'warning'; message: string; host?: string }
  | { type: 'promote'; from: PromotedFrom };

export type EventType = DeployEvent['type'];

/** What a group of pool hosts answered within a traffic window, from the balancer's counters. */
export interface TrafficNumbers {
  requests: number;
  errors: number;
  /** errors / requests (0–1); 0 without requests. */
  errorRate: number;
  /** nginx: 95th percentile of the upstream response times, ms. */
  p95Ms?: number;
  /** haproxy: its average response time (`rtime`), ms. */
  avgMs?: number;
}

/**
 * A traffic canary: `start` when its weights are set, `sample` about every second with the window so far, `verdict`
 * once it is judged (`ok`, and `reason` when it failed or could not be judged).
 */
export type CanaryEvent = Extract<DeployEvent, { type: 'canary' }>;

export interface CanaryLimits {
  maxErrorRate: number;
  maxP95Ms?: number;
}

/**
 * The watch after the last batch: `start`, `sample` about every second, then `verdict` (`ok`, and `reason` when it
 * failed or could not judge by numbers) or `interrupted` (Ctrl-C ended it: nothing was rolled back).
 */
export type WatchEvent = Extract<DeployEvent, { type: 'watch' }>;

/** A selective beta started, ended, or was promoted to the whole fleet (docs/traffic.md). */
export type BetaEvent = Extract<DeployEvent, { type: 'beta' }>;

export interface WatchLimits {
  maxErrorRate: number;
  health: boolean;
}

export type Outcome = 'success' | 'failed' | 'switched-back' | 'interrupted';

export type HostOutcome = 'deployed' | 'unchanged' | 'switched-back' | 'failed' | 'skipped';

export interface HostSummary {
  host: string;
  /** What `current` pointed at before the run (null: nothing yet, or not read before the run stopped). */
  previous: string | null;
  /** The release this run put (or tried to put) on the host. */
  release: string | null;
  outcome: HostOutcome;
  /** Wall time from the host's first step to its last. */
  durationMs: number;
  /** What `current` points at after the run, as far as this run knows. Always set in run:end. */
  current?: string | null;
  /** Time spent per step name, summed over its occurrences. Always set in run:end. */
  steps?: Record<string, number>;
  /** The first failure on this host. */
  error?: string;
}

export interface RunSummary {
  stage: string;
  /** Why (`-m`), when given. */
  message?: string;
  release?: string;
  revision?: string;
  /** `deploy promote`: the stage, release, revision (and artifact sha256) this release was promoted from. */
  promotedFrom?: PromotedFrom;
  hosts: HostSummary[];
  /** The traffic canary's verdict, when the run had one. */
  canary?: Omit<CanaryEvent, 'type' | 'phase'>;
  /** The watch after the last batch, when the run had one: its last event without `type`. */
  watch?: Omit<WatchEvent, 'type'>;
  /** `deploy beta`, `… end`, `… promote`: what the beta did (its `beta` event without `type`). */
  beta?: Omit<BetaEvent, 'type'>;
}

/** Receives every event of a run, in order. `close` (if any) is awaited once, after run:end. */
export interface EventSink {
  (event: DeployEvent): void;
  close?(): void | Promise<void>;
  /** A live view (the terminal) steps aside so that the terminal can be used for a question, and comes back. */
  pause?(): void;
  resume?(): void;
}

/** A sink that is still loading: events, pauses and resumes wait for it in order; close waits for it too. */
export function deferredSink(loading: Promise<EventSink>): EventSink {
  let real: EventSink | undefined;
  const waiting: Array<(s: EventSink) => void> = [];
  const ready = loading.then((s) => {
    real = s;
    for (const f of waiting.splice(0)) f(s);
    return s;
  });
  const via = (f: (s: EventSink) => void) => (real ? f(real) : void waiting.push(f));
  const sink: EventSink = (e) => via((s) => s(e));
  sink.pause = () => via((s) => s.pause?.());
  sink.resume = () => via((s) => s.resume?.());
  sink.close = async () => {
    await (await ready).close?.();
  };
  return sink;
}

export function fanOut(...sinks: EventSink[]): EventSink {
  const sink: EventSink = (e) => sinks.forEach((s) => s(e));
  sink.close = async () => {
    for (const s of sinks) await s.close?.();
  };
  return sink;
}
