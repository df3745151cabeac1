import { describe } from 'vitest';
import { preflightReport, parsePreflight } from '../../../src/facts/preflight.js';
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
      `for t in git ; do if found=$(command -v "$t") ; then printf 'tool %s %s\\n' "$t" "$found" ; else printf 'missing-tool %s\\n' "$t" ; fi ; done; d=/srv/app; if [ -e "$d" ] ; then printf 'exists yes\\n' ; else printf 'exists no\\n' ; fi ; while [ ! -e "$d" ] ; do d=$(dirname "$d"); done; printf 'probe-dir %s\\n' "$d" ; printf 'df %s\\n' "$(df -Pk "$d" | tail -n 1)" ; if [ -w "$d" ] ; then printf 'writable yes\\n' ; else printf 'writable no\\n' ; fi`,
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
      },
    ],
    [
      'what earlier runs left, with sizes: space the deploy frees first',
      'writable yes\nrelease 20240101000000\nrelease 20240102000000\nleftover 20240102000000 2048\nuploads 40960\n',
      { tools: {}, missingTools: [], exists: null, probeDir: null, disk: null, writable: true, removableKiB: 43008 },
    ],
    [
      'df failed',
      'exists yes\nprobe-dir /srv/app\ndf \nwritable yes\n',
      { tools: {}, missingTools: [], exists: true, probeDir: '/srv/app', disk: null, writable: true, removableKiB: 0 },
    ],
    ['nothing (a plan run)', '', { tools: {}, missingTools: [], exists: null, probeDir: null, disk: null, writable: null, removableKiB: 0 }],
    [
      'unknown lines ignored',
      'motd: welcome\nwritable maybe\n',
      { tools: {}, missingTools: [], exists: null, probeDir: null, disk: null, writable: null, removableKiB: 0 },
    ],
  ]);
});
