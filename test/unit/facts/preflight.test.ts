import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { preflightReport, parsePreflight } from '../../../src/facts/preflight.js';
import { paths } from '../../../src/commands/paths.js';
import { render } from '../../../src/shell/command.js';
import { parses, probes } from './table.js';

const full = [
  'tool git /usr/bin/git',
  'tool tar /bin/tar',
  'missing-tool rsync',
  'tool node /opt/my bin/node',
  'exists no',
  'probe-dir /srv',
  'df /dev/sda1 41152736 12345678 26690632 32% /',
  'writable no',
  '',
].join('\n');

describe('preflight report', () => {
  probes([
    [
      'preflightReport',
      preflightReport({ deployTo: '/srv/app', tools: ['git'] }),
      `for t in git ; do if command -v "$t" >/dev/null 2>&1 ; then printf 'tool %s ' "$t" ; command -v "$t" ; else printf 'missing-tool %s\\n' "$t" ; fi ; done; d=/srv/app; if [ -e "$d" ] ; then printf 'exists yes\\n' ; else printf 'exists no\\n' ; fi ; while [ ! -e "$d" ] ; do d=$(dirname "$d"); done; printf 'probe-dir %s\\n' "$d" ; df=$(df -Pk "$d"); df=\${df#*[[:cntrl:]]}; printf 'df %s\\n' "$df" ; if [ -w "$d" ] ; then printf 'writable yes\\n' ; else printf 'writable no\\n' ; fi`,
    ],
    [
      "preflightReport for a deploy: the repository from the host, and a first deploy's port",
      preflightReport({
        deployTo: '/srv/app',
        tools: [],
        repository: "git@example.com:a/b'c.git",
        port: { paths: paths('/srv/app'), address: '10.0.0.5', port: 8000 },
      }),
      `d=/srv/app; if [ -e "$d" ] ; then printf 'exists yes\\n' ; else printf 'exists no\\n' ; fi ; while [ ! -e "$d" ] ; do d=$(dirname "$d"); done; printf 'probe-dir %s\\n' "$d" ; df=$(df -Pk "$d"); df=\${df#*[[:cntrl:]]}; printf 'df %s\\n' "$df" ; if [ -w "$d" ] ; then printf 'writable yes\\n' ; else printf 'writable no\\n' ; fi ; to=; if command -v timeout >/dev/null 2>&1 ; then to='timeout 30' ; fi ; if err=$(GIT_TERMINAL_PROMPT=0 $to git ls-remote 'git@example.com:a/b'\\''c.git' HEAD 2>&1 >/dev/null </dev/null) ; then printf 'repo ok\\n' ; else printf 'repo failed\\n' ; printf '%s\\n' "$err" | sed -n 's/^/repo-error /p' | head -n 5 ; fi ; if [ ! -e /srv/app/current ] && [ ! -L /srv/app/current ] ; then curl -s -g -o /dev/null --max-time 2 http://10.0.0.5:8000/ </dev/null; c=$?; if [ "$c" -eq 7 ] ; then printf 'port-free %s\\n' 8000 ; else printf 'port-taken %s %s\\n' 8000 "$c" ; fi ; fi`,
    ],
  ]);

  parses('parsePreflight', parsePreflight, [
    [
      'everything reported',
      full,
      {
        tools: { git: '/usr/bin/git', tar: '/bin/tar', node: '/opt/my bin/node' },
        missingTools: ['rsync'],
        exists: false,
        probeDir: '/srv',
        disk: { filesystem: '/dev/sda1', totalKiB: 41152736, usedKiB: 12345678, availableKiB: 26690632, mount: '/' },
        writable: false,
        removableKiB: 0,
        repository: null,
        port: null,
      },
    ],
    [
      'what earlier runs left, with sizes: space the deploy frees first',
      'writable yes\nrelease 20240101000000\nrelease 20240102000000\nleftover 20240102000000 2048\nuploads 40960\n',
      {
        tools: {},
        missingTools: [],
        exists: null,
        probeDir: null,
        disk: null,
        writable: true,
        removableKiB: 43008,
        repository: null,
        port: null,
      },
    ],
    [
      'df failed',
      'exists yes\nprobe-dir /srv/app\ndf \nwritable yes\n',
      {
        tools: {},
        missingTools: [],
        exists: true,
        probeDir: '/srv/app',
        disk: null,
        writable: true,
        removableKiB: 0,
        repository: null,
        port: null,
      },
    ],
    [
      'nothing (a plan run)',
      '',
      {
        tools: {},
        missingTools: [],
        exists: null,
        probeDir: null,
        disk: null,
        writable: null,
        removableKiB: 0,
        repository: null,
        port: null,
      },
    ],
    [
      "the repository readable, a first deploy's port free",
      'repo ok\nport-free 8000\n',
      {
        tools: {},
        missingTools: [],
        exists: null,
        probeDir: null,
        disk: null,
        writable: null,
        removableKiB: 0,
        repository: { ok: true, error: '' },
        port: { port: 8000, taken: false },
      },
    ],
    [
      'the repository unreadable (what git said, joined), the port taken',
      "repo failed\nrepo-error fatal: '/srv/nope.git' does not appear to be a git repository\nrepo-error fatal: Could not read from remote repository.\nrepo-error \nport-taken 8000 52\n",
      {
        tools: {},
        missingTools: [],
        exists: null,
        probeDir: null,
        disk: null,
        writable: null,
        removableKiB: 0,
        repository: {
          ok: false,
          error: "fatal: '/srv/nope.git' does not appear to be a git repository fatal: Could not read from remote repository.",
        },
        port: { port: 8000, taken: true, curlExit: 52 },
      },
    ],
    [
      'unknown lines ignored',
      'motd: welcome\nwritable maybe\n',
      {
        tools: {},
        missingTools: [],
        exists: null,
        probeDir: null,
        disk: null,
        writable: null,
        removableKiB: 0,
        repository: null,
        port: null,
      },
    ],
  ]);

  it.each(['sh', 'bash'])('on a real %s: the df line of the probe dir, header left out', (shell) => {
    const out = spawnSync(shell, ['-c', render(preflightReport({ deployTo: '/nonexistent/app', tools: [] }).command, 'reveal')], {
      encoding: 'utf8',
    }).stdout;
    const report = parsePreflight(out);
    expect(report.probeDir).toBe('/');
    const line = spawnSync('df', ['-Pk', '/'], { encoding: 'utf8' }).stdout.trim().split('\n')[1]!.split(/\s+/);
    expect(report.disk).toMatchObject({ filesystem: line[0], totalKiB: Number(line[1]), mount: '/' });
  });
});
