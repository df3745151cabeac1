import { describe, expect, it } from 'vitest';
import type { DeployEvent } from '../../../src/output/events.js';
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
