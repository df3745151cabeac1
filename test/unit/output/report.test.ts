import { describe, expect, it } from 'vitest';
import type { DeployEvent, WatchEvent } from '../../../src/output/events.js';
import { renderReport, stepColor } from '../../../src/output/report.js';
import type { Recorded } from '../../../src/output/summary.js';
import { R0, step, successfulRun, switchedBackRun } from './runs.js';

const timed = (events: DeployEvent[]): Recorded[] => events.map((event, i) => ({ at: 1_735_812_000_000 + i * 20, event }));
const count = (html: string, re: RegExp) => (html.match(re) ?? []).length;

describe('renderReport', () => {
  it('is one self-contained document: no external URL is loaded', () => {
    const html = renderReport(timed(successfulRun()));
    expect(html.startsWith('<!doctype html>')).toBe(true);
    expect(html).not.toMatch(/(src|href)=["']?(https?:)?\/\//);
    expect(html).not.toMatch(/@import|url\(/);
    expect(html).toContain("default-src 'none'");
  });

  it("shows the run's message (-m), escaped", () => {
    const events = successfulRun().map((e) => (e.type === 'run:start' ? { ...e, message: 'fix <b>#42</b>' } : e));
    expect(renderReport(timed(events))).toContain('<p class="message">fix &lt;b&gt;#42&lt;/b&gt;</p>');
    expect(renderReport(timed(successfulRun()))).not.toContain('class="message"');
  });

  it('says where a promoted release came from', () => {
    const from = { stage: 'staging', release: R0, revision: 'f'.repeat(64), sha256: 'f'.repeat(64) };
    const events = successfulRun().map((e) =>
      e.type === 'run:end' ? { ...e, summary: { stage: 'production', hosts: [], promotedFrom: from } } : e,
    );
    expect(renderReport(timed(events))).toContain(
      `<p class="promoted">promoted from staging release ${R0} (artifact sha256 ${'f'.repeat(64)})</p>`,
    );
    expect(renderReport(timed(successfulRun()))).not.toContain('class="promoted"');
  });

  it('draws a bar per host per step occurrence it took part in', () => {
    const html = renderReport(timed(successfulRun()));
    // web1: check, release ×2, transfer, install, switch (its batch), cleanup, log
    expect(count(html, /<rect class="bar ok" data-host="web1"/g)).toBe(8);
    expect(count(html, /<rect class="bar ok" data-host="db1"/g)).toBe(9);
    expect(count(html, /<rect class="bar ok" data-host="lb1"/g)).toBe(1);
    expect(count(html, /class="bar failed"/g)).toBe(0);
    expect(count(html, /class="batch-line"/g)).toBe(3);
  });

  it('a failed bar is red, the switchback is a band, the failure is shown with its output', () => {
    const html = renderReport(timed(switchedBackRun()));
    expect(html).toMatch(/<rect class="bar failed" data-host="web2"[^>]*data-step="switch"[^>]*style="fill:#d32f2f"/);
    expect(count(html, /class="bar switchback"/g)).toBe(3);
    expect(html).toContain('class="switchback-band"');
    expect(html).toContain(`switchback → ${R0} (db1, web1, web2)`);
    expect(html).toContain('<span class="badge switched-back">switched-back</span>');
    expect(html).toContain('| {&quot;ok&quot;:false,&quot;error&quot;:&quot;boom&quot;}');
  });

  it('escapes everything that came from a host', () => {
    const html = renderReport(
      timed([
        { type: 'run:start', verb: 'deploy', stage: 'staging', id: 'x', hosts: ['web1'], dryRun: false },
        { type: 'step:start', step: 'task:x', hosts: ['web1'] },
        { type: 'host:start', step: 'task:x', host: 'web1' },
        { type: 'output', step: 'task:x', host: 'web1', stream: 'stdout', line: '<script>alert(1)</script>' },
        { type: 'host:end', step: 'task:x', host: 'web1', ok: false, durationMs: 5, error: '<img src=x onerror=alert(1)>' },
      ]),
    );
    expect(html).not.toContain('<script>alert(1)');
    expect(html).not.toContain('<img src=x');
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
  });

  it('gives every step a colour that does not change between runs: fixed for the built-in steps, from a palette for tasks', () => {
    expect(['check', 'transfer', 'switch', 'switchback'].map(stepColor)).toEqual(['#90a4ae', '#4fc3f7', '#43a047', '#fb8c00']);
    // A task's colour comes from its name alone (so two reports of one app colour it alike), never the failure red.
    expect(stepColor('task:migrate-search')).toBe('#dce775');
    expect(stepColor('task:notify')).toBe('#a1887f');
    const palette = ['#64b5f6', '#81c784', '#ffd54f', '#f06292', '#9575cd', '#4dd0e1', '#a1887f', '#dce775'];
    const tasks = Array.from({ length: 200 }, (_, i) => stepColor(`task:t${i}`));
    expect(new Set(tasks)).toEqual(new Set(palette));
    // The report paints each bar with its step's colour.
    const html = renderReport(timed(step('task:migrate-search', ['web1'])));
    expect(html).toMatch(/<rect class="bar ok" data-host="web1"[^>]*data-step="task:migrate-search"[^>]*style="fill:#dce775"/);
  });
});

describe('renderReport: the traffic sections', () => {
  const fleet = (requests: number, errors: number) => ({ requests, errors, errorRate: requests ? errors / requests : 0, p95Ms: 7 });
  const watch = (phase: WatchEvent['phase'], elapsedMs: number, more: Partial<WatchEvent> = {}): WatchEvent => ({
    type: 'watch',
    phase,
    hosts: ['web1', 'web2'],
    windowMs: 300_000,
    elapsedMs,
    fleet: fleet(elapsedMs / 10, 0),
    unhealthy: [],
    limits: { maxErrorRate: 0.02, health: true },
    ...more,
  });
  const start: DeployEvent = { type: 'run:start', verb: 'deploy', stage: 'production', id: 'x', hosts: ['web1', 'web2'], dryRun: false };

  it('a watch that passed: its window, the fleet’s numbers, the verdict and every reading; no rollback', () => {
    const html = renderReport(
      timed([start, watch('start', 0), watch('sample', 1000), watch('sample', 2000), watch('verdict', 300_000, { ok: true })]),
    );
    expect(html).toContain(
      '<h2>Watch</h2><div class="watch ok" data-verdict="passed"><p>web1, web2, 300.0s of a 300.0s window: <strong>passed</strong>; limits: error rate 2%, health checks</p>',
    );
    expect(html).toContain(
      '<tr><td>the fleet</td><td class="num">30000</td><td class="num">0</td><td class="num">0%</td><td class="num">7</td><td class="num">–</td><td>healthy</td></tr>',
    );
    expect(html).toContain('<summary>3 readings</summary>');
    expect(html).toContain('<li>watch 2/300 s: the fleet&#39;s error rate 0% (0 of 200 requests), p95 7 ms; web1, web2 healthy</li>');
    expect(html).not.toContain('watch-rollback');
  });

  it.each([false, true])(
    'a watch that failed: the reason with its numbers, and the rollback it caused, host by host (a switch failed: %s)',
    (failedSwitch) => {
      const reason = "the fleet's error rate 25% is over the limit of 2% (error rate 25% (10 of 40 requests), p95 7 ms)";
      const html = renderReport(
        timed([
          start,
          watch('start', 0),
          watch('verdict', 2000, { ok: false, reason, fleet: fleet(40, 10), unhealthy: ['web2'] }),
          { type: 'step:start', step: 'rollback', hosts: ['web1', 'web2'] },
          { type: 'release', host: 'web1', previous: R0, release: '20260101000000' },
          { type: 'release', host: 'web2', previous: R0, release: '20260101000000' },
          { type: 'step:end', step: 'rollback', ok: true, durationMs: 900 },
          { type: 'host:end', step: 'switch', host: 'web1', ok: true, durationMs: 300 },
          { type: 'host:end', step: 'switch', host: 'web2', ok: !failedSwitch, durationMs: 300 },
        ]),
      );
      expect(html).toContain(
        '<div class="watch bad" data-verdict="failed"><p>web1, web2, 2.0s of a 300.0s window: <strong>failed</strong> (the fleet&#39;s error rate 25%',
      );
      expect(html).toContain('<td class="num">40</td><td class="num">10</td><td class="num">25%</td>');
      expect(html).toContain('<td>unhealthy: web2</td>');
      expect(html).toContain(
        failedSwitch
          ? `<p class="watch-rollback" data-ok="false">rolled back: web1 ${R0} → 20260101000000, web2 ${R0} → 20260101000000 (not switched: see the error above)</p>`
          : `<p class="watch-rollback" data-ok="true">rolled back: web1 ${R0} → 20260101000000, web2 ${R0} → 20260101000000</p>`,
      );
    },
  );

  it('a watch ended by Ctrl-C says so, and nothing was rolled back', () => {
    const reason = 'Ctrl-C ended the watch after 3 of 300 s: the new release stays live on every host, and nothing was rolled back';
    const html = renderReport(timed([start, watch('start', 0), watch('interrupted', 3000, { reason })]));
    expect(html).toContain('data-verdict="interrupted"');
    expect(html).toContain(`<strong>interrupted</strong> (${reason})`);
  });

  it('a beta: its hosts, release, mark and the live release, for `deploy beta`, `end` and `promote`', () => {
    const beta = { type: 'beta' as const, hosts: ['web2'], release: R0, revision: 'abc123', live: '20260101000000', mark: 'cookie beta' };
    const started = renderReport(timed([start, { ...beta, action: 'start' }]));
    expect(started).toContain(
      `<h2>Beta</h2><div class="beta" data-action="start"><p>web2 serve beta release ${R0} (revision abc123) to the requests with the cookie beta; every other request: live release 20260101000000</p>`,
    );
    expect(started).toContain(`<tr><th>hosts</th><td>web2</td></tr><tr><th>beta release</th><td>${R0} (revision abc123)</td></tr>`);
    expect(started).toContain('<tr><th>mark</th><td>cookie beta</td></tr><tr><th>live release</th><td>20260101000000</td></tr>');
    const ended = renderReport(timed([start, { ...beta, action: 'end' }]));
    expect(ended).toContain(
      `<p>beta release ${R0} (revision abc123) ended: web2 serve live release 20260101000000 again, and requests with the cookie beta go to the live pool</p>`,
    );
    expect(renderReport(timed(successfulRun()))).not.toMatch(/<h2>(Beta|Watch)<\/h2>/);
    const promoted = renderReport(timed([start, { ...beta, action: 'promote' }]));
    expect(promoted).toContain(
      `<p>beta release ${R0} (revision abc123) promoted: every host serves it now (it replaced live release 20260101000000), and requests with the cookie beta go to the live pool</p>`,
    );
  });
});
