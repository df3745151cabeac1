import { describe } from 'vitest';
import { paths } from '../../../src/commands/paths.js';
import { parseCurrent, readCurrent } from '../../../src/facts/symlink.js';
import { fails, parses, probes } from './table.js';

describe('current release', () => {
  probes([['readCurrent', readCurrent(paths('/srv/app')), 'if [ -L /srv/app/current ] ; then readlink /srv/app/current ; fi']]);

  parses('parseCurrent', parseCurrent, [
    ['absolute target', '/srv/app/releases/20240102030405\n', '20240102030405'],
    ['relative target', 'releases/20240102030405\n', '20240102030405'],
    ['trailing slash', '/srv/app/releases/20240102030405/\n', '20240102030405'],
    ['CRLF', '/srv/app/releases/20240102030405\r\n', '20240102030405'],
    ['no symlink', '', null],
    ['a target that is not a release', '/var/www/html\n', fails('current points to /var/www/html, which is not a release')],
  ]);
});
