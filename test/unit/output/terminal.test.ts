import { Writable } from 'node:stream';
import { stripVTControlCharacters as plain } from 'node:util';
import { describe, expect, it } from 'vitest';
import type { DeployEvent, RunSummary } from '../../../src/output/events.js';
import { activityLine, hostTitle, noteTitle, stepTitle, terminalRenderer } from '../../../src/output/terminal.js';
import { Timeline } from '../../../src/output/timeline.js';
import { R0, R1, successfulRun, switchedBackRun } from './runs.js';

/** A stand-in terminal: collects what the renderer writes. */
function screen(columns = 120) {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk, _enc, done) {
      chunks.push(String(chunk));
      done();
    },
  }) as unknown as NodeJS.WriteStream;
  Object.assign(stream, { columns, rows: 60, isTTY: false });
  return { stream, text: () => plain(chunks.join('')) };
}

/** What is left on screen at the end: the last frame listr printed, then our summary. */
async function render(events: DeployEvent[]): Promise<string> {
  const s = screen();
  const sink = terminalRenderer({ stdout: s.stream, stderr: s.stream });
  for (const e of events) {
    sink(e);
    await new Promise((r) => setImmediate(r));
  }
  await sink.close?.();
  const text = s.text();
  return text.slice(text.lastIndexOf('✔ check'));
}

const summary: RunSummary = {
  stage: 'staging',
  release: R1,
  hosts: [
    { host: 'web1', previous: R0, release: R1, outcome: 'switched-back', durationMs: 1200, current: R0 },
    { host: 'db1', previous: R0, release: R1, outcome: 'deployed', durationMs: 900, current: R1 },
  ],
};

describe('terminal rows', () => {
  it('a successful deploy: a row per step occurrence with host count and duration, notes between', async () => {
    const out = await render(successfulRun());
    const rows = out
      .split('\n')
      .map((l) => l.trim())
      .filter(Boolean);
    expect(rows).toEqual(
      expect.arrayContaining([
        '✔ check · 4 hosts · 0.2s',
        'ℹ lock acquired on db1',
        '✔ release · 3 hosts · 0.1s',
        '✔ transfer · 3 hosts · 0.1s',
        '✔ switch · web batch 1/2 · 1 host · 0.1s',
        '✔ switch · web batch 2/2 · 1 host · 0.1s',
        'ℹ lock released on db1',
      ]),
    );
    expect(rows.filter((r) => r.startsWith('✔ release'))).toHaveLength(2);
    expect(out.indexOf('transfer')).toBeLessThan(out.indexOf('switch · db batch'));
    expect(rows.at(-1)).toBe('✔ success in 4.0s (exit 0)');
  });

  it('a failure stays expanded: the failing host, its command, exit code and last output lines', async () => {
    const events = switchedBackRun();
    (events.at(-1) as Extract<DeployEvent, { type: 'run:end' }>).summary = summary;
    const out = await render(events);
    expect(out).toMatch(/✖ switch · web batch 2\/2 · 1 host · 0\.1s failed on web2\n\s+✖ web2 · failed after 0\.0s\n/);
    // listr wraps long lines at the terminal's width.
    expect(out.replace(/\s+/g, ' ')).toContain(
      '› web2: health: GET http://127.0.0.1:3000/health expected HTTP 200, got HTTP 500 after 1 attempts',
    );
    expect(out).toContain('$ curl -s http://127.0.0.1:3000/health  → exit 0');
    expect(out).toContain('| {"ok":false,"error":"boom"}');
    expect(out).toContain(`✔ switchback → ${R0} (db1, web1, web2) · 3 hosts`);
    expect(out).toContain('✖ switched-back in 5.0s (exit 6)');
    expect(out).toMatch(new RegExp(`web1\\s+switched back to ${R0} from ${R1} in 1\\.2s`));
    expect(out).toMatch(new RegExp(`db1\\s+deployed ${R1} \\(was ${R0}\\) in 0\\.9s`));
  });

  it('never writes once closed, and closing twice is harmless', async () => {
    const s = screen();
    const sink = terminalRenderer({ stdout: s.stream, stderr: s.stream });
    successfulRun().forEach((e) => sink(e));
    await sink.close?.();
    const before = s.text();
    sink({ type: 'info', message: 'late' });
    await sink.close?.();
    expect(s.text()).toBe(before);
  });
});

describe('a question asked while the rows are live', () => {
  const frames = () => new Promise((r) => setTimeout(r, 150));

  it('pause erases the rows and gives stdout and stderr back at once; resume draws the rows again', async () => {
    const s = screen();
    const sink = terminalRenderer({ stdout: s.stream, stderr: s.stream });
    const run = successfulRun();
    const upTo = run.findIndex((e) => e.type === 'batch' && e.index === 2);
    run.slice(0, upTo).forEach((e) => sink(e));
    await frames();
    expect(s.text()).toContain('switch · web batch 1/2');

    sink.pause!();
    const paused = s.text().length;
    // While listr draws it holds both streams and buffers what others write; paused, a question shows at once.
    s.stream.write('The canary web1 serves the new release. Enter to roll out to the rest: ');
    run.slice(upTo, upTo + 3).forEach((e) => sink(e));
    await frames();
    expect(s.text().slice(paused)).toBe('The canary web1 serves the new release. Enter to roll out to the rest: ');

    sink.resume!();
    run.slice(upTo + 3).forEach((e) => sink(e));
    await sink.close?.();
    const after = s.text().slice(paused);
    expect(after).toContain('switch · web batch 2/2');
    expect(after).toContain('✔ success in 4.0s (exit 0)');
  });
});

describe('row titles', () => {
  const t = new Timeline();
  const events: DeployEvent[] = [
    { type: 'batch', role: 'web', index: 1, of: 2, hosts: ['web1', 'web2'] },
    { type: 'step:start', step: 'switch', hosts: ['web1', 'web2'] },
    { type: 'host:start', step: 'switch', host: 'web1' },
    { type: 'info', host: 'web1', message: 'reused node_modules' },
  ];
  events.forEach((e) => t.apply(e, 0));
  const row = t.rows[0]!;

  it('a running step is its label; hosts waiting for a slot say so', () => {
    expect(plain(stepTitle(row))).toBe('switch · web batch 1/2');
    expect(plain(hostTitle(row.hosts.get('web2')!))).toBe('web2 · waiting');
    expect(plain(hostTitle(row.hosts.get('web1')!))).toBe('web1 · reused node_modules');
  });

  it('ended rows carry their duration; failed ones name the failing hosts', () => {
    t.apply({ type: 'host:end', step: 'switch', host: 'web1', ok: true, durationMs: 1500 }, 1500);
    t.apply({ type: 'host:start', step: 'switch', host: 'web2' }, 1500);
    t.apply({ type: 'host:end', step: 'switch', host: 'web2', ok: false, durationMs: 2500, error: 'boom' }, 4000);
    t.apply({ type: 'step:end', step: 'switch', ok: false, durationMs: 4000 }, 4000);
    expect(plain(hostTitle(row.hosts.get('web1')!))).toBe('web1 · 1.5s · reused node_modules');
    expect(plain(hostTitle(row.hosts.get('web2')!))).toBe('web2 · failed after 2.5s');
    expect(plain(stepTitle(row))).toBe('switch · web batch 1/2 · 2 hosts · 4.0s failed on web2');
  });

  it('the activity line is one line, cut to the terminal width', () => {
    const h = { host: 'web1', state: 'running' as const, tail: [], notes: [], activity: `$ ${'x'.repeat(200)}\nmore` };
    const line = activityLine(h, 60);
    expect(line).toHaveLength(52);
    expect(line.endsWith('…')).toBe(true);
    expect(line).not.toContain('\n');
  });

  it('warnings between rows say so', () => {
    expect(plain(noteTitle({ kind: 'note', seq: 0, level: 'warning', text: 'no earlier release', at: 0 }))).toBe(
      'warning: no earlier release',
    );
  });
});
