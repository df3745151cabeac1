import { describe, expect, it } from 'vitest';
import { paths } from '../../../src/commands/paths.js';
import { adHoc, adHocArgv, loginShell } from '../../../src/commands/run.js';
import { render } from '../../../src/shell/command.js';

const p = paths("/srv/it's here");

describe('run', () => {
  it.each([
    ['adHoc: the command as written, run by its own sh, in current/ when it exists', () => render(adHoc(p, 'hostname; cat VERSION')), "if [ -d '/srv/it'\\''s here/current' ] ; then cd '/srv/it'\\''s here/current' ; fi ; sh -c 'hostname; cat VERSION'"],
    ['adHoc: env exported first', () => render(adHoc(paths('/srv/a'), 'uptime', { A: '1 2' })), "export A='1 2' && ( if [ -d /srv/a/current ] ; then cd /srv/a/current ; fi ; sh -c uptime )"],
    ['adHocArgv: several words are one program and its arguments, each quoted', () => render(adHocArgv(paths('/srv/a'), ['printf', '[%s]\\n', 'a b', 'x; touch /tmp/PWNED', '$HOME', "it's"])), "if [ -d /srv/a/current ] ; then cd /srv/a/current ; fi ; printf '[%s]\\n' 'a b' 'x; touch /tmp/PWNED' '$HOME' 'it'\\''s'"],
    ['adHocArgv: a first word the shell would read as grammar is quoted too', () => render(adHocArgv(paths('/srv/a'), ['if', 'true'])), "if [ -d /srv/a/current ] ; then cd /srv/a/current ; fi ; 'if' true"],
    ['adHocArgv: env exported first', () => render(adHocArgv(paths('/srv/a'), ['ls', '-l'], { A: '1 2' })), "export A='1 2' && ( if [ -d /srv/a/current ] ; then cd /srv/a/current ; fi ; ls -l )"],
    ['loginShell: a login shell started in current/', () => loginShell(p), `cd '/srv/it'\\''s here/current' 2>/dev/null; exec "$SHELL" -l`],
  ])('%s', (_, build, expected) => expect(build()).toBe(expected));
});
