import { raw, write, type Command } from '../shell/command.js';
import { within, type Paths } from './paths.js';
import { ifThen, test } from './sh.js';

/** Written by `deploy drain` on the host it took out of rotation: when (UTC, by the host's clock). */
export const drainedFile = (p: Paths): string => within(p.root, '.drained');

/** Records when the host was drained; a host drained again keeps its first time. */
export const markDrained = (p: Paths): Command =>
  write(
    [
      'mkdir',
      '-p',
      p.root,
      raw('&&'),
      ...ifThen(test('-f', drainedFile(p)), [raw(':')], ['date', '-u', '+%Y-%m-%dT%H:%M:%SZ', raw('>'), drainedFile(p)]),
    ],
    {
      description: 'record when the host was drained',
    },
  );

export const unmarkDrained = (p: Paths): Command =>
  write(['rm', '-f', drainedFile(p)], { description: 'forget that the host was drained' });
