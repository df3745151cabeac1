import { describe, expect, it } from 'vitest';
import type { HostDef } from '../../../src/config/types.js';
import type { RevisionLogEntry } from '../../../src/commands/log.js';
import { chooseTarget, rollbackTarget, type RollbackView as HostReleases } from '../../../src/tasks/rollback.js';

const entry = (release: string, outcome: RevisionLogEntry['outcome'] = 'deployed'): RevisionLogEntry => ({
  release,
  revision: 'r',
  user: 'u@m',
  time: '2026-01-01T00:00:00Z',
  stage: 'staging',
  outcome,
});
const R = ['20260101000000', '20260102000000', '20260103000000', '20260104000000'] as const;
const state = (o: Partial<HostReleases>): HostReleases => ({ current: R[3], releases: [...R], bad: [], log: R.map((r) => entry(r)), ...o });

describe('rollbackTarget', () => {
  it.each<[string, Partial<HostReleases>, string | null]>([
    ['the release before current', {}, R[2]],
    ['skips releases marked bad', { bad: [R[2]] }, R[1]],
    ['skips releases that never went live', { log: [entry(R[0]), entry(R[1]), entry(R[2], 'failed'), entry(R[3])] }, R[1]],
    ['skips releases removed from disk', { releases: [R[1], R[3]] }, R[1]],
    ['follows the log, not what is on disk', { log: [entry(R[3])] }, null],
    ['counts a rollback as having gone live', { current: R[1], log: [entry(R[0], 'rolled-back'), entry(R[1])], bad: [R[2], R[3]] }, R[0]],
    ['nothing without a current release', { current: null }, null],
    ['nothing before the first release', { current: R[0] }, null],
    // A release made on a clock ahead has a greater id than the ones deployed after it.
    ['the log order, not the id order (skewed clocks)', { current: R[1], log: [entry(R[0]), entry(R[3]), entry(R[1])] }, R[3]],
    [
      'after `--to` an old one and a new deploy: the one live before',
      { current: R[3], log: [entry(R[0]), entry(R[1]), entry(R[2]), entry(R[0], 'rolled-back'), entry(R[3])], bad: [R[2]] },
      R[0],
    ],
    ['current not in the log: the last one that went live', { current: R[3], log: [entry(R[2]), entry(R[1])] }, R[1]],
  ])('%s', (_, o, expected) => expect(rollbackTarget(state(o))).toBe(expected));
});

describe('chooseTarget', () => {
  const hosts = ['web1', 'web2'].map((name) => ({ name, address: name, roles: ['web'], vars: {}, primary: false }) as HostDef);

  it('one target for the whole fleet', () => {
    expect(
      chooseTarget(
        hosts,
        new Map([
          ['web1', state({})],
          ['web2', state({})],
        ]),
      ),
    ).toBe(R[2]);
  });

  it('refuses when hosts disagree, naming each', () => {
    expect(() =>
      chooseTarget(
        hosts,
        new Map([
          ['web1', state({})],
          ['web2', state({ bad: [R[2]] })],
        ]),
      ),
    ).toThrow(/no single earlier release to go back to on every host:\n {2}web1: 20260103000000\n {2}web2: 20260102000000/);
  });

  it('refuses --to a release missing on some host, naming it', () => {
    expect(() =>
      chooseTarget(
        hosts,
        new Map([
          ['web1', state({})],
          ['web2', state({ releases: [R[3]] })],
        ]),
        R[0],
      ),
    ).toThrow('release 20260101000000 is missing on web2; nothing was changed');
  });
});
