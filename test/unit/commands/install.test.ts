import { mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { install, installOutcome } from '../../../src/commands/install.js';
import { paths } from '../../../src/commands/paths.js';
import { Sensitive } from '../../../src/shell/sensitive.js';
import { renders, sandbox } from './table.js';

const p = paths('/srv/app');
const release = p.release('20240102030405');
const previous = p.release('20240101000000');

describe('install command', () => {
  renders([
    [
      'reuses every dir when the lockfile is unchanged, else installs; env and secrets masked',
      () =>
        install({
          release,
          previous,
          lockfile: 'package-lock.json',
          reuse: ['node_modules', 'client/node_modules'],
          command: 'npm ci --omit=dev',
          env: { NODE_ENV: 'production', NPM_TOKEN: new Sensitive('tok') },
        }),
      `cd /srv/app/releases/20240102030405 && export NODE_ENV=production NPM_TOKEN=*** && ( if [ -f /srv/app/releases/20240101000000/package-lock.json ] && [ -f /srv/app/releases/20240102030405/package-lock.json ] && [ "$(sha256sum < /srv/app/releases/20240101000000/package-lock.json)" = "$(sha256sum < /srv/app/releases/20240102030405/package-lock.json)" ] && [ -d /srv/app/releases/20240101000000/node_modules ] && [ -d /srv/app/releases/20240101000000/client/node_modules ] ; then rm -rf /srv/app/releases/20240102030405/node_modules && cp -al /srv/app/releases/20240101000000/node_modules /srv/app/releases/20240102030405/node_modules && rm -rf /srv/app/releases/20240102030405/client/node_modules && mkdir -p /srv/app/releases/20240102030405/client && cp -al /srv/app/releases/20240101000000/client/node_modules /srv/app/releases/20240102030405/client/node_modules && echo deploy:reused ; else sh -c 'npm ci --omit=dev' && echo deploy:installed ; fi )`,
      'write',
    ],
    [
      'reconcile: copies (never links) the previous dirs, then always runs the command with SEEDED/UNCHANGED set',
      () => install({ release, previous, lockfile: 'package-lock.json', reuse: ['node_modules'], command: 'npm install', reconcile: true }),
      `cd /srv/app/releases/20240102030405 && ( seeded=0; unchanged=0; if [ -d /srv/app/releases/20240101000000/node_modules ] ; then rm -rf /srv/app/releases/20240102030405/node_modules && cp -a /srv/app/releases/20240101000000/node_modules /srv/app/releases/20240102030405/node_modules && seeded=1 ; fi ; if [ $seeded = 1 ] && [ -f /srv/app/releases/20240101000000/package-lock.json ] && [ -f /srv/app/releases/20240102030405/package-lock.json ] && [ "$(sha256sum < /srv/app/releases/20240101000000/package-lock.json)" = "$(sha256sum < /srv/app/releases/20240102030405/package-lock.json)" ] ; then unchanged=1 ; fi ; DEPLOY_INSTALL_SEEDED=$seeded DEPLOY_LOCKFILE_UNCHANGED=$unchanged sh -c 'npm install' && if [ $unchanged = 1 ] ; then echo deploy:reused ; else if [ $seeded = 1 ] ; then echo deploy:reconciled ; else echo deploy:installed ; fi ; fi )`,
      'write',
    ],
    [
      'reconcile without a previous release: a plain install',
      () =>
        install({ release, previous: null, lockfile: 'package-lock.json', reuse: ['node_modules'], command: 'npm ci', reconcile: true }),
      "cd /srv/app/releases/20240102030405 && ( sh -c 'npm ci' && echo deploy:installed )",
      'write',
    ],
    [
      'installs when there is no previous release',
      () => install({ release, previous: null, lockfile: 'package-lock.json', reuse: ['node_modules'], command: 'npm ci' }),
      "cd /srv/app/releases/20240102030405 && ( sh -c 'npm ci' && echo deploy:installed )",
      'write',
    ],
    [
      'installs when no lockfile is configured; a multi-line snippet stays whole',
      () => install({ release, previous, reuse: ['vendor/bundle'], command: 'bundle install # gems\nbundle clean' }),
      "cd /srv/app/releases/20240102030405 && ( sh -c 'bundle install # gems\nbundle clean' && echo deploy:installed )",
      'write',
    ],
    [
      'installs when there is nothing to reuse',
      () => install({ release, previous, lockfile: 'Gemfile.lock', reuse: [], command: 'bundle install' }),
      "cd /srv/app/releases/20240102030405 && ( sh -c 'bundle install' && echo deploy:installed )",
      'write',
    ],
  ]);

  const outcomes: [string, ReturnType<typeof installOutcome>][] = [
    ['deploy:reused\n', 'reused'],
    ['added 1 package\ndeploy:reconciled\n', 'reconciled'],
    ['added 120 packages\ndeploy:installed\n', 'installed'],
    ['deploy:installed\r\n', 'installed'],
    ['npm ERR! oops\n', null],
    ['', null],
  ];
  it.each(outcomes)('installOutcome(%j) is %j', (stdout, expected) => expect(installOutcome(stdout)).toBe(expected));
});

describe('install command on a real shell', () => {
  const box = sandbox();
  afterAll(box.cleanup);
  const prev = box.p.release('20240101000000');
  const next = box.p.release('20240102030405');
  const installCmd = 'mkdir -p node_modules/pkg && printf "%s" "$MARK" > node_modules/pkg/index.js';
  const params = { release: next, previous: prev, lockfile: 'package-lock.json', reuse: ['node_modules'], command: installCmd };

  it('installs when the lockfile changed, reuses by hard links when it did not', () => {
    mkdirSync(join(prev, 'node_modules/pkg'), { recursive: true });
    writeFileSync(join(prev, 'package-lock.json'), '{"v":1}');
    writeFileSync(join(prev, 'node_modules/pkg/index.js'), 'old');
    mkdirSync(next, { recursive: true });
    writeFileSync(join(next, 'package-lock.json'), '{"v":2}');

    const installed = box.run(install({ ...params, env: { MARK: new Sensitive('fresh') } }));
    expect(installed.code).toBe(0);
    expect(installOutcome(installed.stdout)).toBe('installed');
    expect(readFileSync(join(next, 'node_modules/pkg/index.js'), 'utf8')).toBe('fresh');

    writeFileSync(join(next, 'package-lock.json'), '{"v":1}');
    const reused = box.run(install({ ...params, env: { MARK: 'unused' } }));
    expect(reused.code).toBe(0);
    expect(installOutcome(reused.stdout)).toBe('reused');
    const copy = join(next, 'node_modules/pkg/index.js');
    expect(readFileSync(copy, 'utf8')).toBe('old');
    expect(statSync(copy).ino).toBe(statSync(join(prev, 'node_modules/pkg/index.js')).ino);
  });

  it('reconcile: the new release gets real copies (other inodes) and the command sees what was seeded', () => {
    const seen = 'printf "%s %s\\n" "$DEPLOY_INSTALL_SEEDED" "$DEPLOY_LOCKFILE_UNCHANGED" > seen; echo new >> node_modules/pkg/index.js';
    const prevFile = join(prev, 'node_modules/pkg/index.js');
    mkdirSync(join(prev, 'node_modules/pkg'), { recursive: true });
    writeFileSync(prevFile, 'old');
    writeFileSync(join(prev, 'package-lock.json'), '{"v":1}');
    mkdirSync(next, { recursive: true });
    writeFileSync(join(next, 'package-lock.json'), '{"v":1}');

    const same = box.run(install({ ...params, command: seen, reconcile: true }));
    expect(same.code, same.stderr).toBe(0);
    expect(installOutcome(same.stdout)).toBe('reused');
    expect(readFileSync(join(next, 'seen'), 'utf8')).toBe('1 1\n');
    // Written in place in the new release: the previous release's file is untouched.
    expect(readFileSync(join(next, 'node_modules/pkg/index.js'), 'utf8')).toBe('oldnew\n');
    expect(readFileSync(prevFile, 'utf8')).toBe('old');
    expect(statSync(join(next, 'node_modules/pkg/index.js')).ino).not.toBe(statSync(prevFile).ino);

    writeFileSync(join(next, 'package-lock.json'), '{"v":2}');
    const changed = box.run(install({ ...params, command: seen, reconcile: true }));
    expect(installOutcome(changed.stdout)).toBe('reconciled');
    expect(readFileSync(join(next, 'seen'), 'utf8')).toBe('1 0\n');
    expect(readFileSync(prevFile, 'utf8')).toBe('old');
  });

  it('fails when the install command fails, without the marker', () => {
    const r = box.run(install({ ...params, previous: null, command: 'echo boom >&2; exit 7' }));
    expect(r.code).toBe(7);
    expect(installOutcome(r.stdout)).toBeNull();
  });
});
