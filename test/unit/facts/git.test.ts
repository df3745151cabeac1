import { describe } from 'vitest';
import { paths } from '../../../src/commands/paths.js';
import { parseRevision, resolvedRevision } from '../../../src/facts/git.js';
import { fails, parses, probes } from './table.js';

const sha = '0123456789abcdef0123456789abcdef01234567';
const sha256 = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';

describe('git revision', () => {
  probes([
    ['resolvedRevision', resolvedRevision(paths('/srv/app'), 'main'), "git --git-dir /srv/app/repo rev-parse --verify 'main^{commit}'"],
  ]);

  parses('parseRevision', parseRevision, [
    ['sha1', `${sha}\n`, sha],
    ['sha256 repository', `${sha256}\n`, sha256],
    ['nothing', '', null],
    ['not a commit', 'main\n', fails('not a commit id: main')],
  ]);
});
