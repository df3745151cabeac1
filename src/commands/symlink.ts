import { raw, write, type Command } from '../shell/command.js';
import type { Paths } from './paths.js';
import { releaseDir } from './release.js';

/** Points `current` at the release atomically: a new symlink beside it, renamed over it (`mv -T`: rename(2)). */
export function switchCurrent(p: Paths, id: string): Command {
  const tmp = `${p.current}.tmp-${id}`;
  return write(['ln', '-sfn', releaseDir(p, id), tmp, raw('&&'), 'mv', '-T', tmp, p.current], {
    description: `switch current to ${id}`,
    pure: true,
  });
}

/** Removes `current`: what a failed first deploy leaves, as there is no earlier release to point it at. */
export const removeCurrent = (p: Paths): Command =>
  write(['rm', '-f', p.current], { description: 'remove current (there was no earlier release)' });
