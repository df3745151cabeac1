import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { paths } from '../../../src/commands/paths.js';
import { adHoc, adHocArgv, loginShell } from '../../../src/commands/run.js';
import { render } from '../../../src/shell/command.js';

const p = paths("/srv/it's here");

describe('run', () => {
  it.each([
    [
      'adHoc: the command as written, run by its own sh, in current/',
      () => render(adHoc(p, 'hostname; cat VERSION')),
      "if [ -d '/srv/it'\\''s here/current' ] ; then cd '/srv/it'\\''s here/current' ; else printf '%s\\n' 'no release is live on this host: /srv/it'\\''s here/current does not exist (deploy first); nothing was run' >&2; exit 1 ; fi ; sh -c 'hostname; cat VERSION'",
    ],
    [
      'adHoc: env exported first',
      () => render(adHoc(paths('/srv/a'), 'uptime', { A: '1 2' })),
      "export A='1 2' && ( if [ -d /srv/a/current ] ; then cd /srv/a/current ; else printf '%s\\n' 'no release is live on this host: /srv/a/current does not exist (deploy first); nothing was run' >&2; exit 1 ; fi ; sh -c uptime )",
    ],
    [
      'adHocArgv: several words are one program and its arguments, each quoted',
      () => render(adHocArgv(paths('/srv/a'), ['printf', '[%s]\\n', 'a b', 'x; touch /tmp/PWNED', '$HOME', "it's"])),
      "if [ -d /srv/a/current ] ; then cd /srv/a/current ; else printf '%s\\n' 'no release is live on this host: /srv/a/current does not exist (deploy first); nothing was run' >&2; exit 1 ; fi ; printf '[%s]\\n' 'a b' 'x; touch /tmp/PWNED' '$HOME' 'it'\\''s'",
    ],
    [
      'adHocArgv: a first word the shell would read as grammar is quoted too',
      () => render(adHocArgv(paths('/srv/a'), ['if', 'true'])),
      "if [ -d /srv/a/current ] ; then cd /srv/a/current ; else printf '%s\\n' 'no release is live on this host: /srv/a/current does not exist (deploy first); nothing was run' >&2; exit 1 ; fi ; 'if' true",
    ],
    [
      'adHocArgv: env exported first',
      () => render(adHocArgv(paths('/srv/a'), ['ls', '-l'], { A: '1 2' })),
      "export A='1 2' && ( if [ -d /srv/a/current ] ; then cd /srv/a/current ; else printf '%s\\n' 'no release is live on this host: /srv/a/current does not exist (deploy first); nothing was run' >&2; exit 1 ; fi ; ls -l )",
    ],
    [
      'adHoc: a host that never holds releases (a balancer) runs it in the login directory',
      () => render(adHoc(paths('/srv/a'), 'uptime', {}, false)),
      ': ; sh -c uptime',
    ],
    ['loginShell: a login shell started in current/', () => loginShell(p), `cd '/srv/it'\\''s here/current' 2>/dev/null; exec "$SHELL" -l`],
  ])('%s', (_, build, expected) => expect(build()).toBe(expected));
});

describe('run on a real shell', () => {
  it('a host without current/ fails with a message and the command does not run elsewhere', () => {
    const root = mkdtempSync(join(tmpdir(), 'run-'));
    try {
      const r = spawnSync('sh', ['-c', render(adHoc(paths(root), 'touch ran-here'))], { cwd: root, encoding: 'utf8' });
      expect(r.status).toBe(1);
      expect(r.stderr).toBe(`no release is live on this host: ${root}/current does not exist (deploy first); nothing was run\n`);
      expect(existsSync(join(root, 'ran-here'))).toBe(false);
      mkdirSync(join(root, 'current'));
      expect(spawnSync('sh', ['-c', render(adHoc(paths(root), 'touch ran-here'))], { cwd: root }).status).toBe(0);
      expect(existsSync(join(root, 'current', 'ran-here'))).toBe(true);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});
