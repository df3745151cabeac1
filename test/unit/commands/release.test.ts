import { existsSync, mkdirSync, readdirSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { paths } from '../../../src/commands/paths.js';
import { appendRevisionLog } from '../../../src/commands/log.js';
import {
  createRelease,
  isReleaseId,
  LIVE_MARKER,
  markBad,
  unmarkBad,
  nextReleaseId,
  releaseAfter,
  releaseId,
  removeEmptyRelease,
  removeRelease,
} from '../../../src/commands/release.js';
import {
  hostReleases,
  listReleases,
  badReleases,
  parseBadReleases,
  parseReleases,
  parseReleaseState,
  releaseState,
} from '../../../src/facts/release.js';
import { raw, read, type Command } from '../../../src/shell/command.js';
import { renders, sandbox } from './table.js';

const p = paths('/srv/app');
const spaced = paths('/srv/my app/');
const id = '20240102030405';

describe('release commands', () => {
  renders([
    [
      'createRelease: uploads cleared, then mkdir without -p: an existing dir is never reused',
      () => createRelease(p, id),
      'for f in /srv/app/uploads/* /srv/app/uploads/.[!.]* ; do if [ -e "$f" ] ; then rm -rf /srv/app/uploads ; break ; fi ; done; { [ -d /srv/app/releases ] || mkdir -p /srv/app/releases ; } && if mkdir /srv/app/releases/20240102030405 ; then : ; else if [ -e /srv/app/releases/20240102030405 ] ; then printf \'exists\\n\' ; fi ; exit 1 ; fi',
      'write',
    ],
    [
      'createRelease for an artifact: also the empty uploads dir its transfer puts the tarball in',
      () => createRelease(p, id, [], { uploads: true }),
      'for f in /srv/app/uploads/* /srv/app/uploads/.[!.]* ; do if [ -e "$f" ] ; then rm -rf /srv/app/uploads ; break ; fi ; done; { [ -d /srv/app/uploads ] && [ -d /srv/app/releases ] || mkdir -p /srv/app/uploads /srv/app/releases ; } && if mkdir /srv/app/releases/20240102030405 ; then : ; else if [ -e /srv/app/releases/20240102030405 ] ; then printf \'exists\\n\' ; fi ; exit 1 ; fi',
      'write',
    ],
    [
      'createRelease after removing what earlier runs left, never what current points to',
      () => createRelease(p, id, ['20240101000000']),
      `for f in /srv/app/uploads/* /srv/app/uploads/.[!.]* ; do if [ -e "$f" ] ; then rm -rf /srv/app/uploads ; break ; fi ; done; st=0; [ -d /srv/app/.trash ] || mkdir -p /srv/app/.trash ; for id in 20240101000000 ; do if [ /srv/app/releases/"$id" -ef /srv/app/current ] ; then printf 'kept %s\\n' "$id" ; else if [ -e /srv/app/releases/"$id" ] ; then mv /srv/app/releases/"$id" /srv/app/.trash/"$id.$$" || rm -rf /srv/app/releases/"$id" || st=1 ; fi ; fi ; done; for trashed in /srv/app/.trash/* ; do if [ -e "$trashed" ] ; then ( timeout 3600 sh -c 'cd "$1" && { echo removing *; rm -rf ./*; echo "done: exit $?"; } >"$2" 2>&1' sh /srv/app/.trash /srv/app/.trash.log </dev/null >/dev/null 2>&1 & ) ; fi ; break; done ; [ "$st" = 0 ] ; { [ -d /srv/app/releases ] || mkdir -p /srv/app/releases ; } && if mkdir /srv/app/releases/20240102030405 ; then : ; else if [ -e /srv/app/releases/20240102030405 ] ; then printf 'exists\\n' ; fi ; exit 1 ; fi`,
      'write',
    ],
    [
      'removeRelease: the uploads, and the release unless current points to it',
      () => removeRelease(spaced, id),
      `rm -rf '/srv/my app/uploads' ; st=0; [ -d '/srv/my app/.trash' ] || mkdir -p '/srv/my app/.trash' ; for id in 20240102030405 ; do if [ '/srv/my app/releases'/"$id" -ef '/srv/my app/current' ] ; then printf 'kept %s\\n' "$id" ; else if [ -e '/srv/my app/releases'/"$id" ] ; then mv '/srv/my app/releases'/"$id" '/srv/my app/.trash'/"$id.$$" || rm -rf '/srv/my app/releases'/"$id" || st=1 ; fi ; fi ; done; for trashed in '/srv/my app/.trash'/* ; do if [ -e "$trashed" ] ; then ( timeout 3600 sh -c 'cd "$1" && { echo removing *; rm -rf ./*; echo "done: exit $?"; } >"$2" 2>&1' sh '/srv/my app/.trash' '/srv/my app/.trash.log' </dev/null >/dev/null 2>&1 & ) ; fi ; break; done ; [ "$st" = 0 ]`,
      'write',
    ],
    ['removeEmptyRelease: rmdir only', () => removeEmptyRelease(p, id), 'rmdir /srv/app/releases/20240102030405', 'write'],
    ['markBad', () => markBad(spaced, id), "touch '/srv/my app/releases/20240102030405/.deploy-bad'", 'write'],
    ['unmarkBad', () => unmarkBad(spaced, id), "rm -f '/srv/my app/releases/20240102030405/.deploy-bad'", 'write'],
  ]);

  it.each(['', '.', '..', '2024', '2024010203040', '202401020304056', '../../etc', '20240102030405/x', 'abcdefghijklmn'])(
    'refuses release id %j, so rm -rf cannot reach past one release',
    (bad) => {
      expect(() => removeRelease(p, bad)).toThrow();
      expect(() => createRelease(p, bad)).toThrow();
    },
  );
});

describe('releaseId', () => {
  const cases: [string, string][] = [
    ['2024-01-02T03:04:05.999Z', '20240102030405'],
    ['1999-12-31T23:59:59Z', '19991231235959'],
    ['2024-02-29T00:00:00+05:00', '20240228190000'],
    ['2038-01-19T03:14:08Z', '20380119031408'],
  ];
  it.each(cases)('%s → %s (UTC)', (iso, expected) => {
    expect(releaseId(new Date(iso))).toBe(expected);
    expect(isReleaseId(expected)).toBe(true);
  });

  it('sorts as time does', () => {
    const times = ['2024-01-02T03:04:05Z', '2024-01-02T03:04:06Z', '2024-10-01T00:00:00Z', '2025-01-01T00:00:00Z'];
    const ids = times.map((t) => releaseId(new Date(t)));
    expect([...ids].sort()).toEqual(ids);
  });

  it('refuses an invalid date', () => {
    expect(() => releaseId(new Date('nope'))).toThrow(/invalid date/);
  });
});

describe('nextReleaseId: unique and growing, whatever the clocks', () => {
  const now = new Date('2024-01-02T03:04:05Z');
  it.each<[string, string[], string]>([
    ['now, on a fresh host', [], '20240102030405'],
    ['now, when every release is older', ['20240101000000', '20240102030404'], '20240102030405'],
    ['one second after a release made this very second', ['20240102030405'], '20240102030406'],
    ['one second after the newest, when this clock is behind the others', ['20240101000000', '20250101000000'], '20250101000001'],
    ['over a minute, hour, day and year', ['20241231235959'], '20250101000000'],
    ['anything that is not a release id is ignored', ['zzzz', '99999999999999999'], '20240102030405'],
  ])('%s', (_, existing, expected) => expect(nextReleaseId(now, existing)).toBe(expected));

  it('an id that names no real time still gets a greater one', () => {
    expect(releaseAfter('20241399000000') > '20241399000000').toBe(true);
    expect(isReleaseId(releaseAfter('20241399000000'))).toBe(true);
  });
});

describe('release commands on a real shell', () => {
  const box = sandbox();
  afterAll(box.cleanup);
  const run = (c: Command) => expect(box.run(c)).toMatchObject({ code: 0, stderr: '' });

  it('creates, marks, lists and removes releases', () => {
    expect(parseReleases(box.run(listReleases(box.p).command).stdout)).toEqual([]);
    expect(parseBadReleases(box.run(badReleases(box.p).command).stdout)).toEqual([]);
    const ids = ['20240101000000', '20240102000000', '20240103000000'];
    for (const id of ids) run(createRelease(box.p, id));
    writeFileSync(join(box.p.releases, 'stray.txt'), '');
    mkdirSync(join(box.p.releases, 'not-a-release'));
    run(markBad(box.p, ids[0]!));
    run(markBad(box.p, ids[2]!));

    expect(parseReleases(box.run(listReleases(box.p).command).stdout)).toEqual(ids);
    expect(parseBadReleases(box.run(badReleases(box.p).command).stdout)).toEqual([ids[0], ids[2]]);
    run(removeRelease(box.p, ids[2]!));
    expect(parseReleases(box.run(listReleases(box.p).command).stdout)).toEqual(ids.slice(0, 2));
  });

  it('never makes a release dir that exists, and never removes the one current points to', () => {
    const live = '20240105000000';
    run(createRelease(box.p, live));
    writeFileSync(join(box.p.release(live), 'app.js'), 'live');
    symlinkSync(box.p.release(live), box.p.current);
    const again = box.run(createRelease(box.p, live));
    expect(again).toMatchObject({ code: 1, stdout: 'exists\n' });
    expect(existsSync(join(box.p.release(live), 'app.js'))).toBe(true);
    const refused = box.run(removeRelease(box.p, live));
    expect(refused.stdout).toBe(`kept ${live}\n`);
    expect(existsSync(join(box.p.release(live), 'app.js'))).toBe(true);
  });

  it('uploads an earlier run left (hidden ones too) are removed; an empty uploads dir is kept as it is', () => {
    mkdirSync(box.p.uploads, { recursive: true });
    writeFileSync(join(box.p.uploads, '.partial'), 'x');
    run(createRelease(box.p, '20240106000000', [], { uploads: true }));
    expect(readdirSync(box.p.uploads)).toEqual([]);
    writeFileSync(join(box.p.uploads, '20240106000000.tar.gz'), 'x');
    run(createRelease(box.p, '20240107000000', [], { uploads: true }));
    expect(readdirSync(box.p.uploads)).toEqual([]);
    const before = statSync(box.p.uploads).ino;
    run(createRelease(box.p, '20240108000000', [], { uploads: true }));
    expect(statSync(box.p.uploads).ino).toBe(before);
  });

  it('a release logged as deployed with a message (-m) went live: it is never a leftover', () => {
    const box = sandbox();
    const run = (c: Command) => expect(box.run(c)).toMatchObject({ code: 0, stderr: '' });
    const [withMessage, current] = ['20240301000000', '20240302000000'];
    for (const id of [withMessage, current]) run(createRelease(box.p, id));
    rmSync(box.p.current, { force: true });
    symlinkSync(box.p.release(current), box.p.current);
    run(
      appendRevisionLog(box.p, {
        release: withMessage,
        revision: 'r',
        user: 'u',
        time: 't',
        stage: 's',
        outcome: 'deployed',
        message: 'hotfix "x" }',
      }),
    );
    run(appendRevisionLog(box.p, { release: current, revision: 'r', user: 'u', time: 't', stage: 's', outcome: 'deployed' }));
    const state = parseReleaseState(box.run(releaseState(box.p, { sizes: true }).command).stdout);
    expect(state.releases).toEqual(expect.arrayContaining([withMessage, current]));
    expect(state.leftovers).not.toContain(withMessage);
    box.cleanup();
  });

  it('a promoted release (logged with where it came from) went live: it is never a leftover', () => {
    const box = sandbox();
    const run = (c: Command) => expect(box.run(c)).toMatchObject({ code: 0, stderr: '' });
    const [promoted, current] = ['20240401000000', '20240402000000'];
    for (const id of [promoted, current]) run(createRelease(box.p, id));
    rmSync(box.p.current, { force: true });
    symlinkSync(box.p.release(current), box.p.current);
    const from = { stage: 'staging', release: '20240331000000', revision: 'a'.repeat(64), sha256: 'a'.repeat(64) };
    run(
      appendRevisionLog(box.p, {
        release: promoted,
        revision: from.revision,
        user: 'u',
        time: 't',
        stage: 'production',
        outcome: 'deployed',
        from,
      }),
    );
    run(appendRevisionLog(box.p, { release: current, revision: 'r', user: 'u', time: 't', stage: 'production', outcome: 'deployed' }));
    const state = parseReleaseState(box.run(releaseState(box.p, { sizes: true }).command).stdout);
    expect(state.releases).toEqual(expect.arrayContaining([promoted, current]));
    expect(state.leftovers).not.toContain(promoted);
    box.cleanup();
  });

  it('knows which releases never went live, and clears them and the uploads before a new one', () => {
    const [gone, live, half, current] = ['20240201000000', '20240202000000', '20240203000000', '20240204000000'];
    for (const id of [gone, live, half, current]) run(createRelease(box.p, id));
    rmSync(box.p.current);
    symlinkSync(box.p.release(current), box.p.current);
    for (const [id, outcome] of [
      [gone, 'failed'],
      [live, 'deployed'],
      [current, 'rolled-back'],
    ] as const) {
      run(appendRevisionLog(box.p, { release: id, revision: 'r', user: 'u', time: 't', stage: 's', outcome }));
    }
    // A user name that quotes a log line cannot make a release look live.
    run(appendRevisionLog(box.p, { release: half, revision: 'r', user: '"outcome":"deployed"', time: 't', stage: 's', outcome: 'failed' }));
    mkdirSync(box.p.uploads, { recursive: true });
    writeFileSync(join(box.p.uploads, `${half}.tar.gz`), 'x'.repeat(4096));
    const state = parseReleaseState(box.run(releaseState(box.p, { sizes: true }).command).stdout);
    expect(state).toMatchObject({ current, dangling: false, uploads: true });
    expect(state.releases).toEqual(expect.arrayContaining([gone, live, half, current]));
    expect(state.leftovers).toEqual(expect.arrayContaining([gone, half]));
    expect(state.leftovers).not.toContain(live);
    expect(state.leftoverKiB).toBeGreaterThan(4);
    run(createRelease(box.p, '20240205000000', state.leftovers));
    const after = parseReleaseState(box.run(releaseState(box.p).command).stdout);
    expect(after.releases).not.toContain(gone);
    expect(after.releases).not.toContain(half);
    expect(after.releases).toEqual(expect.arrayContaining([live, current, '20240205000000']));
    expect(after.uploads).toBe(false);
    writeFileSync(join(box.p.release(live), 'app.js'), '');
    expect(box.run(removeEmptyRelease(box.p, live)).code).not.toBe(0);
    expect(existsSync(join(box.p.release(live), 'app.js'))).toBe(true);
  });

  it('without a readable revision log, no release counts as never live', () => {
    const fresh = sandbox();
    try {
      fresh.run(createRelease(fresh.p, '20240401000000'));
      expect(parseReleaseState(fresh.run(releaseState(fresh.p).command).stdout)).toMatchObject({
        releases: ['20240401000000'],
        leftovers: [],
      });
      fresh.run(
        appendRevisionLog(fresh.p, { release: '20240301000000', revision: 'r', user: 'u', time: 't', stage: 's', outcome: 'deployed' }),
      );
      expect(parseReleaseState(fresh.run(releaseState(fresh.p).command).stdout)).toMatchObject({ leftovers: ['20240401000000'] });
    } finally {
      fresh.cleanup();
    }
  });

  it('names a live release the log lacks, and once its line is recorded late it is never a leftover', () => {
    const fresh = sandbox();
    const run = (c: Command) => expect(fresh.run(c)).toMatchObject({ code: 0, stderr: '' });
    const read = () => parseReleaseState(fresh.run(releaseState(fresh.p).command).stdout);
    const [logged, lost, next] = ['20240501000000', '20240502000000', '20240503000000'];
    const sha = 'c'.repeat(40);
    const line = (release: string) => ({ release, revision: 'r', user: 'u', time: 't', stage: 's', outcome: 'deployed' as const });
    try {
      for (const id of [logged, lost]) run(createRelease(fresh.p, id));
      writeFileSync(join(fresh.p.release(lost), 'REVISION'), `${sha}\n`);
      symlinkSync(fresh.p.release(lost), fresh.p.current);
      // No log at all: nothing is a leftover, but current went live and the log will lack it.
      expect(read()).toMatchObject({ current: lost, leftovers: [], unlogged: { release: lost, revision: sha } });
      run(appendRevisionLog(fresh.p, line(logged)));
      expect(read()).toMatchObject({ current: lost, leftovers: [], unlogged: { release: lost, revision: sha } });
      // The next run records it before its own line; then `current` moves on and it still counts as live.
      run(appendRevisionLog(fresh.p, line(next), { ...line(lost), revision: sha, late: true }));
      run(createRelease(fresh.p, next));
      rmSync(fresh.p.current);
      symlinkSync(fresh.p.release(next), fresh.p.current);
      expect(read()).toMatchObject({ current: next, leftovers: [], unlogged: null });
    } finally {
      fresh.cleanup();
    }
  });

  it('releases the log marked live are read without starting a program; sed reads the log only for one that is not', () => {
    const fresh = sandbox();
    const line = (release: string) => ({ release, revision: 'r', user: 'u', time: 't', stage: 's', outcome: 'deployed' as const });
    // No program can start: a state read that needs one says so on stderr.
    const bare = () => fresh.run(read([raw('PATH=/nonexistent;'), ...releaseState(fresh.p).command.tokens]));
    const [a, b, c] = ['20240701000000', '20240702000000', '20240703000000'];
    try {
      for (const id of [a, b]) {
        expect(fresh.run(createRelease(fresh.p, id)).code).toBe(0);
        expect(fresh.run(appendRevisionLog(fresh.p, line(id)))).toMatchObject({ code: 0, stderr: '' });
        expect(existsSync(join(fresh.p.release(id), LIVE_MARKER))).toBe(true);
      }
      symlinkSync(fresh.p.release(b), fresh.p.current);
      const marked = bare();
      expect(marked.stderr).toBe('');
      expect(parseReleaseState(marked.stdout)).toMatchObject({ current: b, releases: [a, b], leftovers: [], unlogged: null });
      // A release with a line but no mark (logged by an older version): the log is read for it.
      expect(fresh.run(createRelease(fresh.p, c)).code).toBe(0);
      expect(fresh.run(appendRevisionLog(fresh.p, line(c))).code).toBe(0);
      rmSync(join(fresh.p.release(c), LIVE_MARKER));
      expect(bare().stderr).toMatch(/sed/);
      expect(parseReleaseState(fresh.run(releaseState(fresh.p).command).stdout)).toMatchObject({ leftovers: [] });
      // A failed release gets no mark.
      fresh.run(appendRevisionLog(fresh.p, { ...line(c), outcome: 'failed' }));
      expect(existsSync(join(fresh.p.release(c), LIVE_MARKER))).toBe(false);
    } finally {
      fresh.cleanup();
    }
  });

  it('a revision log that cannot be read names no release unlogged', () => {
    const fresh = sandbox();
    try {
      fresh.run(createRelease(fresh.p, '20240601000000'));
      symlinkSync(fresh.p.release('20240601000000'), fresh.p.current);
      mkdirSync(fresh.p.revisionsLog);
      expect(parseReleaseState(fresh.run(releaseState(fresh.p).command).stdout)).toMatchObject({
        current: '20240601000000',
        leftovers: [],
        unlogged: null,
      });
    } finally {
      fresh.cleanup();
    }
  });

  it('flags a current that points to a missing release', () => {
    rmSync(box.p.current);
    symlinkSync(box.p.release('20240301000000'), box.p.current);
    const h = hostReleases(box.p);
    expect(h.parse(box.run(h.command).stdout)).toMatchObject({ current: '20240301000000', dangling: true });
  });
});
