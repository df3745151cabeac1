import { describe, expect, it } from 'vitest';
import { rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cleanupAndLog, releasesToRemove, removeReleases } from '../../../src/commands/cleanup.js';
import { appendRevisionLog, type RevisionLogEntry, type RevisionOutcome } from '../../../src/commands/log.js';
import { paths } from '../../../src/commands/paths.js';
import { createRelease, markBad } from '../../../src/commands/release.js';
import { hostReleases, parseHostReleases, parseReleaseState, releaseState, type ReleaseState } from '../../../src/facts/release.js';
import type { Command } from '../../../src/shell/command.js';
import { lateEntry, oldReleases } from '../../../src/tasks/cleanup.js';
import { rollbackTarget } from '../../../src/tasks/rollback.js';
import { renders, sandbox } from './table.js';

const p = paths('/srv/app');
const ids = ['20240101000000', '20240102000000', '20240103000000', '20240104000000', '20240105000000'];
const [r1, r2, r3, r4, r5] = ids as [string, string, string, string, string];

describe('releasesToRemove', () => {
  const cases: [string, string[], number, string[], string[]][] = [
    ['keeps the newest N', ids, 3, [], [r1, r2]],
    ['sorts its input first', [r3, r5, r1, r4, r2], 3, [], [r1, r2]],
    ['never removes the live release, even an old one', ids, 2, [r1], [r2, r3]],
    ['never removes the rollback target', ids, 2, [r5, r2], [r1, r3]],
    ['protects ids that are not in the list harmlessly', ids, 4, ['20991231000000'], [r1]],
    ['keeps everything when there are no more than N', ids, 5, [], []],
    ['keeps everything when N is larger', ids, 10, [], []],
    ['keep 0 removes all but the protected', ids, 0, [r5], [r1, r2, r3, r4]],
    ['nothing in, nothing out', [], 3, [r1], []],
    ['duplicates count once', [r1, r1, r2, r2, r3], 2, [], [r1]],
    ['returns oldest first', [r5, r4, r3, r2, r1], 1, [], [r1, r2, r3, r4]],
  ];
  it.each(cases)('%s', (_name, all, keep, protect, expected) => {
    expect(releasesToRemove(all, keep, protect)).toEqual(expected);
  });

  const live: [string, number, string[], string[], string[]][] = [
    ['releases that never went live do not count toward keep, and go', 2, [r5, r3], [r2, r4], [r1, r2, r4]],
    ['a failed release never pushes the rollback target out', 2, [r5, r3], [r4], [r1, r2, r4]],
    ['current and the rollback target stay even when never logged live', 1, [r5, r4], [r4, r5], [r1, r2]],
    ['nothing live but current: only current stays', 3, [r5], [r1, r2, r3, r4], [r1, r2, r3, r4]],
  ];
  it.each(live)('%s', (_name, keep, protect, notLive, expected) => {
    expect(releasesToRemove(ids, keep, protect, notLive)).toEqual(expected);
  });

  it.each([-1, 1.5, Number.NaN])('refuses keep %s', (keep) => {
    expect(() => releasesToRemove(ids, keep, [])).toThrow(RangeError);
  });
});

describe('cleanup commands', () => {
  renders([
    [
      'removeReleases: one command for all, each checked against current on the host',
      () => removeReleases(p, [r1, r2]),
      `st=0; [ -d /srv/app/.trash ] || mkdir -p /srv/app/.trash ; for id in 20240101000000 20240102000000 ; do if [ /srv/app/releases/"$id" -ef /srv/app/current ] ; then printf 'kept %s\\n' "$id" ; else if [ -e /srv/app/releases/"$id" ] ; then mv /srv/app/releases/"$id" /srv/app/.trash/"$id.$$" || rm -rf /srv/app/releases/"$id" || st=1 ; fi ; fi ; done; for trashed in /srv/app/.trash/* ; do if [ -e "$trashed" ] ; then ( timeout 3600 sh -c 'cd "$1" && { echo removing *; rm -rf ./*; echo "done: exit $?"; } >"$2" 2>&1' sh /srv/app/.trash /srv/app/.trash.log </dev/null >/dev/null 2>&1 & ) ; fi ; break; done ; [ "$st" = 0 ]`,
      'write',
    ],
    ['removeReleases: nothing to do', () => removeReleases(p, []), null],
    [
      'cleanupAndLog: old releases and the log line in one round trip, each saying when it worked',
      () => cleanupAndLog(p, [r1], { release: r5, revision: 'abc', user: 'u', time: 't', stage: 's', outcome: 'deployed' }),
      `if st=0; [ -d /srv/app/.trash ] || mkdir -p /srv/app/.trash ; for id in 20240101000000 ; do if [ /srv/app/releases/"$id" -ef /srv/app/current ] ; then printf 'kept %s\\n' "$id" ; else if [ -e /srv/app/releases/"$id" ] ; then mv /srv/app/releases/"$id" /srv/app/.trash/"$id.$$" || rm -rf /srv/app/releases/"$id" || st=1 ; fi ; fi ; done; for trashed in /srv/app/.trash/* ; do if [ -e "$trashed" ] ; then ( timeout 3600 sh -c 'cd "$1" && { echo removing *; rm -rf ./*; echo "done: exit $?"; } >"$2" 2>&1' sh /srv/app/.trash /srv/app/.trash.log </dev/null >/dev/null 2>&1 & ) ; fi ; break; done ; [ "$st" = 0 ] ; then printf 'cleaned\\n' ; fi ; if printf '%s\\n' '{"release":"20240105000000","revision":"abc","user":"u","time":"t","stage":"s","outcome":"deployed"}' >> /srv/app/revisions.log && { { true > /srv/app/releases/20240105000000/.deploy-live ; } 2>/dev/null || :; } ; then printf 'logged\\n' ; fi`,
      'write',
    ],
    [
      'cleanupAndLog with nothing to remove: the log, and a restart of what an interrupted removal left in the trash',
      () => cleanupAndLog(p, [], { release: r5, revision: 'abc', user: 'u', time: 't', stage: 's', outcome: 'deployed' }),
      `for trashed in /srv/app/.trash/* ; do if [ -e "$trashed" ] ; then ( timeout 3600 sh -c 'cd "$1" && { echo removing *; rm -rf ./*; echo "done: exit $?"; } >"$2" 2>&1' sh /srv/app/.trash /srv/app/.trash.log </dev/null >/dev/null 2>&1 & ) ; fi ; break; done ; if printf '%s\\n' '{"release":"20240105000000","revision":"abc","user":"u","time":"t","stage":"s","outcome":"deployed"}' >> /srv/app/revisions.log && { { true > /srv/app/releases/20240105000000/.deploy-live ; } 2>/dev/null || :; } ; then printf 'logged\\n' ; fi`,
      'write',
    ],
    [
      'cleanupAndLog with a live release the log lacks: its line (recorded late) first, in the same write',
      () =>
        cleanupAndLog(
          p,
          [],
          { release: r5, revision: 'abc', user: 'u', time: 't', stage: 's', outcome: 'deployed' },
          { release: r4, revision: 'def', user: 'u', time: 't', stage: 's', outcome: 'deployed', late: true },
        ),
      `for trashed in /srv/app/.trash/* ; do if [ -e "$trashed" ] ; then ( timeout 3600 sh -c 'cd "$1" && { echo removing *; rm -rf ./*; echo "done: exit $?"; } >"$2" 2>&1' sh /srv/app/.trash /srv/app/.trash.log </dev/null >/dev/null 2>&1 & ) ; fi ; break; done ; if printf '%s\\n' '{"release":"20240104000000","revision":"def","user":"u","time":"t","stage":"s","late":true,"outcome":"deployed"}' '{"release":"20240105000000","revision":"abc","user":"u","time":"t","stage":"s","outcome":"deployed"}' >> /srv/app/revisions.log && { { true > /srv/app/releases/20240104000000/.deploy-live ; true > /srv/app/releases/20240105000000/.deploy-live ; } 2>/dev/null || :; } ; then printf 'logged\\n' ; fi`,
      'write',
    ],
  ]);

  it('refuses anything that is not a release id', () => {
    expect(() => removeReleases(p, [r1, ''])).toThrow();
    expect(() => removeReleases(p, ['..'])).toThrow();
  });
});

describe('oldReleases: what a host loses once the new release is live', () => {
  const state = (o: Partial<ReleaseState>): ReleaseState => ({
    current: r4,
    currentTarget: null,
    dangling: false,
    releases: [r1, r2, r3, r4],
    leftovers: [],
    leftoverKiB: 0,
    uploads: false,
    unlogged: null,
    ...o,
  });
  it.each<[string, Partial<ReleaseState>, number, string[]]>([
    ['keeps the newest, the new one and the one before it', {}, 2, [r1, r2, r3]],
    ['keep 3: the new one, previous, and the next newest', {}, 3, [r1, r2]],
    ['releases that never went live were removed already and never count', { leftovers: [r3] }, 3, [r1]],
    ['a failed release never pushes the rollback target out', { releases: [r1, r2, r3, r4], leftovers: [r2, r3], current: r1 }, 1, [r4]],
  ])('%s', (_, o, keep, expected) => {
    const s = state(o);
    expect(oldReleases(s, r5, s.current, keep)).toEqual(expected);
  });
});

describe('a live release the log lacks, through two more deploys and two rollbacks (on a real shell)', () => {
  it('is recorded late by the next run, never taken for a leftover, and stays a rollback target', () => {
    const box = sandbox();
    const run = (c: Command) => {
      const r = box.run(c);
      expect(r, c.description).toMatchObject({ code: 0, stderr: '' });
      return r.stdout;
    };
    const point = (id: string) => {
      rmSync(box.p.current, { force: true });
      symlinkSync(box.p.release(id), box.p.current);
    };
    const read = () => parseReleaseState(run(releaseState(box.p).command));
    const entry = (release: string, outcome: RevisionOutcome = 'deployed'): RevisionLogEntry => ({
      release,
      revision: 'r',
      user: 'u',
      time: 't',
      stage: 's',
      outcome,
    });
    /** One deploy of `id` as tasks/deploy.ts does it: state under the lock, new dir, switch, clean-up and log. */
    const deploy = (id: string) => {
      const state = read();
      run(createRelease(box.p, id, state.leftovers));
      point(id);
      const own = entry(id);
      expect(run(cleanupAndLog(box.p, oldReleases(state, id, state.current, 3), own, lateEntry(state, own)))).toContain('logged');
      return state;
    };
    const target = () => rollbackTarget(parseHostReleases(run(hostReleases(box.p).command)));
    try {
      const [w, x, r, s] = ['20240101000000', '20240102000000', '20240103000000', '20240104000000'];
      deploy(w);
      // x goes live, and its clean-up (which writes its log line) fails.
      run(createRelease(box.p, x));
      writeFileSync(join(box.p.release(x), 'REVISION'), `${'d'.repeat(40)}\n`);
      point(x);
      expect(deploy(r)).toMatchObject({ current: x, leftovers: [], unlogged: { release: x, revision: 'd'.repeat(40) } });
      expect(deploy(s)).toMatchObject({ current: r, leftovers: [], unlogged: null });
      expect(read().releases).toEqual([x, r, s]);
      expect(target()).toBe(r);
      // `deploy rollback`: s marked bad, current back to r, logged as rolled back to.
      run(markBad(box.p, s));
      point(r);
      run(appendRevisionLog(box.p, entry(r, 'rolled-back')));
      expect(target()).toBe(x);
    } finally {
      box.cleanup();
    }
  });
});
