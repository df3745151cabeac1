import { Buffer } from 'node:buffer';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { existsSync, mkdirSync, readdirSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { acquire, encodeLockInfo, forceRelease, release, renew, status, takeOver, type LockInfo } from '../../../src/commands/lock.js';
import { paths } from '../../../src/commands/paths.js';
import { isExpired, parseAcquired, parseLockStatus, parseLost, parseReleased } from '../../../src/facts/lock.js';
import { read, render } from '../../../src/shell/command.js';
import { renders, sandbox } from './table.js';
import { closedGate } from '../../support/gate.js';
import { until } from '../../support/until.js';
import { quote } from '../../../src/shell/quote.js';

const p = paths('/srv/app');
const T1 = '0123456789abcdef0123456789abcdef';
const T2 = 'fedcba9876543210fedcba9876543210';
const info: LockInfo = { owner: 'ann@laptop', message: "hotfix: it's $(rm -rf /)", verb: 'deploy', run: '20240102-030405', token: T1 };
const b64 =
  'eyJvd25lciI6ImFubkBsYXB0b3AiLCJtZXNzYWdlIjoiaG90Zml4OiBpdCdzICQocm0gLXJmIC8pIiwidmVyYiI6ImRlcGxveSIsInJ1biI6IjIwMjQwMTAyLTAzMDQwNSIsInRva2VuIjoiMDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWYifQ==';
const L = '/srv/app/deploy.lock';
/** The run's pending lock, filled and then renamed into place. */
const P = `${L}.new-${T1}`;
const fill = `printf '%s\\n' ${T1} > ${P}/token && printf '%s\\n' '${b64}' > ${P}/owner && n=\${EPOCHSECONDS:-$(date +%s)} && printf '%s\\n' "$n" > ${P}/since && printf '%s\\n' "$((n + 900))" > ${P}/expires`;
const place = `[ ! -e ${L} ] && mkdir -p ${P} && ${fill} && mv -T ${P} ${L} 2>/dev/null`;
const statusText = `if [ -d ${L} ] ; then printf 'locked\\n' ; printf 'now %s\\n' "\${EPOCHSECONDS:-$(date +%s)}" ; printf 'mtime %s\\n' "$(stat -c %Y ${L} 2>/dev/null)" ; printf 'token %s\\n' "$(cat ${L}/token 2>/dev/null)" ; printf 'since %s\\n' "$(cat ${L}/since 2>/dev/null)" ; printf 'expires %s\\n' "$(cat ${L}/expires 2>/dev/null)" ; printf 'owner %s\\n' "$(cat ${L}/owner 2>/dev/null)" ; fi`;
const heldStatus = `{ [ ! -e ${P} ] || rm -rf ${P} ; } ; ${statusText} ; exit 1`;
const held = (token: string, file = `${L}/token`) => `t=; { read -r t < ${file}; } 2>/dev/null; [ "$t" = ${token} ]`;
const G = `'/srv/my app/deploy.lock.gone-${T1}'`;
const acquired = (then = '') => `printf 'acquired\\n'${then}`;

describe('lock commands', () => {
  it('encodes the info as base64 JSON, in a fixed key order', () => {
    expect(encodeLockInfo(info)).toBe(b64);
    expect(JSON.parse(Buffer.from(b64, 'base64').toString('utf8'))).toEqual(info);
  });

  renders([
    [
      'acquire: filled aside, renamed into place; the host writes since and expires by its own clock; held: the status instead',
      () => acquire(p, info, 900),
      `if { [ -d /srv/app ] || mkdir -p /srv/app ; } && ${place} ; then ${acquired()} ; else ${heldStatus} ; fi`,
      'write',
    ],
    [
      'acquire with a read after it, in the same round trip',
      () => acquire(p, info, 900, read(['ls', '/srv/app/releases'])),
      `if { [ -d /srv/app ] || mkdir -p /srv/app ; } && ${place} ; then ${acquired(' ; ls /srv/app/releases')} ; else ${heldStatus} ; fi`,
      'write',
    ],
    [
      'acquire without makeRoot: a missing deploy_to stays missing (the preflight’s round trip takes the lock only where it exists)',
      () => acquire(p, info, 900, undefined, { makeRoot: false }),
      `if [ -d /srv/app ] && ${place} ; then ${acquired()} ; else ${heldStatus} ; fi`,
      'write',
    ],
    [
      'takeOver: only the token seen, only when expired by the host clock (a lock without expiry: its mtime + ttl)',
      () => takeOver(p, info, 900, T2, { ifExpired: true }),
      `if ${held(T2)} && [ "$(grep -sx '[0-9][0-9]*' ${L}/expires || echo "$(( $(stat -c %Y ${L}) + 900 ))")" -le "\${EPOCHSECONDS:-$(date +%s)}" ] && { [ ! -e ${L}.stale-${T1} ] || rm -rf ${L}.stale-${T1} ; } && mv ${L} ${L}.stale-${T1} && rm -rf ${L}.stale-${T1} && ${place} ; then ${acquired()} ; else ${heldStatus} ; fi`,
      'write',
    ],
    [
      'takeOver of a dead run’s lock: the token alone decides',
      () => takeOver(p, info, 900, T2, { ifExpired: false }),
      `if ${held(T2)} && { [ ! -e ${L}.stale-${T1} ] || rm -rf ${L}.stale-${T1} ; } && mv ${L} ${L}.stale-${T1} && rm -rf ${L}.stale-${T1} && ${place} ; then ${acquired()} ; else ${heldStatus} ; fi`,
      'write',
    ],
    [
      'renew: only the holder, by the host clock',
      () => renew(p, T1, 900),
      `if ${held(T1)} ; then printf '%s\\n' "$(( \${EPOCHSECONDS:-$(date +%s)} + 900 ))" > ${L}/expires ; else printf 'lost %s\\n' "$t" ; exit 3 ; fi`,
      'write',
    ],
    [
      'release: only the holder, its lock renamed aside before it is removed, with what killed runs left beside it; anything else is left and named',
      () => release(paths('/srv/my app/'), T1),
      `if ${held(T1, "'/srv/my app/deploy.lock/token'")} ; then for d in '/srv/my app/deploy.lock'.new-* '/srv/my app/deploy.lock'.stale-* '/srv/my app/deploy.lock'.gone-* '/srv/my app/deploy.lock'.removed ; do if [ -e "$d" ] ; then rm -rf "$d" ; fi ; done; { [ ! -e ${G} ] || rm -rf ${G} ; } && mv '/srv/my app/deploy.lock' ${G} && rm -rf ${G} && printf 'released\\n' ; else if [ -d '/srv/my app/deploy.lock' ] ; then printf 'other %s\\n' "$(cat '/srv/my app/deploy.lock/owner' 2>/dev/null)" ; else printf 'gone\\n' ; fi ; fi`,
      'write',
    ],
    [
      'forceRelease: whoever holds it, saying whom',
      () => forceRelease(p),
      `if [ -d ${L} ] ; then printf 'removed %s\\n' "$(cat ${L}/owner 2>/dev/null)" && { [ ! -e ${L}.removed ] || rm -rf ${L}.removed ; } && mv ${L} ${L}.removed && rm -rf ${L}.removed ; else printf 'gone\\n' ; fi`,
      'write',
    ],
    ['status: a read', () => status(p), statusText, 'read'],
  ]);

  it('refuses a token that is not hex, a bad ttl, and a write after the lock', () => {
    expect(() => acquire(p, { ...info, token: 'x; rm -rf /' }, 900)).toThrow(/not a lock token/);
    expect(() => takeOver(p, info, 900, '../x', { ifExpired: true })).toThrow(/not a lock token/);
    expect(() => renew(p, T1, 0)).toThrow(/ttl/);
    expect(() => acquire(p, info, 900, { tokens: ['rm'], effect: 'write' })).toThrow(/plain read/);
  });
});

describe('lock commands on a real shell', () => {
  const box = sandbox();
  afterAll(box.cleanup);
  afterEach(() => box.run(forceRelease(box.p)));
  const TTL = 900;
  const state = () => parseLockStatus(box.run(status(box.p)).stdout, TTL);
  const other: LockInfo = { ...info, owner: 'bob@ci', message: 'second', run: '20240102-030406', token: T2 };
  const epoch = () => Math.floor(Date.now() / 1000);

  it('acquires once, refuses a second (showing the holder), renews and releases only for its holder', () => {
    expect(state()).toEqual({ state: 'unlocked' });
    const got = box.run(acquire(box.p, info, TTL, read(['printf', 'after\\n'])));
    expect(parseAcquired(got.stdout, TTL)).toEqual({ acquired: true, rest: 'after\n' });
    const s = state();
    expect(s).toMatchObject({ state: 'locked', token: T1, info });
    if (s.state !== 'locked') throw new Error('not locked');
    expect(Math.abs(s.clock.now - epoch())).toBeLessThan(5);
    expect(s.clock.expires - s.clock.since!).toBe(TTL);
    expect(isExpired(s)).toBe(false);

    const second = box.run(acquire(box.p, other, TTL));
    expect(second.code).toBe(1);
    expect(parseAcquired(second.stdout, TTL)).toMatchObject({ acquired: false, status: { state: 'locked', token: T1, info } });

    const lost = box.run(renew(box.p, T2, TTL));
    expect([lost.code, parseLost(lost.stdout)]).toEqual([3, T1]);
    expect(box.run(renew(box.p, T1, TTL)).code).toBe(0);

    expect(parseReleased(box.run(release(box.p, T2)).stdout)).toEqual({ kind: 'other', holder: info });
    expect(state()).toMatchObject({ state: 'locked', token: T1 });
    expect(parseReleased(box.run(release(box.p, T1)).stdout)).toEqual({ kind: 'released' });
    expect(state()).toEqual({ state: 'unlocked' });
    expect(parseReleased(box.run(release(box.p, T1)).stdout)).toEqual({ kind: 'gone' });
    expect(parseLost(box.run(renew(box.p, T1, TTL)).stdout)).toBe('');
    expect(readdirSync(box.p.root).filter((n) => n.startsWith('deploy.lock'))).toEqual([]);
  });

  it('of runs that lock at the same moment one gets it, and the others name it: never a lock half-written', async () => {
    // The lock is filled aside and renamed into place: a run never reads it before its files are there. A `mkdir` on
    // PATH holds every run between making its pending lock and filling it until all of them got there (a gate the
    // test opens), so they all race for the rename.
    const bin = join(box.dir, 'gated-bin');
    const arrived = join(box.dir, 'arrived');
    mkdirSync(bin, { recursive: true });
    const env = { ...process.env, PATH: `${bin}:${process.env.PATH}` };
    const runs = [info, other, { ...other, token: 'aaaaaaaaaaaaaaaabbbbbbbbbbbbbbbb' }];
    for (let round = 0; round < 3; round++) {
      box.run(forceRelease(box.p));
      rmSync(arrived, { recursive: true, force: true });
      mkdirSync(arrived);
      const gate = await closedGate(join(box.dir, 'mkdir-gate'));
      const gated = `#!/bin/sh\n/bin/mkdir "$@" || exit\nfor a; do last=$a; done\ncase \${last##*/} in deploy.lock*) : > ${quote(arrived)}/$$; flock -s ${quote(gate.path)} true ;; esac\n`;
      writeFileSync(join(bin, 'mkdir'), gated, { mode: 0o755 });
      const racing = Promise.all(
        runs.map(
          (i) =>
            new Promise<{ code: number | null; stdout: string }>((done) => {
              const child = spawn('sh', ['-c', render(acquire(box.p, i, TTL), 'reveal')], { env });
              let stdout = '';
              child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
              child.on('close', (code) => done({ code, stdout }));
            }),
        ),
      );
      await until(() => readdirSync(arrived).length === runs.length, { timeout: 4_000, what: 'every run to make its pending lock' });
      await gate.open();
      const outs = await racing;
      const won = outs.flatMap((o, k) => (o.code === 0 ? [runs[k]!] : []));
      expect(won, `round ${round}`).toHaveLength(1);
      for (const o of outs.filter((x) => x.code !== 0))
        expect(parseAcquired(o.stdout, TTL), `round ${round}`).toMatchObject({
          acquired: false,
          status: { state: 'locked', token: won[0]!.token, info: won[0] },
        });
      expect(
        readdirSync(box.p.root).filter((n) => n.startsWith('deploy.lock')),
        `round ${round}`,
      ).toEqual(['deploy.lock']);
    }
  });

  it('a lock being released is never read half-removed: a run locking that moment finds it whole or gone', async () => {
    // A slow host: an `rm` on PATH that, given a lock dir, removes its owner file, says so, and waits at a gate.
    const bin = join(box.dir, 'slow-rm');
    const mid = join(box.dir, 'rm-mid');
    const gate = await closedGate(join(box.dir, 'rm-gate'));
    mkdirSync(bin, { recursive: true });
    const slow = `#!/bin/sh\nfor a; do last=$a; done\ncase \${last##*/} in deploy.lock*) if [ -d "$last" ]; then /bin/rm -f "$last/owner"; : > ${quote(mid)}; flock -s ${quote(gate.path)} true; fi ;; esac\nexec /bin/rm "$@"\n`;
    writeFileSync(join(bin, 'rm'), slow, { mode: 0o755 });
    expect(box.run(acquire(box.p, info, TTL)).code).toBe(0);
    const releasing = new Promise<string>((done) => {
      const child = spawn('sh', ['-c', render(release(box.p, T1), 'reveal')], {
        env: { ...process.env, PATH: `${bin}:${process.env.PATH}` },
      });
      let stdout = '';
      child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
      child.on('close', () => done(stdout));
    });
    await until(() => existsSync(mid), { timeout: 10_000, what: 'the release to be half-way' });
    const second = box.run(acquire(box.p, other, TTL));
    await gate.open();
    expect(parseReleased(await releasing)).toEqual({ kind: 'released' });
    expect(parseAcquired(second.stdout, TTL)).toEqual({ acquired: true, rest: '' });
    expect(state()).toMatchObject({ state: 'locked', token: T2, info: other });
  });

  it('what a run killed while locking or unlocking left beside the lock is removed by the next holder’s release', () => {
    for (const left of [`${box.p.lock}.new-${T2}`, `${box.p.lock}.gone-${T2}`, `${box.p.lock}.removed`]) mkdirSync(left);
    writeFileSync(`${box.p.lock}.new-${T2}/token`, `${T2}\n`);
    expect(box.run(acquire(box.p, info, TTL)).code).toBe(0);
    expect(parseReleased(box.run(release(box.p, T2)).stdout)).toEqual({ kind: 'other', holder: info });
    expect(
      readdirSync(box.p.root)
        .filter((n) => n.startsWith('deploy.lock'))
        .sort(),
    ).toEqual(['deploy.lock', `deploy.lock.gone-${T2}`, `deploy.lock.new-${T2}`, 'deploy.lock.removed']);
    expect(parseReleased(box.run(release(box.p, T1)).stdout)).toEqual({ kind: 'released' });
    expect(readdirSync(box.p.root).filter((n) => n.startsWith('deploy.lock'))).toEqual([]);
  });

  it('takes over only a lock expired by the host clock, and only the one it saw', () => {
    expect(box.run(acquire(box.p, info, TTL)).code).toBe(0);
    expect(parseAcquired(box.run(takeOver(box.p, other, TTL, T1, { ifExpired: true })).stdout, TTL)).toMatchObject({ acquired: false });
    writeFileSync(`${box.p.lock}/expires`, `${epoch() - 1}\n`);
    expect(isExpired(state())).toBe(true);
    expect(box.run(takeOver(box.p, other, TTL, T2, { ifExpired: true })).code).toBe(1);
    expect(parseAcquired(box.run(takeOver(box.p, other, TTL, T1, { ifExpired: true })).stdout, TTL)).toEqual({ acquired: true, rest: '' });
    expect(state()).toMatchObject({ state: 'locked', token: T2, info: other });
    expect(readdirSync(box.p.root).filter((n) => n.includes('stale'))).toEqual([]);
  });

  it('a lock dir left half-written is malformed, expires by its mtime + ttl, and can be taken over then', () => {
    mkdirSync(box.p.lock);
    const s = state();
    expect(s).toMatchObject({ state: 'malformed', token: '', error: 'the lock has no owner file' });
    // Not replaced by a run's rename (onto an empty dir it would succeed): it may be one another version is filling.
    expect(box.run(acquire(box.p, info, TTL)).code).toBe(1);
    expect(readdirSync(box.p.lock)).toEqual([]);
    expect(isExpired(s)).toBe(false);
    expect(box.run(takeOver(box.p, info, TTL, '', { ifExpired: true })).code).toBe(1);
    const old = new Date((epoch() - TTL - 5) * 1000);
    utimesSync(box.p.lock, old, old);
    expect(isExpired(state())).toBe(true);
    expect(box.run(takeOver(box.p, info, TTL, '', { ifExpired: true })).code).toBe(0);
    expect(state()).toMatchObject({ state: 'locked', token: T1 });
    writeFileSync(`${box.p.lock}/owner`, 'not base64!\n');
    expect(state()).toMatchObject({ state: 'malformed', token: T1, error: 'the owner file is not base64' });
  });

  it('force removes whoever holds it and says whom', () => {
    expect(box.run(acquire(box.p, other, TTL)).code).toBe(0);
    expect(box.run(forceRelease(box.p)).stdout).toBe(`removed ${encodeLockInfo(other)}\n`);
    expect(state()).toEqual({ state: 'unlocked' });
    expect(box.run(forceRelease(box.p)).stdout).toBe('gone\n');
  });
});
