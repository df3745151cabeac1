import { describe, expect, it } from 'vitest';
import { ConnectionError } from '../../../src/errors.js';
import { statusReport, type HostStatus, type StageStatus } from '../../../src/tasks/status.js';

const host = (o: Partial<HostStatus> & { host: string }): HostStatus => ({
  roles: ['web'],
  current: '20260101000000',
  dangling: false,
  revision: '0123456789abcdef0123',
  health: 'healthy',
  rotation: 'in',
  bad: [],
  ...o,
});

const stage = (hosts: HostStatus[], o: Partial<StageStatus> = {}): StageStatus => ({
  stage: 'staging',
  hosts,
  lock: { host: 'web1', state: 'unlocked' },
  mixed: new Map(),
  unreachable: hosts.filter((h) => h.error !== undefined).map((h) => h.host),
  ...o,
});

describe('statusReport (what `deploy status` prints, as data)', () => {
  it('one row per host: release, short revision, health, rotation, bad releases', () => {
    const r = statusReport(
      stage([
        host({ host: 'web1', bad: ['20251231000000'] }),
        host({ host: 'web2', rotation: 'out', health: 'unhealthy' }),
        host({ host: 'db1', roles: ['db'], current: null, revision: null, health: 'n/a', rotation: 'n/a' }),
      ]),
    );
    expect(r.rows).toEqual([
      {
        host: 'web1',
        roles: 'web',
        release: '20260101000000',
        revision: '0123456789ab',
        health: 'healthy',
        rotation: 'in',
        bad: ['20251231000000'],
      },
      {
        host: 'web2',
        roles: 'web',
        release: '20260101000000',
        revision: '0123456789ab',
        health: 'unhealthy',
        rotation: 'DRAINED',
        bad: [],
      },
      { host: 'db1', roles: 'db', release: '-', revision: '', health: 'n/a', rotation: '', bad: [] },
    ]);
    expect(r.warnings).toEqual([]);
    expect(r.error).toBeUndefined();
  });

  it('a dangling current, mixed releases and a held lock are warnings', () => {
    const r = statusReport(
      stage([host({ host: 'web1', dangling: true }), host({ host: 'web2', current: '20260102000000', rotation: 'mixed' })], {
        mixed: new Map([
          [
            'web',
            new Map([
              ['20260101000000', ['web1']],
              ['20260102000000', ['web2']],
            ]),
          ],
        ]),
        lock: {
          host: 'web1',
          state: 'malformed',
          token: '',
          error: 'the lock has no owner file',
          raw: '',
          clock: { now: 1_767_225_900, since: 1_767_225_600, expires: 1_767_226_500 },
        },
      }),
    );
    expect(r.rows.map((x) => [x.release, x.rotation])).toEqual([
      ['20260101000000 (MISSING)', 'in'],
      ['20260102000000', 'on some balancers only'],
    ]);
    expect(r.warnings).toEqual([
      'web1: current points to release 20260101000000, which does not exist: the host serves nothing it can restart from',
      'role web serves mixed releases: 20260101000000 on web1; 20260102000000 on web2',
      'staging is locked on web1 by an unreadable lock (the lock has no owner file) since 2026-01-01T00:00:00.000Z (5m ago)',
    ]);
    expect(r.json).toMatchObject({
      type: 'status',
      stage: 'staging',
      mixed: { web: { '20260101000000': ['web1'], '20260102000000': ['web2'] } },
    });
  });

  it('an unreachable host is a row saying why (control characters escaped) and a connection error (exit 4) after the table', () => {
    const r = statusReport(
      stage([host({ host: 'web1' }), host({ host: 'web2', error: 'connect ECONNREFUSED\u001b[2J' })], {
        lock: { host: 'web1', state: 'unknown', error: 'timed out' },
      }),
    );
    expect(r.rows[1]).toEqual({
      host: 'web2',
      roles: 'web',
      release: 'UNREACHABLE',
      revision: '',
      health: '',
      rotation: 'connect ECONNREFUSED\\x1b[2J',
      bad: [],
    });
    expect(r.warnings).toEqual(['the lock on web1 could not be read: timed out']);
    expect(r.error).toBeInstanceOf(ConnectionError);
    expect(r.error!.exitCode).toBe(4);
    expect(r.error!.message).toBe('web2: could not be read; the other hosts are shown above');
  });
});

describe('statusReport: hosts behind, drained, and hosts that left the pool', () => {
  it('a host behind its role is marked and named in a warning that says what fixes it; a drained host says since when', () => {
    const r = statusReport(
      stage(
        [
          host({ host: 'web1' }),
          host({ host: 'web3', current: null, revision: null, rotation: 'out', behind: '20260101000000' }),
          host({
            host: 'web4',
            current: null,
            revision: null,
            rotation: 'out',
            behind: '20260101000000',
            drainedSince: '2026-01-01T10:00:00Z',
          }),
        ],
        { now: '2026-01-01T10:05:00.000Z' },
      ),
    );
    expect(r.rows.map((x) => [x.host, x.release, x.rotation])).toEqual([
      ['web1', '20260101000000', 'in'],
      ['web3', '- (behind)', 'DRAINED'],
      ['web4', '- (behind)', 'DRAINED since 2026-01-01T10:00:00Z (5m)'],
    ]);
    expect(r.warnings).toEqual(['web3, web4 are behind: their role serves 20260101000000; `deploy sync staging` brings them to it']);
  });

  it('a server no longer in deploy.yml: still served (the next deploy takes it out), or gone since when', () => {
    const r = statusReport(
      stage([host({ host: 'web1' })], {
        left: [
          {
            balancer: 'lb1',
            left: [
              { host: 'web4', serving: true },
              { host: 'web5', serving: false, since: '2026-01-01T09:00:00Z' },
            ],
          },
        ],
      }),
    );
    expect(r.warnings).toEqual([
      'lb1 still sends requests to web4, which is not in the pool in deploy.yml: the next deploy takes it out',
      'web5 left the pool of lb1 at 2026-01-01T09:00:00Z: it is not in the pool in deploy.yml',
    ]);
    expect(r.json.left).toEqual([
      {
        balancer: 'lb1',
        left: [
          { host: 'web4', serving: true },
          { host: 'web5', serving: false, since: '2026-01-01T09:00:00Z' },
        ],
      },
    ]);
  });
});
