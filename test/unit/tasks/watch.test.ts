import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../../src/errors.js';
import type { TrafficNumbers, WatchEvent } from '../../../src/output/events.js';
import { plainRenderer } from '../../../src/output/plain.js';
import { summarize } from '../../../src/output/summary.js';
import { judgeWatch, watchSpec } from '../../../src/tasks/watch.js';
import { scripted } from './scripted.js';

const numbers = (requests: number, errors: number): TrafficNumbers => ({
  requests,
  errors,
  errorRate: requests > 0 ? errors / requests : 0,
});
const limits = { maxErrorRate: 0.02, health: true };

describe('judgeWatch', () => {
  it('within the limit: undecided until the window ends, then passed', () => {
    expect(judgeWatch({ fleet: numbers(500, 5), unhealthy: [] }, limits, false)).toEqual({ ok: undefined });
    expect(judgeWatch({ fleet: numbers(500, 5), unhealthy: [] }, limits, true)).toEqual({ ok: true });
  });

  it('over the limit: fails before the end only on evidence (20 requests, 5 errors), with the numbers', () => {
    expect(judgeWatch({ fleet: numbers(19, 10), unhealthy: [] }, limits, false).ok).toBeUndefined();
    expect(judgeWatch({ fleet: numbers(100, 4), unhealthy: [] }, limits, false).ok).toBeUndefined();
    expect(judgeWatch({ fleet: numbers(100, 5), unhealthy: [] }, limits, false)).toEqual({
      ok: false,
      reason: "the fleet's error rate 5% is over the limit of 2% (error rate 5% (5 of 100 requests))",
    });
    // At the end any request counts.
    expect(judgeWatch({ fleet: numbers(10, 1), unhealthy: [] }, limits, true).ok).toBe(false);
  });

  it('a host that keeps failing its health check fails the watch at once, whatever the numbers', () => {
    expect(judgeWatch({ fleet: numbers(0, 0), unhealthy: ['web2'] }, limits, false)).toEqual({
      ok: false,
      reason: 'web2 failed 2 health checks in a row',
    });
    expect(judgeWatch({ fleet: numbers(100, 50), unhealthy: ['web1'] }, limits, false).reason).toBe(
      "web1 failed 2 health checks in a row; the fleet's error rate 50% is over the limit of 2% (error rate 50% (50 of 100 requests))",
    );
    // Not asked: not judged.
    expect(judgeWatch({ fleet: numbers(0, 0), unhealthy: ['web2'] }, { ...limits, health: false }, false).ok).toBeUndefined();
  });

  it('no request through a balancer in the whole window: passed on the health checks, and said', () => {
    expect(judgeWatch({ fleet: numbers(0, 0), unhealthy: [] }, limits, true)).toEqual({
      ok: true,
      reason: 'no request reached the fleet through a balancer in the window: judged by health checks only',
    });
  });
});

describe('watchSpec', () => {
  it('absent: no watch; present: the resolved limits', () => {
    expect(watchSpec(scripted().ctx.config)).toBeUndefined();
    const s = scripted({ kind: 'haproxy', extra: { watch: { duration: 30 } } });
    expect(watchSpec(s.ctx.config)).toEqual({ duration: 30, maxErrorRate: 0.02, health: true });
  });

  it('behind nginx without balancer.access_log: refused before anything runs, with what to add', () => {
    const s = scripted({ kind: 'nginx', extra: { watch: { max_error_rate: '1%' } } });
    expect(() => watchSpec(s.ctx.config)).toThrow(ConfigError);
    expect(() => watchSpec(s.ctx.config)).toThrow(
      /watch reads the balancer's error rate, and the nginx balancer of role balancer has no balancer.access_log/,
    );
  });
});

describe('watch output', () => {
  const base = { type: 'watch' as const, hosts: ['web1', 'web2'], windowMs: 20_000, unhealthy: [], limits };
  const at = (ms: number, phase: WatchEvent['phase'] = 'sample', more: Partial<WatchEvent> = {}): WatchEvent => ({
    ...base,
    phase,
    elapsedMs: ms,
    fleet: numbers(ms / 10, 0),
    ...more,
  });

  it('CI lines: the start, one line every 5 s (not one per reading), and the verdict', () => {
    const out: string[] = [];
    const sink = plainRenderer({ write: (l) => out.push(l), stamp: () => 'T' });
    [
      at(0, 'start'),
      ...[1000, 2000, 3000, 4000, 5000, 6000, 9000, 10_000, 11_000].map((ms) => at(ms)),
      at(12_000, 'verdict', { ok: false, reason: 'web2 failed 2 health checks in a row', unhealthy: ['web2'] }),
    ].forEach(sink);
    expect(out).toEqual([
      'T -          watch      web1, web2 for 20.0s; limits: error rate 2%, health checks',
      "T -          watch      watch 5/20 s: the fleet's error rate 0% (0 of 500 requests); web1, web2 healthy",
      "T -          watch      watch 10/20 s: the fleet's error rate 0% (0 of 1000 requests); web1, web2 healthy",
      "T -          watch      FAILED (web2 failed 2 health checks in a row): watch 12/20 s: the fleet's error rate 0% (0 of 1200 requests); unhealthy: web2",
    ]);
  });

  it('the summary carries the last verdict (or the interrupt) as `watch`', () => {
    const t = Date.now();
    const events = [at(0, 'start'), at(1000), at(3000, 'interrupted', { reason: 'Ctrl-C ended the watch' })].map((event) => ({
      at: t,
      event,
    }));
    const { type: _t, ...fields } = at(3000, 'interrupted', { reason: 'Ctrl-C ended the watch' });
    expect(summarize(events, true).watch).toEqual(fields);
  });
});
