import { Buffer } from 'node:buffer';
import { describe, expect, it } from 'vitest';
import { encodeLockInfo, type LockInfo } from '../../../src/commands/lock.js';
import { paths } from '../../../src/commands/paths.js';
import {
  decodeLockInfo,
  isExpired,
  lockStatus,
  parseAcquired,
  parseLockStatus,
  parseLost,
  parseReleased,
} from '../../../src/facts/lock.js';
import { parses, probes } from './table.js';

const T = '0123456789abcdef0123456789abcdef';
const info: LockInfo = {
  owner: 'ann@laptop',
  message: 'hotfix\nwith "quotes" and $(subshells)',
  verb: 'deploy',
  run: '20240102-030405',
  token: T,
};
const b64 = (value: unknown) => Buffer.from(JSON.stringify(value), 'utf8').toString('base64');
const out = (o: { token?: string; owner: string; since?: string; expires?: string; now?: string; mtime?: string }) =>
  `locked\nnow ${o.now ?? '1000'}\nmtime ${o.mtime ?? '900'}\ntoken ${o.token ?? T}\nsince ${o.since ?? '950'}\nexpires ${o.expires ?? '1850'}\nowner ${o.owner}\n`;
const clock = { now: 1000, since: 950, expires: 1850 };
const TTL = 900;

describe('lock status', () => {
  probes([
    [
      'lockStatus',
      lockStatus(paths('/srv/app'), TTL),
      `if [ -d /srv/app/deploy.lock ] ; then printf 'locked\\n' ; printf 'now %s\\n' "\${EPOCHSECONDS:-$(date +%s)}" ; printf 'mtime %s\\n' "$(stat -c %Y /srv/app/deploy.lock 2>/dev/null)" ; printf 'token %s\\n' "$(cat /srv/app/deploy.lock/token 2>/dev/null)" ; printf 'since %s\\n' "$(cat /srv/app/deploy.lock/since 2>/dev/null)" ; printf 'expires %s\\n' "$(cat /srv/app/deploy.lock/expires 2>/dev/null)" ; printf 'owner %s\\n' "$(cat /srv/app/deploy.lock/owner 2>/dev/null)" ; fi`,
    ],
  ]);

  parses('parseLockStatus', (s) => parseLockStatus(s, TTL), [
    ['unlocked', '', { state: 'unlocked' }],
    ['locked', out({ owner: encodeLockInfo(info) }), { state: 'locked', token: T, info, clock }],
    ['extra keys are dropped', out({ owner: b64({ ...info, extra: 1 }) }), { state: 'locked', token: T, info, clock }],
    [
      'no expiry or since written (a run died while taking it): the dir mtime + ttl, by the host clock',
      out({ owner: encodeLockInfo(info), since: '', expires: '' }),
      { state: 'locked', token: T, info, clock: { now: 1000, since: 900, expires: 1800 } },
    ],
    [
      'a token file that does not match the owner',
      out({ owner: encodeLockInfo(info), token: 'ffffffffffffffffffffffffffffffff' }),
      {
        state: 'malformed',
        token: 'ffffffffffffffffffffffffffffffff',
        error: 'the token file does not match the owner file',
        raw: encodeLockInfo(info),
        clock,
      },
    ],
    [
      'no owner file',
      out({ owner: '', token: '' }),
      { state: 'malformed', token: '', error: 'the lock has no owner file', raw: '', clock },
    ],
    [
      'not base64',
      out({ owner: 'hello world' }),
      { state: 'malformed', token: T, error: 'the owner file is not base64', raw: 'hello world', clock },
    ],
    [
      'base64 of something else',
      out({ owner: Buffer.from('{nope').toString('base64') }),
      { state: 'malformed', token: T, error: 'the owner file does not hold JSON', raw: Buffer.from('{nope').toString('base64'), clock },
    ],
    [
      'a JSON array',
      out({ owner: b64([1]) }),
      { state: 'malformed', token: T, error: 'the owner file is not a JSON object', raw: b64([1]), clock },
    ],
    [
      'missing fields (a lock of an older version)',
      out({ owner: b64({ owner: 'x', release: '1' }) }),
      {
        state: 'malformed',
        token: T,
        error: 'the owner file lacks message, verb, run, token',
        raw: b64({ owner: 'x', release: '1' }),
        clock,
      },
    ],
    [
      'unexpected output',
      'Permission denied\n',
      {
        state: 'malformed',
        token: '',
        error: 'unexpected lock status output',
        raw: 'Permission denied\n',
        clock: { now: 0, since: null, expires: TTL },
      },
    ],
  ]);

  it('decodeLockInfo round-trips encodeLockInfo', () => {
    expect(decodeLockInfo(encodeLockInfo(info))).toEqual(info);
    expect(decodeLockInfo(`${encodeLockInfo(info)}\n`)).toEqual(info);
  });

  it.each<[string, number, boolean]>([
    ['before its expiry', 1849, false],
    ['at its expiry', 1850, true],
    ['long after', 99999, true],
  ])('by the host clock, %s the lock is expired: %s', (_, now, expected) => {
    expect(isExpired(parseLockStatus(out({ owner: encodeLockInfo(info), now: String(now) }), TTL))).toBe(expected);
  });

  it('the client clock plays no part in expiry', () => {
    const s = parseLockStatus(out({ owner: encodeLockInfo(info) }), TTL);
    expect(isExpired(s)).toBe(false);
    expect(isExpired({ state: 'unlocked' })).toBe(false);
  });

  parses('parseAcquired', (s) => parseAcquired(s, TTL), [
    [
      'acquired, with what the read after it printed',
      'acquired\ncurrent x\nrelease 1\n',
      { acquired: true, rest: 'current x\nrelease 1\n' },
    ],
    ['acquired alone', 'acquired\n', { acquired: true, rest: '' }],
    ['held: the status', out({ owner: encodeLockInfo(info) }), { acquired: false, status: { state: 'locked', token: T, info, clock } }],
    ['neither (mkdir failed for another reason)', '', { acquired: false, status: { state: 'unlocked' } }],
  ]);

  parses('parseReleased', parseReleased, [
    ['released', 'released\n', { kind: 'released' }],
    ['gone', 'gone\n', { kind: 'gone' }],
    ['held by another run', `other ${encodeLockInfo(info)}\n`, { kind: 'other', holder: info }],
    ['nothing said', '', null],
  ]);

  parses('parseLost', parseLost, [
    ['taken by another token', `lost ${T}\n`, T],
    ['removed', 'lost \n', ''],
    ['a failure that is not a loss', 'No space left on device\n', null],
  ]);
});
