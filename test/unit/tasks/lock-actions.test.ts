import { describe, expect, it } from 'vitest';
import type { LockInfo } from '../../../src/commands/lock.js';
import { ConnectionError, DeployError } from '../../../src/errors.js';
import { lockAction, lockStatusReport } from '../../../src/tasks/lock-actions.js';
import type { HostLock } from '../../../src/tasks/lock.js';

const clock = { now: 1_767_225_900, since: 1_767_225_600, expires: 1_767_226_500 };
const info = (token: string): LockInfo => ({ owner: 'alice@laptop', message: 'hotfix', verb: 'deploy', run: '20260101-000000', token });
const locked = (host: string, token: string): HostLock => ({ host, state: 'locked', token, info: info(token), clock });

describe('lock actions (what `deploy lock` does and says, as data)', () => {
  it('knows its actions; another word is a usage error (exit 2) before anything runs', () => {
    expect(lockAction('acquire')).toBe('acquire');
    const e = (() => {
      try {
        lockAction('steal');
      } catch (x) {
        return x as DeployError;
      }
    })();
    expect(e).toBeInstanceOf(DeployError);
    expect(e!.exitCode).toBe(2);
    expect(e!.message).toBe('unknown lock action "steal"; use one of: status, acquire, release');
  });

  it('status: unlocked everywhere is one line naming the lock host', () => {
    const r = lockStatusReport('staging', [
      { host: 'web1', state: 'unlocked' },
      { host: 'web2', state: 'unlocked' },
    ]);
    expect(r.lines).toEqual(['staging: unlocked (lock host web1)']);
    expect(r.error).toBeUndefined();
    expect(r.json).toMatchObject({ type: 'lock', host: 'web1', state: 'unlocked' });
  });

  it('status: the holder on the lock host, then only the hosts whose lock differs from it', () => {
    const a = 'a'.repeat(32);
    const b = 'b'.repeat(32);
    const r = lockStatusReport('staging', [locked('web1', a), locked('web2', a), locked('db1', b), { host: 'media1', state: 'unlocked' }]);
    expect(r.lines).toEqual([
      'staging: locked on web1 by alice@laptop (deploy 20260101-000000) since 2026-01-01T00:00:00.000Z (5m ago): "hotfix"',
      '  db1: locked by alice@laptop (deploy 20260101-000000) since 2026-01-01T00:00:00.000Z (5m ago): "hotfix"',
    ]);
  });

  it('status: a host whose lock cannot be read is said, and the action fails with exit 4', () => {
    const r = lockStatusReport('staging', [
      { host: 'web1', state: 'unlocked' },
      { host: 'web2', state: 'unknown', error: 'connection refused' },
    ]);
    expect(r.lines).toEqual(['staging: unlocked on web1', '  web2: cannot read the lock: connection refused']);
    expect(r.error).toBeInstanceOf(ConnectionError);
    expect(r.error!.message).toBe('web2: the lock could not be read');
  });
});
