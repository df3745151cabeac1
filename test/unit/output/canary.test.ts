import { describe, expect, it } from 'vitest';
import type { CanaryEvent, DeployEvent } from '../../../src/output/events.js';
import { plainRenderer } from '../../../src/output/plain.js';
import { renderReport } from '../../../src/output/report.js';
import { summarize, type Recorded } from '../../../src/output/summary.js';
import { Timeline } from '../../../src/output/timeline.js';

const n = (requests: number, errors: number, p95Ms: number) => ({ requests, errors, errorRate: requests ? errors / requests : 0, p95Ms });
const canary = (phase: CanaryEvent['phase'], elapsedMs: number, c = n(0, 0, 0), extra: Partial<CanaryEvent> = {}): CanaryEvent => ({
  type: 'canary',
  phase,
  hosts: ['web1'],
  share: 0.1,
  windowMs: 20_000,
  elapsedMs,
  canary: c,
  rest: n(elapsedMs / 100, 0, 3),
  limits: { maxErrorRate: 0.01, maxP95Ms: 800 },
  ...extra,
});
const window: CanaryEvent[] = [
  canary('start', 0),
  ...[1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11].map((s) => canary('sample', s * 1000, n(s, 0, 4))),
  canary('verdict', 12_000, n(24, 6, 5), { ok: false, reason: 'error rate 25% is over the limit of 1%' }),
];

describe('the traffic canary in the output', () => {
  it('CI lines: the start, one line every 5 s, the verdict', () => {
    const out: string[] = [];
    const sink = plainRenderer({ write: (l) => out.push(l), now: () => new Date('2026-11-30T06:00:00Z') });
    window.forEach((e) => sink(e));
    expect(out).toEqual([
      '06:00:00 web1       canary     10% of the requests for 20.0s; limits: error rate 1%, response time 800 ms',
      '06:00:00 web1       canary     canary at 10% of the requests, 5/20 s: canary error rate 0% (0 of 5 requests), p95 4 ms; the rest error rate 0% (0 of 50 requests), p95 3 ms',
      '06:00:00 web1       canary     canary at 10% of the requests, 10/20 s: canary error rate 0% (0 of 10 requests), p95 4 ms; the rest error rate 0% (0 of 100 requests), p95 3 ms',
      '06:00:00 web1       canary     FAILED (error rate 25% is over the limit of 1%): canary at 10% of the requests, 12/20 s: canary error rate 25% (6 of 24 requests), p95 5 ms; the rest error rate 0% (0 of 120 requests), p95 3 ms',
    ]);
  });

  it('the terminal’s live line follows the samples on the canary’s row', () => {
    const t = new Timeline();
    t.apply({ type: 'step:start', step: 'canary', hosts: ['web1'] });
    t.apply({ type: 'host:start', step: 'canary', host: 'web1' });
    t.apply(window[3]!);
    expect(t.rows.at(-1)!.hosts.get('web1')!.activity).toBe(
      'canary at 10% of the requests, 3/20 s: canary error rate 0% (0 of 3 requests), p95 4 ms; the rest error rate 0% (0 of 30 requests), p95 3 ms',
    );
  });

  it('the summary and the report carry the verdict with its numbers', () => {
    const events: Recorded[] = (
      [{ type: 'run:start', verb: 'deploy', stage: 'staging', id: 'x', hosts: ['web1', 'web2'], dryRun: false }, ...window] as DeployEvent[]
    ).map((event, i) => ({ at: 1_764_480_000_000 + i, event }));
    const summary = summarize(events, false);
    expect(summary.canary).toEqual({ ...window.at(-1), type: undefined, phase: undefined });
    expect(summary.canary?.ok).toBe(false);
    const html = renderReport(events);
    expect(html).toContain('<h2>Canary</h2>');
    expect(html).toContain('data-verdict="failed"');
    expect(html).toContain('<td>canary (web1)</td><td class="num">24</td><td class="num">6</td><td class="num">25%</td>');
    expect(html).toContain('12 readings');
    // The window with its numbers: how far it ran, canary beside the rest, each reading.
    expect(html).toContain(
      'web1 at 10% of the requests, 12.0s of a 20.0s window: <strong>failed</strong> (error rate 25% is over the limit of 1%)',
    );
    expect(html).toContain('<td>the rest</td><td class="num">120</td><td class="num">0</td><td class="num">0%</td><td class="num">3</td>');
    expect(html).toContain(
      '<li>canary at 10% of the requests, 5/20 s: canary error rate 0% (0 of 5 requests), p95 4 ms; the rest error rate 0% (0 of 50 requests), p95 3 ms</li>',
    );
  });
});
