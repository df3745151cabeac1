import { Buffer } from 'node:buffer';
import { describe, expect, it } from 'vitest';
import { encodeLockInfo, type LockInfo } from '../../../src/commands/lock.js';
import { paths } from '../../../src/commands/paths.js';
import { decodeLockInfo, isExpired, lockStatus, parseLockStatus } from '../../../src/facts/lock.js';
import { parses, probes } from './table.js';

const info: LockInfo = {
  owner: 'ann@laptop',
  time: '2024-01-02T03:04:05.000Z',
  message: 'hotfix\nwith "quotes" and $(subshells)',
  release: '20240102030405',
  expires: '2024-01-02T03:19:05.000Z',
};
const b64 = (value: unknown) => Buffer.from(JSON.stringify(value), 'utf8').toString('base64');
const out = (release: string, owner: string) => `locked\nrelease ${release}\nowner ${owner}\n`;

describe('lock status', () => {
  probes([
    [
      'lockStatus',
      lockStatus(paths('/srv/app')),
      `if [ -d /srv/app/deploy.lock ] ; then printf 'locked\\n' ; printf 'release %s\\n' "$(cat /srv/app/deploy.lock/release 2>/dev/null)" ; printf 'owner %s\\n' "$(cat /srv/app/deploy.lock/owner 2>/dev/null)" ; fi`,
    ],
  ]);

  parses('parseLockStatus', parseLockStatus, [
    ['unlocked', '', { state: 'unlocked' }],
    ['locked', out(info.release, encodeLockInfo(info)), { state: 'locked', release: info.release, info }],
    [
      'extra keys are dropped',
      out(info.release, b64({ ...info, extra: 1 })),
      { state: 'locked', release: info.release, info },
    ],
    [
      'no release file: the JSON names it',
      out('', encodeLockInfo(info)),
      { state: 'locked', release: info.release, info },
    ],
    [
      'no owner file',
      out(info.release, ''),
      { state: 'malformed', release: info.release, error: 'the lock has no owner file', raw: '' },
    ],
    [
      'not base64',
      out(info.release, 'hello world'),
      { state: 'malformed', release: info.release, error: 'the owner file is not base64', raw: 'hello world' },
    ],
    [
      'base64 of something else',
      out(info.release, Buffer.from('{nope').toString('base64')),
      { state: 'malformed', release: info.release, error: 'the owner file does not hold JSON', raw: Buffer.from('{nope').toString('base64') },
    ],
    [
      'a JSON array',
      out(info.release, b64([1])),
      { state: 'malformed', release: info.release, error: 'the owner file is not a JSON object', raw: b64([1]) },
    ],
    [
      'missing fields',
      out(info.release, b64({ owner: 'x', release: '1' })),
      { state: 'malformed', release: info.release, error: 'the owner file lacks time, message, expires', raw: b64({ owner: 'x', release: '1' }) },
    ],
    [
      'a bad date',
      out(info.release, b64({ ...info, expires: 'soon' })),
      { state: 'malformed', release: info.release, error: "the owner file's expires is not a date: soon", raw: b64({ ...info, expires: 'soon' }) },
    ],
    [
      'unexpected output',
      'Permission denied\n',
      { state: 'malformed', release: '', error: 'unexpected lock status output', raw: 'Permission denied\n' },
    ],
  ]);

  it('decodeLockInfo round-trips encodeLockInfo', () => {
    expect(decodeLockInfo(encodeLockInfo(info))).toEqual(info);
    expect(decodeLockInfo(`${encodeLockInfo(info)}\n`)).toEqual(info);
  });

  const expiry: [string, boolean][] = [
    ['2024-01-02T03:19:04.999Z', false],
    ['2024-01-02T03:19:05.000Z', true],
    ['2024-01-03T00:00:00.000Z', true],
  ];
  it.each(expiry)('at %s the lock is expired: %s', (now, expected) => {
    expect(isExpired(info, new Date(now))).toBe(expected);
  });
});
