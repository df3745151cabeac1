import { describe, expect, it } from 'vitest';
import type { RevisionLogEntry } from '../../../src/commands/log.js';
import { syncPlan, type SyncView } from '../../../src/tasks/sync-plan.js';

const R1 = '20260101000000';
const R2 = '20260102000000';
const R3 = '20260103000000';
const line = (release: string, time: string, outcome: RevisionLogEntry['outcome'] = 'deployed'): RevisionLogEntry => ({
  release,
  revision: `rev-${release}`,
  user: 'ann',
  time,
  stage: 'staging',
  outcome,
});
const view = (current: string | null, log: RevisionLogEntry[] = current ? [line(current, '2026-01-01T00:00:00Z')] : []): SyncView => ({
  current,
  releases: current ? [current] : [],
  log,
});
const web = (name: string) => ({ name, roles: ['web'] });

describe('syncPlan (which hosts `deploy sync` brings to which release)', () => {
  it('hosts with no release join the release their role serves, with its revision', () => {
    const plan = syncPlan(
      [web('web1'), web('web2'), web('web3')],
      new Map([
        ['web1', view(R1)],
        ['web2', view(R1)],
        ['web3', view(null)],
      ]),
      ['web'],
    );
    expect(plan.live).toEqual([{ role: 'web', release: R1, revision: `rev-${R1}`, on: ['web1', 'web2'] }]);
    expect(plan.behind).toEqual([{ host: 'web3', from: null, to: R1, role: 'web' }]);
  });

  it('the live release is the one most hosts serve, not the newest id', () => {
    const plan = syncPlan(
      [web('a'), web('b'), web('c')],
      new Map([
        ['a', view(R1)],
        ['b', view(R1)],
        ['c', view(R2)],
      ]),
      ['web'],
    );
    expect(plan.behind).toEqual([{ host: 'c', from: R2, to: R1, role: 'web' }]);
  });

  it('a tie goes to the release that went live last by the revision log (a failed line does not count)', () => {
    const a = view(R2, [line(R2, '2026-01-02T00:00:00Z'), line(R3, '2026-01-05T00:00:00Z', 'failed')]);
    const b = view(R1, [line(R1, '2026-01-01T00:00:00Z'), line(R1, '2026-01-03T00:00:00Z', 'rolled-back')]);
    const plan = syncPlan(
      [web('a'), web('b')],
      new Map([
        ['a', a],
        ['b', b],
      ]),
      ['web'],
    );
    expect(plan.live[0]!.release).toBe(R1);
    expect(plan.behind.map((x) => x.host)).toEqual(['a']);
  });

  it('nothing is behind when every host serves the live release; a role no host serves has none', () => {
    expect(
      syncPlan(
        [web('a'), web('b')],
        new Map([
          ['a', view(R1)],
          ['b', view(R1)],
        ]),
        ['web'],
      ).behind,
    ).toEqual([]);
    expect(syncPlan([web('a')], new Map([['a', view(null)]]), ['web'])).toEqual({ live: [], behind: [], conflicts: [] });
  });

  it('a host of two code roles that serve different releases is a conflict, left alone', () => {
    const hosts = [web('w'), { name: 'd', roles: ['db'] }, { name: 'x', roles: ['web', 'db'] }];
    const plan = syncPlan(
      hosts,
      new Map([
        ['w', view(R1)],
        ['d', view(R2)],
        ['x', view(null)],
      ]),
      ['web', 'db'],
    );
    expect(plan.conflicts).toEqual(['x']);
    expect(plan.behind).toEqual([]);
  });

  it('hosts not read (unreachable) are neither counted nor behind', () => {
    const plan = syncPlan([web('a'), web('b')], new Map([['a', view(R1)]]), ['web']);
    expect(plan.behind).toEqual([]);
  });
});
