import { existsSync, lstatSync, mkdirSync, readlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { paths } from '../../../src/commands/paths.js';
import { checkSharedFiles, createSharedDirs, linkShared } from '../../../src/commands/shared.js';
import { and } from '../../../src/shell/command.js';
import { renders, sandbox } from './table.js';

const p = paths('/srv/app');
const spaced = paths('/srv/my app/');
const release = p.release('20240102030405');

describe('shared commands', () => {
  renders([
    [
      'createSharedDirs: shared/, each dir, and the dirs shared files live in',
      () =>
        createSharedDirs(
          p,
          ['log', 'tmp/pids/', './public/uploads'],
          [
            { path: 'config/database.yml', optional: false },
            { path: '.env', optional: true },
          ],
        ),
      '[ -d /srv/app/shared ] && [ -d /srv/app/shared/log ] && [ -d /srv/app/shared/tmp/pids ] && [ -d /srv/app/shared/public/uploads ] && [ -d /srv/app/shared/config ] || mkdir -p /srv/app/shared /srv/app/shared/log /srv/app/shared/tmp/pids /srv/app/shared/public/uploads /srv/app/shared/config',
      'write',
    ],
    [
      'createSharedDirs with nothing configured',
      () => createSharedDirs(spaced, []),
      "[ -d '/srv/my app/shared' ] || mkdir -p '/srv/my app/shared'",
      'write',
    ],
    [
      'checkSharedFiles: every required file, reported together',
      () =>
        checkSharedFiles(spaced, [
          { path: 'config/database.yml', optional: false },
          { path: '.env', optional: true },
          { path: 'my secrets.txt', optional: false },
        ]),
      `missing=0; for f in '/srv/my app/shared/config/database.yml' '/srv/my app/shared/my secrets.txt' ; do if [ ! -e "$f" ] ; then printf 'missing shared file: %s\\n' "$f" >&2; missing=1 ; fi ; done; [ "$missing" = 0 ]`,
      'read',
    ],
    ['checkSharedFiles with only optional files', () => checkSharedFiles(p, [{ path: '.env', optional: true }]), 'true', 'read'],
    [
      'linkShared: dirs, then files; optional ones only when present',
      () =>
        linkShared(
          p,
          release,
          ['log', 'public/uploads/'],
          [
            { path: '.env', optional: false },
            { path: 'config/master.key', optional: true },
          ],
        ),
      [
        'if [ -e /srv/app/releases/20240102030405/log ] || [ -L /srv/app/releases/20240102030405/log ] ; then rm -rf /srv/app/releases/20240102030405/log ; fi && ln -s /srv/app/shared/log /srv/app/releases/20240102030405/log',
        'if [ -e /srv/app/releases/20240102030405/public/uploads ] || [ -L /srv/app/releases/20240102030405/public/uploads ] ; then rm -rf /srv/app/releases/20240102030405/public/uploads ; fi && mkdir -p /srv/app/releases/20240102030405/public && ln -s /srv/app/shared/public/uploads /srv/app/releases/20240102030405/public/uploads',
        'if [ -e /srv/app/releases/20240102030405/.env ] || [ -L /srv/app/releases/20240102030405/.env ] ; then rm -rf /srv/app/releases/20240102030405/.env ; fi && ln -s /srv/app/shared/.env /srv/app/releases/20240102030405/.env',
        'if [ -e /srv/app/shared/config/master.key ] ; then if [ -e /srv/app/releases/20240102030405/config/master.key ] || [ -L /srv/app/releases/20240102030405/config/master.key ] ; then rm -rf /srv/app/releases/20240102030405/config/master.key ; fi && mkdir -p /srv/app/releases/20240102030405/config && ln -s /srv/app/shared/config/master.key /srv/app/releases/20240102030405/config/master.key ; fi',
      ],
      'write',
    ],
    ['linkShared with nothing configured', () => linkShared(p, release, [], []), []],
  ]);

  it.each(['/etc', '../x', 'a/../../b', '', '.', './'])('refuses shared path %j outside shared/', (bad) => {
    expect(() => createSharedDirs(p, [bad])).toThrow(/not a relative path/);
    expect(() => linkShared(p, release, [], [{ path: bad, optional: false }])).toThrow(/not a relative path/);
  });
});

describe('shared commands on a real shell', () => {
  const box = sandbox();
  afterAll(box.cleanup);
  const files = [
    { path: 'config/database.yml', optional: false },
    { path: 'my secrets.txt', optional: false },
    { path: 'config/master.key', optional: true },
  ];

  it('names every missing required file and fails, then passes once they exist', () => {
    expect(box.run(createSharedDirs(box.p, ['log', 'public/uploads'], files)).code).toBe(0);
    const missing = box.run(checkSharedFiles(box.p, files));
    expect(missing.code).not.toBe(0);
    expect(missing.stderr).toBe(
      [`missing shared file: ${box.p.shared}/config/database.yml`, `missing shared file: ${box.p.shared}/my secrets.txt`, ''].join('\n'),
    );
    writeFileSync(join(box.p.shared, 'config/database.yml'), 'db\n');
    writeFileSync(join(box.p.shared, 'my secrets.txt'), 's\n');
    const ok = box.run(checkSharedFiles(box.p, files));
    expect(ok).toMatchObject({ code: 0, stderr: '' });
  });

  it('replaces what the release ships with links, skipping absent optional files', () => {
    const release = box.p.release('20240102030405');
    mkdirSync(join(release, 'log', 'old'), { recursive: true });
    writeFileSync(join(release, 'my secrets.txt'), 'shipped by mistake');
    const r = box.run(and(linkShared(box.p, release, ['log', 'public/uploads'], files)));
    expect(r).toMatchObject({ code: 0, stderr: '' });
    for (const rel of ['log', 'public/uploads', 'config/database.yml', 'my secrets.txt']) {
      expect(lstatSync(join(release, rel)).isSymbolicLink()).toBe(true);
      expect(readlinkSync(join(release, rel))).toBe(join(box.p.shared, rel));
    }
    expect(existsSync(join(release, 'config/master.key'))).toBe(false);
    // Linking again (a retried step) is harmless.
    expect(box.run(and(linkShared(box.p, release, ['log'], []))).code).toBe(0);
    expect(readlinkSync(join(release, 'log'))).toBe(join(box.p.shared, 'log'));
  });
});
