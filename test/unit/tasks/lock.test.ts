import { describe, expect, it } from 'vitest';
import { describeHolder, formatAge, lockHost, lockInfo } from '../../../src/tasks/lock.js';
import { config } from './fixtures.js';

describe('lock', () => {
  it('lives on the primary host of the first role in the rollout', () => {
    expect(lockHost(config()).name).toBe('db1');
    const c = config();
    expect(lockHost({ ...c, rollout: ['web', 'db'] }).name).toBe('web1');
  });

  it('expires ttl seconds after it was taken', () => {
    const info = lockInfo(config(), { release: '20260101000000', message: 'm', owner: 'a@b', waitSeconds: 0 }, new Date('2026-01-01T00:00:00Z'));
    expect(info).toEqual({ owner: 'a@b', time: '2026-01-01T00:00:00.000Z', message: 'm', release: '20260101000000', expires: '2026-01-01T00:15:00.000Z' });
  });

  it('names holder, age, release and message', () => {
    const now = new Date('2026-01-01T00:05:00Z');
    const info = { owner: 'alice@laptop', time: '2026-01-01T00:00:00Z', message: 'hotfix', release: '20260101000000', expires: '2026-01-01T00:15:00Z' };
    expect(describeHolder({ state: 'locked', release: info.release, info }, now)).toBe('alice@laptop since 2026-01-01T00:00:00Z (5m ago), release 20260101000000: "hotfix"');
    expect(describeHolder({ state: 'malformed', release: '', error: 'the lock has no owner file', raw: '' }, now)).toBe('an unreadable lock (the lock has no owner file)');
  });

  it.each([
    [5, '5s'],
    [119, '119s'],
    [600, '10m'],
    [7200, '2h'],
  ])('age %is reads %s', (s, text) => expect(formatAge(s)).toBe(text));
});
