import { describe } from 'vitest';
import { paths } from '../../../src/commands/paths.js';
import { listReleases, markedReleases, parseMarkedReleases, parseReleases } from '../../../src/facts/release.js';
import { parses, probes } from './table.js';

describe('releases', () => {
  probes([
    ['listReleases', listReleases(paths('/srv/app')), 'if [ -d /srv/app/releases ] ; then ls -1 -p /srv/app/releases ; fi'],
    [
      'markedReleases',
      markedReleases(paths('/srv/my app')),
      `for d in '/srv/my app/releases'/*/ ; do d=\${d%/}; if [ -e "$d"/.deploy-bad ] ; then printf 'bad %s\\n' "\${d##*/}" ; fi ; if [ -e "$d"/.deploy-failed ] ; then printf 'failed %s\\n' "\${d##*/}" ; fi ; done`,
    ],
  ]);

  parses('parseReleases', parseReleases, [
    ['sorted, oldest first', '20240103000000/\n20240101000000/\n20240102000000/\n', ['20240101000000', '20240102000000', '20240103000000']],
    [
      'files and strays ignored',
      '20240101000000/\n20240102000000.tar.gz\nfoo/\n.git/\n20240102000000/\n',
      ['20240101000000', '20240102000000'],
    ],
    ['no releases dir', '', []],
  ]);

  parses('parseMarkedReleases', parseMarkedReleases, [
    [
      'bad and failed',
      'bad 20240102000000\nfailed 20240103000000\nbad 20240101000000\n',
      { bad: ['20240101000000', '20240102000000'], failed: ['20240103000000'] },
    ],
    ['both markers on one release', 'bad 20240102000000\nfailed 20240102000000\n', { bad: ['20240102000000'], failed: ['20240102000000'] }],
    ['noise ignored', 'bad *\nugly 20240102000000\nfailed\n', { bad: [], failed: [] }],
    ['none', '', { bad: [], failed: [] }],
  ]);
});
