import { describe, expect, it } from 'vitest';
import type { DeployEvent } from '../../../src/output/events.js';
import { forceColor, plainRenderer, summaryLines } from '../../../src/output/plain.js';
import { R0, R1, successfulRun } from './runs.js';

const at = new Date('2025-01-02T10:00:05Z');

function lines(events: DeployEvent[], o: { verbose?: boolean; color?: boolean } = {}): string[] {
  const out: string[] = [];
  const sink = plainRenderer({ write: (l) => out.push(l), now: () => at, ...o });
  events.forEach((e) => sink(e));
  return out;
}

describe('plain CI lines', () => {
  it('are `time host step message`, one per step and failure, no escapes', () => {
    const out = lines(successfulRun());
    expect(out[0]).toBe(`10:00:05 -          deploy     stage staging release ${R1} on web1, web2, db1, lb1`);
    expect(out).toContain('10:00:05 -          transfer   ok in 0.1s');
    expect(out).toContain('10:00:05 db1        lock       acquired');
    expect(out).toContain('10:00:05 -          batch      web 2/2: web2');
    expect(out.at(-1)).toBe('10:00:05 -          done       success (exit 0) in 4.0s');
    expect(out.join('\n')).not.toMatch(/\x1b/);
    expect(out.join('\n')).not.toContain('npm ci');
  });

  it("the run's message (-m) on the first line and with the summary, control characters escaped", () => {
    const events = successfulRun().map((e) =>
      e.type === 'run:start'
        ? { ...e, message: 'hotfix\x1b[2J' }
        : e.type === 'run:end'
          ? { ...e, summary: { stage: 'staging', message: 'hotfix\x1b[2J', hosts: [] } }
          : e,
    );
    const out = lines(events);
    expect(out[0]).toMatch(/on web1, web2, db1, lb1: hotfix\\x1b\[2J$/);
    expect(out).toContain('10:00:05 -          done       message: hotfix\\x1b[2J');
  });

  it('--verbose adds every command, output line and exit', () => {
    const out = lines(successfulRun(), { verbose: true });
    expect(out).toContain('10:00:05 web1       install    $ npm ci');
    expect(out).toContain('10:00:05 web1       install    > added 12 packages');
    expect(out).toContain('10:00:05 web1       install    exit 0 in 0.0s');
    expect(out).toContain(`10:00:05 web1       release    ${R0} → ${R1}`);
  });

  it('show an upload every 25% per host, not every progress event', () => {
    const up = (host: string, transferred: number): DeployEvent => ({ type: 'upload', host, transferred, total: 1000 });
    const out = lines([
      up('web1', 0),
      up('web1', 100),
      up('web2', 0),
      up('web1', 260),
      up('web1', 400),
      up('web1', 990),
      up('web1', 1000),
      up('web1', 0),
    ]);
    expect(out.map((l) => l.slice(9))).toEqual([
      'web1       upload     0% · 0 B of 1000 B',
      'web2       upload     0% · 0 B of 1000 B',
      'web1       upload     25% · 260 B of 1000 B',
      'web1       upload     75% · 990 B of 1000 B',
      'web1       upload     100% · 1000 B of 1000 B',
      'web1       upload     0% · 0 B of 1000 B',
    ]);
  });

  it('end with a line per host from the run summary', () => {
    const out = lines([
      {
        type: 'run:end',
        outcome: 'switched-back',
        exitCode: 6,
        durationMs: 9000,
        summary: {
          stage: 'staging',
          release: R1,
          hosts: [
            { host: 'web1', previous: R0, release: R1, outcome: 'switched-back', durationMs: 2000, current: R0 },
            { host: 'web2', previous: null, release: R1, outcome: 'failed', durationMs: 1000, current: null },
          ],
        },
      },
    ]);
    expect(out).toEqual([
      `10:00:05 web1       done       switched back to ${R0} from ${R1} in 2.0s`,
      '10:00:05 web2       done       failed, still on (none) in 1.0s',
      '10:00:05 -          done       switched-back (exit 6) in 9.0s',
    ]);
  });

  it('colour outcomes only when asked (FORCE_COLOR)', () => {
    const out = lines([{ type: 'step:end', step: 'switch', ok: false, durationMs: 10 }], { color: true });
    expect(out[0]).toContain('\x1b[31mFAILED\x1b[0m');
    expect(forceColor({ FORCE_COLOR: '1' })).toBe(true);
    expect(forceColor({ FORCE_COLOR: '0' })).toBe(false);
    expect(forceColor({})).toBe(false);
  });

  it('summary lines say what each host serves now', () => {
    expect(
      summaryLines({ stage: 's', hosts: [{ host: 'db1', previous: R1, release: R1, outcome: 'unchanged', durationMs: 0, current: R1 }] }),
    ).toEqual([['db1', `unchanged, on ${R1}`, true]]);
  });
});
