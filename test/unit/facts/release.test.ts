import { describe } from 'vitest';
import { paths } from '../../../src/commands/paths.js';
import {
  listReleases,
  badReleases,
  parseBadReleases,
  parseHostReleases,
  parseReleases,
  parseReleaseState,
  releaseState,
  type ReleaseState,
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
    [
      'releaseState: current, releases, and which never went live or went live unlogged',
      releaseState(paths('/srv/app')),
      `cur=; link=; live=; asked=; if [ -L /srv/app/current ] ; then link=1 ; fi ; if [ -f /srv/app/revisions.log ] && [ -r /srv/app/revisions.log ] ; then known=1 ; else if [ -e /srv/app/revisions.log ] ; then known=0 ; else known= ; fi ; fi ; _deploy_live() { [ "$known" = 1 ] || return 1; [ -e "$1/.deploy-live" ] && return 0; [ -n "$asked" ] || { asked=1; live=$(sed -nE 's/^\\{"release":"([0-9]{14})",.*"outcome":"(deployed|rolled-back)"\\}$/\\1/p' /srv/app/revisions.log); }; case "$live" in *"$2"*) return 0 ;; esac; return 1; }; for d in /srv/app/releases/*/ ; do d=\${d%/}; id=\${d##*/}; case $id in *[!0-9]*|'') continue ;; esac; [ \${#id} -eq 14 ] || continue; printf 'release %s\\n' "$id"; if [ -n "$link" ] && [ -z "$cur" ] && [ "$d" -ef /srv/app/current ]; then cur=$id; printf 'current %s\\n' "$d"; [ "$known" = 0 ] || _deploy_live "$d" "$id" || { rev=; [ -r "$d/REVISION" ] && read -r rev <"$d/REVISION"; printf 'unlogged %s %s\\n' "$id" "$rev"; }; continue; fi; [ "$known" = 1 ] || continue; _deploy_live "$d" "$id" && continue; printf 'leftover %s\\n' "$id"; done; if [ -n "$link" ] && [ -z "$cur" ] ; then printf 'current %s\\n' "$(readlink /srv/app/current)" ; if [ ! -d /srv/app/current ] ; then printf 'dangling\\n' ; fi ; fi ; if [ -d /srv/app/uploads ] ; then printf 'uploads\\n' ; fi`,
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

  const nothing: ReleaseState = {
    current: null,
    currentTarget: null,
    dangling: false,
    releases: [],
    leftovers: [],
    leftoverKiB: 0,
    uploads: false,
    unlogged: null,
  };
  const state = (o: Partial<ReleaseState>): ReleaseState => ({ ...nothing, ...o });
  const onSecond = { current: '20240102000000', currentTarget: '/srv/app/releases/20240102000000' };
  parses('parseReleaseState', parseReleaseState, [
    [
      'current, releases, leftovers with sizes, uploads',
      'current /srv/app/releases/20240102000000\nrelease 20240103000000\nrelease 20240101000000\nrelease 20240102000000\nleftover 20240103000000 120\nuploads 4096\n',
      state({
        ...onSecond,
        releases: ['20240101000000', '20240102000000', '20240103000000'],
        leftovers: ['20240103000000'],
        leftoverKiB: 4216,
        uploads: true,
      }),
    ],
    [
      'a dangling current',
      'current releases/20240102000000/\ndangling\n',
      state({ current: '20240102000000', currentTarget: 'releases/20240102000000/', dangling: true }),
    ],
    [
      'a current that is not a release is kept as written, with no id',
      'current /opt/elsewhere\n',
      state({ currentTarget: '/opt/elsewhere' }),
    ],
    [
      'a current release the log lacks, with its revision',
      `current /srv/app/releases/20240102000000\nrelease 20240102000000\nunlogged 20240102000000 ${'a'.repeat(40)}\n`,
      state({ ...onSecond, releases: ['20240102000000'], unlogged: { release: '20240102000000', revision: 'a'.repeat(40) } }),
    ],
    [
      'an unlogged release without a revision it can trust',
      'current /srv/app/releases/20240102000000\nunlogged 20240102000000 $(id)\n',
      state({ ...onSecond, unlogged: { release: '20240102000000', revision: '' } }),
    ],
    [
      'an unlogged line for anything but current is ignored',
      'current /srv/app/releases/20240102000000\nunlogged 20240101000000 \nunlogged nonsense\n',
      state(onSecond),
    ],
    ['nothing there yet', '', nothing],
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
