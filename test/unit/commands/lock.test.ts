import { Buffer } from 'node:buffer';
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { acquire, encodeLockInfo, release, renew, status, takeOver, type LockInfo } from '../../../src/commands/lock.js';
import { paths } from '../../../src/commands/paths.js';
import { parseLockStatus } from '../../../src/facts/lock.js';
import { renders, sandbox } from './table.js';

const p = paths('/srv/app');
const spaced = paths('/srv/my app/');
const info: LockInfo = {
  owner: 'ann@laptop',
  time: '2024-01-02T03:04:05.000Z',
  message: "hotfix: it's $(rm -rf /)",
  release: '20240102030405',
  expires: '2024-01-02T03:19:05.000Z',
};
const b64 =
  'eyJvd25lciI6ImFubkBsYXB0b3AiLCJ0aW1lIjoiMjAyNC0wMS0wMlQwMzowNDowNS4wMDBaIiwibWVzc2FnZSI6ImhvdGZpeDogaXQncyAkKHJtIC1yZiAvKSIsInJlbGVhc2UiOiIyMDI0MDEwMjAzMDQwNSIsImV4cGlyZXMiOiIyMDI0LTAxLTAyVDAzOjE5OjA1LjAwMFoifQ==';
const writeOwner = (dir: string) => `printf '%s\\n' '${b64}' > ${dir}/owner.tmp && mv -f ${dir}/owner.tmp ${dir}/owner`;

describe('lock commands', () => {
  it('encodes the info as base64 JSON, in a fixed key order', () => {
    expect(encodeLockInfo(info)).toBe(b64);
    expect(JSON.parse(Buffer.from(b64, 'base64').toString('utf8'))).toEqual(info);
  });

  renders([
    [
      'acquire: mkdir is the lock',
      () => acquire(p, info),
      `mkdir -p /srv/app && mkdir /srv/app/deploy.lock && printf '%s\\n' 20240102030405 > /srv/app/deploy.lock/release && ${writeOwner('/srv/app/deploy.lock')}`,
      'write',
    ],
    ['release: removes the lock dir only', () => release(spaced), "rm -rf '/srv/my app/deploy.lock'", 'write'],
    [
      'renew: only while the lock holds our release',
      () => renew(p, info),
      `[ "$(cat /srv/app/deploy.lock/release 2>/dev/null)" = 20240102030405 ] && ${writeOwner('/srv/app/deploy.lock')}`,
      'write',
    ],
    [
      'takeOver: only the lock that was seen expired',
      () => takeOver(p, info, '20240101000000'),
      `[ "$(cat /srv/app/deploy.lock/release 2>/dev/null)" = 20240101000000 ] && rm -rf /srv/app/deploy.lock.stale-20240102030405 && mv /srv/app/deploy.lock /srv/app/deploy.lock.stale-20240102030405 && rm -rf /srv/app/deploy.lock.stale-20240102030405 && mkdir /srv/app/deploy.lock && printf '%s\\n' 20240102030405 > /srv/app/deploy.lock/release && ${writeOwner('/srv/app/deploy.lock')}`,
      'write',
    ],
    [
      'takeOver of a lock without a release file',
      () => takeOver(spaced, info, ''),
      `[ "$(cat '/srv/my app/deploy.lock/release' 2>/dev/null)" = '' ] && rm -rf '/srv/my app/deploy.lock.stale-20240102030405' && mv '/srv/my app/deploy.lock' '/srv/my app/deploy.lock.stale-20240102030405' && rm -rf '/srv/my app/deploy.lock.stale-20240102030405' && mkdir '/srv/my app/deploy.lock' && printf '%s\\n' 20240102030405 > '/srv/my app/deploy.lock/release' && printf '%s\\n' '${b64}' > '/srv/my app/deploy.lock/owner.tmp' && mv -f '/srv/my app/deploy.lock/owner.tmp' '/srv/my app/deploy.lock/owner'`,
      'write',
    ],
    [
      'status: a read',
      () => status(spaced),
      `if [ -d '/srv/my app/deploy.lock' ] ; then printf 'locked\\n' ; printf 'release %s\\n' "$(cat '/srv/my app/deploy.lock/release' 2>/dev/null)" ; printf 'owner %s\\n' "$(cat '/srv/my app/deploy.lock/owner' 2>/dev/null)" ; fi`,
      'read',
    ],
  ]);

  it('refuses a release id that is not a plain word', () => {
    expect(() => acquire(p, { ...info, release: 'x; rm -rf /' })).toThrow(/not a release id/);
    expect(() => takeOver(p, info, '../x')).toThrow(/not a release id/);
  });
});

describe('lock commands on a real shell', () => {
  const box = sandbox();
  afterAll(box.cleanup);
  const read = () => parseLockStatus(box.run(status(box.p)).stdout);
  const other: LockInfo = { ...info, owner: 'bob@ci', release: '20240102030406', message: 'second' };

  it('acquires once, refuses a second, renews only its own, releases', () => {
    expect(read()).toEqual({ state: 'unlocked' });
    expect(box.run(acquire(box.p, info)).code).toBe(0);
    expect(read()).toEqual({ state: 'locked', release: info.release, info });

    const second = box.run(acquire(box.p, other));
    expect(second.code).not.toBe(0);
    expect(read()).toEqual({ state: 'locked', release: info.release, info });

    expect(box.run(renew(box.p, other)).code).not.toBe(0);
    const renewed = { ...info, expires: '2024-01-02T03:34:05.000Z' };
    expect(box.run(renew(box.p, renewed)).code).toBe(0);
    expect(read()).toEqual({ state: 'locked', release: info.release, info: renewed });

    expect(box.run(release(box.p)).code).toBe(0);
    expect(read()).toEqual({ state: 'unlocked' });
    expect(box.run(renew(box.p, info)).code).not.toBe(0);
    expect(read()).toEqual({ state: 'unlocked' });
  });

  it('takes over only the lock it saw expire', () => {
    expect(box.run(acquire(box.p, info)).code).toBe(0);
    expect(box.run(takeOver(box.p, other, '20231231000000')).code).not.toBe(0);
    expect(read()).toMatchObject({ state: 'locked', release: info.release });
    expect(box.run(takeOver(box.p, other, info.release)).code).toBe(0);
    expect(read()).toEqual({ state: 'locked', release: other.release, info: other });
    expect(readdirSync(box.p.root).filter((n) => n.includes('stale'))).toEqual([]);
    expect(box.run(release(box.p)).code).toBe(0);
  });

  it('reports a lock dir left without an owner as malformed, and can take it over', () => {
    mkdirSync(box.p.lock);
    expect(read()).toMatchObject({ state: 'malformed', release: '', error: 'the lock has no owner file' });
    expect(box.run(takeOver(box.p, info, '')).code).toBe(0);
    expect(read()).toEqual({ state: 'locked', release: info.release, info });
    writeFileSync(`${box.p.lock}/owner`, 'not base64!\n');
    expect(read()).toMatchObject({ state: 'malformed', release: info.release });
  });
});
