import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { archiveRevision, resolveRevision, updateMirror, writeRevision } from '../../../src/commands/git.js';
import { paths } from '../../../src/commands/paths.js';
import { parseRevision } from '../../../src/facts/git.js';
import { renders, sandbox } from './table.js';

const p = paths('/srv/app');
const spaced = paths('/srv/my app/');
const sha = '0123456789abcdef0123456789abcdef01234567';

describe('git commands', () => {
  renders([
    [
      'updateMirror clones, or refreshes an existing mirror',
      () => updateMirror(p, 'git@github.com:acme/app.git'),
      'if [ -f /srv/app/repo/HEAD ] ; then git --git-dir /srv/app/repo remote set-url origin git@github.com:acme/app.git && git --git-dir /srv/app/repo fetch --prune origin ; else rm -rf /srv/app/repo && git clone --mirror git@github.com:acme/app.git /srv/app/repo ; fi',
      'write',
    ],
    [
      'updateMirror quotes paths and urls',
      () => updateMirror(spaced, 'https://example.com/a b.git'),
      "if [ -f '/srv/my app/repo/HEAD' ] ; then git --git-dir '/srv/my app/repo' remote set-url origin 'https://example.com/a b.git' && git --git-dir '/srv/my app/repo' fetch --prune origin ; else rm -rf '/srv/my app/repo' && git clone --mirror 'https://example.com/a b.git' '/srv/my app/repo' ; fi",
      'write',
    ],
    ['resolveRevision', () => resolveRevision(p, 'main'), "git --git-dir /srv/app/repo rev-parse --verify 'main^{commit}'", 'read'],
    [
      'resolveRevision of a tag',
      () => resolveRevision(spaced, 'v1.2.3'),
      "git --git-dir '/srv/my app/repo' rev-parse --verify 'v1.2.3^{commit}'",
      'read',
    ],
    [
      'archiveRevision',
      () => archiveRevision(spaced, sha, spaced.release('20240102030405')),
      `git --git-dir '/srv/my app/repo' archive ${sha} | tar -x -f - -C '/srv/my app/releases/20240102030405'`,
      'write',
    ],
    [
      'writeRevision',
      () => writeRevision(p.release('20240102030405'), sha),
      `printf '%s\\n' ${sha} > /srv/app/releases/20240102030405/REVISION`,
      'write',
    ],
  ]);

  it('refuses refs that look like options and short commit ids', () => {
    expect(() => resolveRevision(p, '--upload-pack=evil')).toThrow(/not a git ref/);
    expect(() => archiveRevision(p, 'abc123', '/tmp/r')).toThrow(/not a full commit id/);
    expect(() => writeRevision('/tmp/r', `${sha}; rm -rf /`)).toThrow(/not a full commit id/);
  });
});

describe('git commands on a real shell', () => {
  const box = sandbox();
  afterAll(box.cleanup);
  const origin = join(box.dir, 'origin repo');
  const git = (...args: string[]) =>
    execFileSync('git', ['-C', origin, '-c', 'user.name=t', '-c', 'user.email=t@t', ...args], { encoding: 'utf8' }).trim();

  it('mirrors, resolves, archives and records a revision', () => {
    mkdirSync(origin);
    git('init', '-q', '-b', 'main');
    writeFileSync(join(origin, 'app.txt'), 'v1\n');
    git('add', '.');
    git('commit', '-q', '-m', 'one');
    mkdirSync(box.p.root);

    expect(box.run(updateMirror(box.p, origin)).code).toBe(0);
    const first = parseRevision(box.run(resolveRevision(box.p, 'main')).stdout);
    expect(first).toBe(git('rev-parse', 'HEAD'));

    writeFileSync(join(origin, 'app.txt'), 'v2\n');
    git('commit', '-q', '-am', 'two');
    expect(box.run(updateMirror(box.p, origin)).code).toBe(0);
    const second = parseRevision(box.run(resolveRevision(box.p, 'main')).stdout);
    expect(second).toBe(git('rev-parse', 'HEAD'));
    expect(second).not.toBe(first);

    const release = box.p.release('20240102030405');
    mkdirSync(release, { recursive: true });
    expect(box.run(archiveRevision(box.p, second!, release)).code).toBe(0);
    expect(box.run(writeRevision(release, second!)).code).toBe(0);
    expect(readFileSync(join(release, 'app.txt'), 'utf8')).toBe('v2\n');
    expect(readFileSync(join(release, 'REVISION'), 'utf8')).toBe(`${second}\n`);

    const missing = box.run(resolveRevision(box.p, 'no-such-branch'));
    expect(missing.code).not.toBe(0);
  });

  it('fails the archive pipe when the commit is not in the mirror', () => {
    const release = box.p.release('20240102030406');
    mkdirSync(release, { recursive: true });
    expect(box.run(archiveRevision(box.p, 'f'.repeat(40), release)).code).not.toBe(0);
  });
});
