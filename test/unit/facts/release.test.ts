import { describe } from 'vitest';
import { paths } from '../../../src/commands/paths.js';
import {
  listReleases,
  badReleases,
  parseBadReleases,
  parseHostReleases,
  parseReleases,
  parseReleaseState,
} from '../../../src/facts/release.js';
import { parses, probes } from './table.js';

describe('releases', () => {
  probes([
    ['listReleases', listReleases(paths('/srv/app')), 'if [ -d /srv/app/releases ] ; then ls -1 -p /srv/app/releases ; fi'],
    [
      'badReleases',
      badReleases(paths('/srv/my app')),
      `for d in '/srv/my app/releases'/*/ ; do d=\${d%/}; if [ -e "$d"/.deploy-bad ] ; then printf 'bad %s\\n' "\${d##*/}" ; fi ; done`,
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

  parses('parseBadReleases', parseBadReleases, [
    ['sorted', 'bad 20240102000000\nbad 20240101000000\n', ['20240101000000', '20240102000000']],
    ['noise ignored', 'bad *\nugly 20240102000000\nfailed 20240103000000\nbad\n', []],
    ['none', '', []],
  ]);

  parses('parseReleaseState', parseReleaseState, [
    [
      'current, releases, leftovers with sizes, uploads',
      'current /srv/app/releases/20240102000000\nrelease 20240103000000\nrelease 20240101000000\nrelease 20240102000000\nleftover 20240103000000 120\nuploads 4096\n',
      {
        current: '20240102000000',
        currentTarget: '/srv/app/releases/20240102000000',
        dangling: false,
        releases: ['20240101000000', '20240102000000', '20240103000000'],
        leftovers: ['20240103000000'],
        leftoverKiB: 4216,
        uploads: true,
      },
    ],
    [
      'a dangling current',
      'current releases/20240102000000/\ndangling\n',
      {
        current: '20240102000000',
        currentTarget: 'releases/20240102000000/',
        dangling: true,
        releases: [],
        leftovers: [],
        leftoverKiB: 0,
        uploads: false,
      },
    ],
    [
      'a current that is not a release is kept as written, with no id',
      'current /opt/elsewhere\n',
      { current: null, currentTarget: '/opt/elsewhere', dangling: false, releases: [], leftovers: [], leftoverKiB: 0, uploads: false },
    ],
    [
      'nothing there yet',
      '',
      { current: null, currentTarget: null, dangling: false, releases: [], leftovers: [], leftoverKiB: 0, uploads: false },
    ],
  ]);

  parses('parseHostReleases', parseHostReleases, [
    [
      'state, marks and the log in file order',
      'current /srv/app/releases/20240102000000\nrelease 20240101000000\nrelease 20240102000000\nbad 20240101000000\nlog {"release":"20240102000000","revision":"b","user":"u","time":"t","stage":"s","outcome":"deployed"}\nlog {"release":"20240101000000","revision":"a","user":"u","time":"t","stage":"s","outcome":"rolled-back"}\nlog not json\n',
      {
        current: '20240102000000',
        currentTarget: '/srv/app/releases/20240102000000',
        dangling: false,
        releases: ['20240101000000', '20240102000000'],
        bad: ['20240101000000'],
        log: [
          { release: '20240102000000', revision: 'b', user: 'u', time: 't', stage: 's', outcome: 'deployed' },
          { release: '20240101000000', revision: 'a', user: 'u', time: 't', stage: 's', outcome: 'rolled-back' },
        ],
      },
    ],
  ]);
});
