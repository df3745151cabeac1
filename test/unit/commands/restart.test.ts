import { describe } from 'vitest';
import { paths } from '../../../src/commands/paths.js';
import { restart, stopApp } from '../../../src/commands/restart.js';
import { renders } from './table.js';

const p = paths('/srv/app');

describe('restart command', () => {
  renders([
    [
      'runs the snippet in the given dir',
      () => restart('sudo systemctl restart app', p.current),
      "cd /srv/app/current && sh -c 'sudo systemctl restart app'",
      'write',
    ],
    [
      'with env; a comment stays inside the snippet',
      () => restart('touch tmp/restart.txt # passenger', p.current, { APP: 'web' }),
      "cd /srv/app/current && export APP=web && sh -c 'touch tmp/restart.txt # passenger'",
      'write',
    ],
    [
      'stopApp: the restart.stop snippet, in the release it stops',
      () => stopApp('bin/stop', p.release('20240102030405'), { PORT: '3000' }),
      'cd /srv/app/releases/20240102030405 && export PORT=3000 && sh -c bin/stop',
      'write',
    ],
  ]);
});
