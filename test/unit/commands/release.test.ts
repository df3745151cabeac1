import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { paths } from '../../../src/commands/paths.js';
import {
  createRelease,
  isReleaseId,
  markBad,
  markFailed,
  releaseId,
  removeRelease,
} from '../../../src/commands/release.js';
import { listReleases, markedReleases, parseMarkedReleases, parseReleases } from '../../../src/facts/release.js';
import type { Command } from '../../../src/shell/command.js';
import { renders, sandbox } from './table.js';

const p = paths('/srv/app');
const spaced = paths('/srv/my app/');
const id = '20240102030405';

describe('release commands', () => {
  renders([
    ['createRelease', () => createRelease(p, id), 'mkdir -p /srv/app/releases/20240102030405', 'write'],
    ['removeRelease', () => removeRelease(spaced, id), "rm -rf '/srv/my app/releases/20240102030405'", 'write'],
    ['markFailed', () => markFailed(p, id), 'touch /srv/app/releases/20240102030405/.deploy-failed', 'write'],
    ['markBad', () => markBad(spaced, id), "touch '/srv/my app/releases/20240102030405/.deploy-bad'", 'write'],
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

describe('release commands on a real shell', () => {
  const box = sandbox();
  afterAll(box.cleanup);
  const run = (c: Command) => expect(box.run(c)).toMatchObject({ code: 0, stderr: '' });

  it('creates, marks, lists and removes releases', () => {
    expect(parseReleases(box.run(listReleases(box.p).command).stdout)).toEqual([]);
    expect(parseMarkedReleases(box.run(markedReleases(box.p).command).stdout)).toEqual({ bad: [], failed: [] });
    const ids = ['20240101000000', '20240102000000', '20240103000000'];
    for (const id of ids) run(createRelease(box.p, id));
    writeFileSync(join(box.p.releases, 'stray.txt'), '');
    mkdirSync(join(box.p.releases, 'not-a-release'));
    run(markBad(box.p, ids[0]!));
    run(markFailed(box.p, ids[2]!));
    run(markBad(box.p, ids[2]!));

    expect(parseReleases(box.run(listReleases(box.p).command).stdout)).toEqual(ids);
    expect(parseMarkedReleases(box.run(markedReleases(box.p).command).stdout)).toEqual({
      bad: [ids[0], ids[2]],
      failed: [ids[2]],
    });
    run(removeRelease(box.p, ids[2]!));
    expect(parseReleases(box.run(listReleases(box.p).command).stdout)).toEqual(ids.slice(0, 2));
  });
});
