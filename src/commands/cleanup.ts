import { write, type Command } from '../shell/command.js';
import type { Paths } from './paths.js';
import { releaseDir } from './release.js';

/**
 * The releases beyond the `keep` newest (ids sort by age), oldest first, never one in `protect` (the live
 * release, the rollback target).
 */
export function releasesToRemove(all: readonly string[], keep: number, protect: readonly string[]): string[] {
  if (!Number.isInteger(keep) || keep < 0) throw new RangeError(`keep must be a whole number >= 0, got ${keep}`);
  const newestFirst = [...new Set(all)].sort().reverse();
  const kept = new Set([...newestFirst.slice(0, keep), ...protect]);
  return newestFirst.filter((id) => !kept.has(id)).reverse();
}

/** One `rm -rf` for all of them; null when there is nothing to remove. */
export function removeReleases(p: Paths, ids: readonly string[]): Command | null {
  if (ids.length === 0) return null;
  return write(['rm', '-rf', ...ids.map((id) => releaseDir(p, id))], {
    description: `remove ${ids.length} old release${ids.length === 1 ? '' : 's'}`,
  });
}
