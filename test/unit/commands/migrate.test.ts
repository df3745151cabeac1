import { describe } from 'vitest';
import { migrate } from '../../../src/commands/migrate.js';
import { paths } from '../../../src/commands/paths.js';
import { Sensitive } from '../../../src/shell/sensitive.js';
import { renders } from './table.js';

const release = paths('/srv/app').release('20240102030405');

describe('migrate command', () => {
  renders([
    [
      'runs the snippet in the release with env',
      () => migrate('bin/rails db:migrate', release, { RAILS_ENV: 'production', DATABASE_URL: new Sensitive('pg://x') }),
      "cd /srv/app/releases/20240102030405 && export RAILS_ENV=production DATABASE_URL=*** && sh -c 'bin/rails db:migrate'",
      'write',
    ],
    [
      'keeps a snippet with operators whole under the cd',
      () => migrate('npm run migrate || exit 1', '/srv/my app/current'),
      "cd '/srv/my app/current' && sh -c 'npm run migrate || exit 1'",
      'write',
    ],
  ]);
});
