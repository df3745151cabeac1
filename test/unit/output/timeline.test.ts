import { describe, expect, it } from 'vitest';
import type { DeployEvent } from '../../../src/output/events.js';
import { failureLines, rowLabel, TAIL_LINES, Timeline, type HostRow, type Note, type StepRow } from '../../../src/output/timeline.js';
import { R0, R1, run, step, successfulRun, switchedBackRun } from './runs.js';

const fold = (events: DeployEvent[]) => {
  const t = new Timeline();
  events.forEach((e, i) => t.apply(e, 1000 + i * 10));
  return t;
};

const labels = (t: Timeline) => t.rows.map(rowLabel);

describe('Timeline: events → rows', () => {
  it('makes one row per step occurrence: release twice, switch once per batch', () => {
    const t = fold(successfulRun());
    expect(labels(t)).toEqual([
      'check',
      'release',
      'release',
      'transfer',
      'install',
      'migrate',
      'switch · db batch 1/1',
      'switch · web batch 1/2',
      'switch · web batch 2/2',
      'cleanup',
      'log',
    ]);
    expect(t.rows.filter((r) => r.step === 'release').map((r) => r.occurrence)).toEqual([1, 2]);
    expect(t.rows.every((r) => r.state === 'ok')).toBe(true);
  });

  it('gives every row a sub-row per host of its step, ended with its own duration', () => {
    const t = fold(successfulRun());
    const transfer = t.rows.find((r) => r.step === 'transfer')!;
    expect([...transfer.hosts.keys()]).toEqual(['web1', 'web2', 'db1']);
    for (const h of transfer.hosts.values()) expect(h).toMatchObject({ state: 'ok', durationMs: 40 });
  });

  it('ends the hosts of a step that has no host events (migrate) with the step', () => {
    const t = fold(successfulRun());
    const migrate = t.rows.find((r) => r.step === 'migrate')!;
    expect(migrate.hosts.get('db1')).toMatchObject({ state: 'ok', command: 'npm run migrate', exitCode: 0 });
  });

  it('puts restart and health commands in the switch row where the host runs', () => {
    const t = fold(successfulRun());
    const web1 = t.rows.find((r) => r.batch?.role === 'web' && r.batch.index === 1)!.hosts.get('web1')!;
    expect(web1.command).toBe('curl -s http://127.0.0.1:3000/health');
    expect(web1.tail).toEqual(['{"ok":true}']);
  });

  it('a failed host keeps the failing command, its exit code and the last lines of its output', () => {
    const lines = Array.from({ length: 30 }, (_, i) => `line ${i + 1}`);
    const t = fold([
      ...step('install', ['web1'], (h) => [...run('true', 'install', h, ['earlier']), ...run('npm ci', 'install', h, lines, 1)], {
        web1: 'web1: install: command failed with exit code 1: npm ci',
      }),
    ]);
    const h = t.rows[0]!.hosts.get('web1')!;
    expect(h).toMatchObject({ state: 'failed', command: 'npm ci', exitCode: 1 });
    expect(h.tail).toHaveLength(TAIL_LINES);
    expect(h.tail[0]).toBe('line 11');
    expect(t.rows[0]!.state).toBe('failed');
    expect(failureLines(h)).toEqual([
      'web1: install: command failed with exit code 1: npm ci',
      '$ npm ci  → exit 1',
      ...lines.slice(10).map((l) => `| ${l}`),
    ]);
  });

  it('labels the switchback row with where hosts go back to', () => {
    const t = fold(switchedBackRun());
    expect(labels(t)).toContain(`switchback → ${R0} (db1, web1, web2)`);
    expect(t.rows.find((r) => r.batch?.index === 2)!.hosts.get('web2')!.state).toBe('failed');
  });

  it('tracks the current activity: command, last output line, upload percentage, health', () => {
    const seen: string[] = [];
    const t = new Timeline().listen({ hostChanged: (_r, h) => h.activity && seen.push(h.activity) });
    [
      { type: 'step:start', step: 'transfer', hosts: ['web1'] },
      { type: 'host:start', step: 'transfer', host: 'web1' },
      { type: 'command', step: 'transfer', host: 'web1', command: 'upload a → b', effect: 'write', dryRun: false },
      { type: 'upload', host: 'web1', transferred: 512 * 1024, total: 2 * 1024 * 1024 },
      { type: 'output', step: 'transfer', host: 'web1', stream: 'stdout', line: 'extracting' },
      { type: 'health', host: 'web1', ok: false, attempt: 2, status: 503 },
    ].forEach((e) => t.apply(e as DeployEvent));
    expect(seen).toEqual(['$ upload a → b', 'upload 25% · 512.0 KiB of 2.0 MiB', 'extracting', 'health: attempt 2, HTTP 503']);
  });

  it('turns run-wide info, warnings and lock changes into notes between rows, host info into the host row', () => {
    const t = fold(successfulRun());
    expect(t.notes.map((n) => [n.level, n.text])).toEqual([
      ['info', 'lock acquired on db1'],
      ['info', 'artifact 3000000 bytes, sha256 ab12'],
      ['info', 'lock released on db1'],
    ]);
    const install = t.rows.find((r) => r.step === 'install')!;
    expect(install.hosts.get('web1')!.notes).toEqual([`reused node_modules of release ${R0} (package-lock.json unchanged)`]);
  });

  it('orders rows and notes by one sequence, so a renderer can interleave them', () => {
    const t = fold(successfulRun());
    const all: (StepRow | Note)[] = [...t.rows, ...t.notes].sort((a, b) => a.seq - b.seq);
    expect(all.slice(0, 3).map((x) => (x.kind === 'note' ? x.text : x.step))).toEqual(['check', 'lock acquired on db1', 'release']);
  });

  it('run:end closes rows left open (an interrupted run) as failed', () => {
    const t = fold([
      { type: 'step:start', step: 'transfer', hosts: ['web1'] },
      { type: 'host:start', step: 'transfer', host: 'web1' },
      { type: 'run:end', outcome: 'interrupted', exitCode: 130, durationMs: 5 },
    ]);
    expect(t.rows[0]!.state).toBe('failed');
    expect(t.rows[0]!.hosts.get('web1')!.state).toBe('failed');
  });

  it('keeps the release the run deploys out of rows (the summary reads it)', () => {
    const t = fold([{ type: 'release', host: 'web1', previous: R0, release: R1 }]);
    expect(t.rows).toEqual([]);
  });
});

describe('failureLines', () => {
  it('without a command it is the error alone', () => {
    const h: HostRow = { host: 'web1', state: 'failed', error: 'web1: connection lost', tail: [], notes: [] };
    expect(failureLines(h)).toEqual(['web1: connection lost']);
  });
});
