import { describe, expect, it } from 'vitest';
import type { DeployEvent } from '../../../src/output/events.js';
import { summarize, type Recorded } from '../../../src/output/summary.js';
import { failedBeforeSwitchRun, R0, R1, successfulRun, switchedBackRun } from './runs.js';

/** Events 10 ms apart, without the run:end (the session builds the summary that goes into it). */
const timed = (events: DeployEvent[]): Recorded[] =>
  events.filter((e) => e.type !== 'run:end').map((event, i) => ({ at: 1000 + i * 10, event }));
const outcomes = (s: ReturnType<typeof summarize>) => Object.fromEntries(s.hosts.map((h) => [h.host, h.outcome]));

describe('summarize: the run summary from events', () => {
  it('a deploy that went through: every code host deployed, from R0 to R1', () => {
    const s = summarize(timed(successfulRun()), true);
    expect(s).toMatchObject({ stage: 'staging', release: R1 });
    expect(s.hosts.map((h) => h.host)).toEqual(['web1', 'web2', 'db1']);
    for (const h of s.hosts) expect(h).toMatchObject({ previous: R0, release: R1, outcome: 'deployed', current: R1 });
  });

  it("keeps the run's message (-m) from run:start", () => {
    const events = successfulRun().map((e) => (e.type === 'run:start' ? { ...e, message: 'hotfix #42' } : e));
    expect(summarize(timed(events), true).message).toBe('hotfix #42');
    expect(summarize(timed(successfulRun()), true)).not.toHaveProperty('message');
  });

  it('adds up the time per step and spans the host from its first step to its last', () => {
    const s = summarize(timed(successfulRun()), true);
    const web1 = s.hosts.find((h) => h.host === 'web1')!;
    expect(web1.steps).toMatchObject({ check: 40, release: 80, transfer: 40, install: 40, switch: 40, cleanup: 40, log: 40 });
    expect(web1.durationMs).toBeGreaterThan(1000);
    expect(s.hosts.find((h) => h.host === 'db1')!.steps).toHaveProperty('migrate');
  });

  it('takes what the task knew (the revision) when it returned one', () => {
    const s = summarize(timed(successfulRun()), true, { stage: 'staging', release: R1, revision: 'abc123', hosts: [] });
    expect(s.revision).toBe('abc123');
    expect(s.hosts).toHaveLength(3);
  });

  it('a promoted release says where it came from, also when the run failed (from the promote event)', () => {
    const from = { stage: 'staging', release: R0, revision: 'f'.repeat(64), sha256: 'f'.repeat(64) };
    const events = failedBeforeSwitchRun().flatMap((e): DeployEvent[] =>
      e.type === 'run:start'
        ? [
            { ...e, verb: 'promote' },
            { type: 'promote', from },
          ]
        : [e],
    );
    expect(summarize(timed(events), false)).toMatchObject({ promotedFrom: from, revision: from.revision });
    expect(summarize(timed(failedBeforeSwitchRun()), false)).not.toHaveProperty('promotedFrom');
  });

  it("a beta run's summary carries its beta event (without `type`): a promote says so", () => {
    const beta = { action: 'promote' as const, hosts: ['web2'], release: R1, live: R1, mark: 'cookie beta' };
    const events = successfulRun().flatMap((e): DeployEvent[] => (e.type === 'run:end' ? [{ type: 'beta', ...beta }, e] : [e]));
    expect(summarize(timed(events), true).beta).toEqual(beta);
    expect(summarize(timed(successfulRun()), true)).not.toHaveProperty('beta');
  });

  it('a failed switch: hosts that went back are switched-back, current is the old release', () => {
    const s = summarize(timed(switchedBackRun()), false);
    expect(outcomes(s)).toEqual({ web1: 'switched-back', web2: 'switched-back', db1: 'switched-back' });
    const web2 = s.hosts.find((h) => h.host === 'web2')!;
    expect(web2).toMatchObject({ previous: R0, release: R1, current: R0 });
    expect(web2.error).toMatch(/health/);
  });

  it('a host whose switch back failed is not said to be switched back: failed, still on the new release', () => {
    const lost = 'db1: switchback: connection lost while running switch current';
    const events = switchedBackRun().map((e) =>
      e.type === 'host:end' && e.step === 'switchback' && e.host === 'db1' ? { ...e, ok: false, error: lost } : e,
    );
    const s = summarize(timed(events), false);
    expect(outcomes(s)).toEqual({ web1: 'switched-back', web2: 'switched-back', db1: 'failed' });
    expect(s.hosts.find((h) => h.host === 'db1')).toMatchObject({ previous: R0, release: R1, current: R1, error: lost });
  });

  it('the release comes from release:chosen (run:start no longer names it)', () => {
    const events = successfulRun()
      .map((e) => (e.type === 'run:start' ? { ...e, release: undefined } : e))
      .filter((e) => e.type !== 'release');
    const s = summarize(timed([events[0]!, { type: 'release:chosen', release: R1 }, ...events.slice(1)]), false);
    expect(s.release).toBe(R1);
  });

  it('a failure before the switch: the failing host failed, the others unchanged on R0', () => {
    const s = summarize(timed(failedBeforeSwitchRun()), false);
    expect(outcomes(s)).toEqual({ web1: 'failed', web2: 'unchanged', db1: 'unchanged' });
    expect(s.hosts.every((h) => h.current === R0)).toBe(true);
    expect(s.hosts.find((h) => h.host === 'web1')!.error).toBe('web1: shared: command failed with exit code 1: check shared files');
  });

  it('a run stopped before it read any host (lock held): the selected hosts, unchanged', () => {
    const s = summarize(timed(successfulRun().slice(0, 1)), false);
    expect(s.hosts.map((h) => [h.host, h.outcome, h.previous])).toEqual([
      ['web1', 'unchanged', null],
      ['web2', 'unchanged', null],
      ['db1', 'unchanged', null],
      ['lb1', 'unchanged', null],
    ]);
  });

  it('a rollback to the release a host already serves leaves it unchanged', () => {
    const s = summarize(
      timed([
        { type: 'run:start', verb: 'rollback', stage: 'staging', id: R1, hosts: ['web1', 'web2'], dryRun: false },
        { type: 'release', host: 'web1', previous: R1, release: R0 },
        { type: 'release', host: 'web2', previous: R0, release: R0 },
      ]),
      true,
    );
    expect(s.release).toBe(R0);
    expect(outcomes(s)).toEqual({ web1: 'deployed', web2: 'unchanged' });
  });

  it('a dry run changes nothing', () => {
    const events = successfulRun().map((e) => (e.type === 'run:start' ? { ...e, dryRun: true } : e));
    expect(new Set(Object.values(outcomes(summarize(timed(events), true))))).toEqual(new Set(['unchanged']));
  });
});
