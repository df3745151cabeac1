import type { DeployEvent, HostOutcome, HostSummary, RunSummary } from './events.js';
import { Timeline } from './timeline.js';

export interface Recorded {
  readonly at: number;
  readonly event: DeployEvent;
}

/** Keeps every event with the time it arrived; the summary and the HTML report are folds over it. */
export class Recorder {
  readonly events: Recorded[] = [];
  constructor(private readonly now: () => number = Date.now) {}
  readonly sink = (event: DeployEvent): void => {
    this.events.push({ at: this.now(), event });
  };
}

/** Steps in which a host takes up the new release: once one ends well there, `current` points at it. */
const SWITCH_STEPS = new Set(['switch']);

/**
 * The run summary from the events alone, so a failed run gets one too: per host the release it had, the one this
 * run brought, what happened (`deployed`, `switched-back`, `failed`, `unchanged`) and how long each step took.
 * `known` (what a task returned on success) fills in what events do not carry, such as the revision.
 */
export function summarize(events: readonly Recorded[], succeeded: boolean, known?: RunSummary): RunSummary {
  const timeline = new Timeline();
  let stage = known?.stage ?? '';
  let message = known?.message;
  let promotedFrom = known?.promotedFrom;
  let runRelease: string | undefined;
  let dryRun = false;
  let startHosts: string[] = [];
  const planned = new Map<string, { previous: string | null; release: string }>();
  const switched = new Set<string>();
  const switchedBack = new Map<string, string | null>();
  const notBack = new Map<string, string>();
  let canary: RunSummary['canary'];
  let watch: RunSummary['watch'];
  let beta: RunSummary['beta'];
  for (const { at, event: e } of events) {
    timeline.apply(e, at);
    if (e.type === 'canary' && e.phase === 'verdict') {
      const { type: _t, phase: _p, ...numbers } = e;
      canary = numbers;
    }
    if (e.type === 'watch' && (e.phase === 'verdict' || e.phase === 'interrupted')) {
      const { type: _t, ...numbers } = e;
      watch = numbers;
    }
    if (e.type === 'beta') {
      const { type: _t, ...what } = e;
      beta = what;
    }
    if (e.type === 'run:start') {
      stage ||= e.stage;
      message ??= e.message;
      runRelease = e.release;
      dryRun = e.dryRun;
      startHosts = e.hosts;
    } else if (e.type === 'promote') {
      promotedFrom ??= e.from;
    } else if (e.type === 'release:chosen') {
      runRelease = e.release;
    } else if (e.type === 'release') {
      planned.set(e.host, { previous: e.previous, release: e.release });
    } else if (e.type === 'host:end' && e.ok && SWITCH_STEPS.has(e.step)) {
      switched.add(e.host);
    } else if (e.type === 'host:end' && !e.ok && e.step === 'switchback') {
      notBack.set(e.host, e.error ?? 'switching back failed');
    } else if (e.type === 'switchback') {
      for (const h of e.hosts) switchedBack.set(h, e.to === '(none)' ? null : e.to);
    }
  }
  const names = planned.size > 0 ? [...planned.keys()] : (known?.hosts.map((h) => h.host) ?? startHosts);
  const release = known?.release ?? [...planned.values()][0]?.release ?? runRelease;
  const hosts = names.map((host): HostSummary => {
    const plan = planned.get(host);
    const previous = plan?.previous ?? known?.hosts.find((h) => h.host === host)?.previous ?? null;
    const target = plan?.release ?? release ?? null;
    const rows = timeline.rows.flatMap((r) => {
      const h = r.hosts.get(host);
      return h ? [{ step: r.step, h }] : [];
    });
    const failure = rows.find((r) => r.h.state === 'failed');
    let outcome: HostOutcome;
    if (dryRun) outcome = 'unchanged';
    else if (notBack.has(host)) outcome = 'failed';
    else if (switchedBack.has(host)) outcome = 'switched-back';
    else if (switched.has(host) || (succeeded && plan)) outcome = target !== null && target === previous ? 'unchanged' : 'deployed';
    else if (failure) outcome = 'failed';
    else outcome = 'unchanged';
    // A host whose switch back failed is on the new release as far as this run knows.
    const current =
      outcome === 'deployed' || notBack.has(host) ? target : outcome === 'switched-back' ? (switchedBack.get(host) ?? null) : previous;
    const starts = rows.map((r) => r.h.startedAt).filter((t): t is number => t !== undefined);
    const ends = rows.map((r) => r.h.endedAt).filter((t): t is number => t !== undefined);
    const steps: Record<string, number> = {};
    for (const r of rows) if (r.h.durationMs !== undefined) steps[r.step] = (steps[r.step] ?? 0) + r.h.durationMs;
    return {
      host,
      previous,
      release: target,
      outcome,
      durationMs: starts.length && ends.length ? Math.max(...ends) - Math.min(...starts) : 0,
      current,
      steps,
      ...(notBack.has(host) ? { error: notBack.get(host) } : failure?.h.error ? { error: failure.h.error } : {}),
    };
  });
  return {
    stage,
    ...(message ? { message } : {}),
    ...(release ? { release } : {}),
    ...(known?.revision ? { revision: known.revision } : promotedFrom ? { revision: promotedFrom.revision } : {}),
    ...(promotedFrom ? { promotedFrom } : {}),
    hosts,
    ...(canary ? { canary } : {}),
    ...(watch ? { watch } : {}),
    ...(beta ? { beta } : {}),
  };
}
