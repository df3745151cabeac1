import { afterEach, describe, expect, it, vi } from 'vitest';
import type { LockInfo } from '../../../src/commands/lock.js';
import { LockHeldError, LockLostError } from '../../../src/errors.js';
import { acquireLocks, type LockRequest } from '../../../src/tasks/lock.js';
import { scripted, type Scripted } from './scripted.js';

// The lock on a scripted fleet (web1 is the lock host, then web2 and the balancer lb1): lock wait, take-over and
// renewal as the writes they make, in order, in milliseconds.

const request: LockRequest = { run: '20260102-000000', owner: 'bob@ci', message: 'ship it', verb: 'deploy', waitSeconds: 0 };
const other: LockInfo = { owner: 'alice@laptop', message: 'hotfix', verb: 'deploy', run: '20260101-000000', token: 'a'.repeat(32) };
const holdBy = (s: Scripted, host: string, o: { expiresIn?: number } = {}) =>
  s.world.locks.set(host, { token: other.token, info: other, since: s.world.clock - 30, expires: s.world.clock + (o.expiresIn ?? 600) });
const lockLines = (s: Scripted) => s.log.filter((l) => / → /.test(l));
const lockEvents = (s: Scripted) => s.events.flatMap((e) => (e.type === 'lock' ? [`${e.action} ${e.host}`] : []));

afterEach(() => {
  vi.useRealTimers();
});

describe('lock (scripted)', () => {
  it('held on the lock host, no wait: fails at once with exit 3, naming the holder; no other host is touched', async () => {
    const s = scripted();
    holdBy(s, 'web1');
    const e = await acquireLocks(s.ctx, request).then(
      () => undefined,
      (x: unknown) => x as LockHeldError,
    );
    expect(e).toBeInstanceOf(LockHeldError);
    expect(e!.exitCode).toBe(3);
    expect(e!.message).toMatch(/^stage staging is locked on web1 by alice@laptop \(deploy 20260101-000000\) since .*: "hotfix"$/);
    // Every host is tried in the same round trip; what was taken goes back before giving up.
    expect(lockLines(s).sort()).toEqual(
      [
        'lb1: lock /srv/shop → acquired',
        'lb1: unlock /srv/shop → released',
        'web1: lock /srv/shop → held',
        'web2: lock /srv/shop → acquired',
        'web2: unlock /srv/shop → released',
      ].sort(),
    );
    expect(lockEvents(s)).toEqual(['held web1']);
    expect([...s.world.locks.values()].filter((l) => l !== null).map((l) => l!.info.owner)).toEqual(['alice@laptop']);
  });

  it('--lock-wait: waits while held, takes every host once the holder let go', async () => {
    const s = scripted();
    holdBy(s, 'web1');
    let tries = 0;
    s.world.before = (host, c) => {
      if (host === 'web1' && c.description === 'lock /srv/shop' && ++tries === 2) s.world.locks.set('web1', null);
    };
    const lock = await acquireLocks(s.ctx, { ...request, waitSeconds: 0.3 });
    expect(lockEvents(s)).toEqual(['waiting web1', 'acquired web1']);
    expect(lockLines(s).filter((l) => l.startsWith('web1'))).toEqual(['web1: lock /srv/shop → held', 'web1: lock /srv/shop → acquired']);
    expect([...s.world.locks.values()].map((l) => l?.info.owner)).toEqual(['bob@ci', 'bob@ci', 'bob@ci']);
    await lock.release();
    expect([...s.world.locks.values()]).toEqual([null, null, null]);
  });

  it('takes over a lock expired by the host’s clock, with a warning naming the holder', async () => {
    const s = scripted();
    holdBy(s, 'web1', { expiresIn: -1 });
    const lock = await acquireLocks(s.ctx, request);
    expect(lockLines(s).filter((l) => l.startsWith('web1'))).toEqual([
      'web1: lock /srv/shop → held',
      'web1: take over the lock of run aaaaaaaa → acquired',
    ]);
    expect(lockEvents(s)).toEqual(['taken-over web1', 'acquired web1']);
    expect(s.trace(['warning'])).toEqual([
      expect.stringMatching(/^warning web1: taking over the lock that expired \(by the lock host’s clock\): it was held by alice@laptop/),
    ]);
    await lock.release();
  });

  it('never takes over a lock that has not expired on its host, whatever this machine’s clock says', async () => {
    const s = scripted();
    holdBy(s, 'web1', { expiresIn: 5 });
    vi.useFakeTimers({ toFake: ['Date'], now: Date.now() + 3_600_000 });
    const e = await acquireLocks(s.ctx, request).then(
      () => undefined,
      (x: unknown) => x,
    );
    expect(e).toBeInstanceOf(LockHeldError);
    expect(lockLines(s).some((l) => l.includes('take over'))).toBe(false);
  });

  it('renewal: renews every host each ttl/3; a lock that changed hands stops the run before its next step (exit 3)', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'performance'] });
    const s = scripted({ extra: { lock: { ttl: 30 } } });
    const lock = await acquireLocks(s.ctx, request);
    await vi.advanceTimersByTimeAsync(10_000);
    expect(
      lockLines(s)
        .filter((l) => l.includes('renew'))
        .sort(),
    ).toEqual(['lb1: renew the deploy lock → renewed', 'web1: renew the deploy lock → renewed', 'web2: renew the deploy lock → renewed']);
    lock.check('install');
    holdBy(s, 'web2');
    await vi.advanceTimersByTimeAsync(10_000);
    expect(lockLines(s)).toContain('web2: renew the deploy lock → lost');
    expect(() => lock.check('migrate')).toThrow(LockLostError);
    expect(() => lock.check('migrate')).toThrow('the deploy lock on web2 is now held by another run: stopping before migrate');
    await lock.release();
    // Its own locks go; the new holder's stays.
    expect(s.world.locks.get('web2')?.info.owner).toBe('alice@laptop');
    expect(s.world.locks.get('web1')).toBeNull();
  });

  it('renewal: a host that cannot be renewed for longer than the ttl stops the run before its next step', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'performance'] });
    const s = scripted({ extra: { lock: { ttl: 30 } } });
    const lock = await acquireLocks(s.ctx, request);
    s.world.answers.push({ host: 'lb1', match: /^renew the deploy lock$/, answer: { code: 255, stderr: 'connection reset' } });
    await vi.advanceTimersByTimeAsync(25_000);
    lock.check('install');
    expect(s.trace(['warning'])).toContainEqual('warning lb1: could not renew the deploy lock on lb1 (exit 255); trying again');
    await vi.advanceTimersByTimeAsync(10_000);
    expect(() => lock.check('switch')).toThrow(
      /^the deploy lock on lb1 was not renewed for 3\ds, longer than lock\.ttl \(30s\), so another run may take it over: stopping before switch$/,
    );
    await lock.release();
  });
});
