import { ifThen, test } from '../commands/sh.js';
import type { Paths } from '../commands/paths.js';
import { isReleaseId } from '../commands/release.js';
import { read } from '../shell/command.js';
import { fact, FactParseError, lines, type Fact } from './fact.js';

/** The live release id, parsed from `readlink current`; null when there is no `current` symlink. */
export function parseCurrent(stdout: string): string | null {
  const target = lines(stdout)[0]?.replace(/\/+$/, '') ?? '';
  if (target === '') return null;
  const id = target.slice(target.lastIndexOf('/') + 1);
  if (!isReleaseId(id)) {
    throw new FactParseError('current release', `current points to ${target}, which is not a release`, stdout);
  }
  return id;
}

export const readCurrent = (p: Paths): Fact<string | null> =>
  fact(read(ifThen(test('-L', p.current), ['readlink', p.current]), { description: 'read the live release' }), parseCurrent);
