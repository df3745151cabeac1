import { describe } from 'vitest';
import { paths } from '../../../src/commands/paths.js';
import { lockfileHash, parseLockfileHash } from '../../../src/facts/install.js';
import { fails, parses, probes } from './table.js';

const digest = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';

describe('lockfile hash', () => {
  probes([
    [
      'lockfileHash',
      lockfileHash(paths('/srv/app').release('20240102030405'), 'package-lock.json'),
      `if [ -f /srv/app/releases/20240102030405/package-lock.json ] ; then printf '%s\\n' "$(sha256sum < /srv/app/releases/20240102030405/package-lock.json)" ; fi`,
    ],
  ]);

  parses('parseLockfileHash', parseLockfileHash, [
    ['sha256sum of stdin', `${digest}  -\n`, digest],
    ['no lockfile', '', null],
    ['garbage', 'sha256sum: command not found\n', fails('not sha256sum output')],
  ]);
});
