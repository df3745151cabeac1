import { write, type Command } from '../shell/command.js';
import type { Paths } from './paths.js';
import { removeReleasesTokens } from './release.js';

/**
 * The releases to remove, oldest first: the live ones beyond the `keep` newest (only releases that went live
 * count: `notLive` ones never push one out) and every one that never went live; never one in `protect` (the live
 * release, the rollback target).
 */
export function releasesToRemove(all: readonly string[], keep: number, protect: readonly string[], notLive: readonly string[] = []): string[] {
  if (!Number.isInteger(keep) || keep < 0) throw new RangeError(`keep must be a whole number >= 0, got ${keep}`);
  const never = new Set(notLive);
  const newestFirst = [...new Set(all)].sort().reverse();
  const kept = new Set([...newestFirst.filter((id) => !never.has(id)).slice(0, keep), ...protect]);
  return newestFirst.filter((id) => !kept.has(id)).reverse();
}

/** One command for all of them, each checked against `current` on the host; null when there is nothing to remove. */
export function removeReleases(p: Paths, ids: readonly string[]): Command | null {
  if (ids.length === 0) return null;
  return write(removeReleasesTokens(p, ids), {
    description: `remove ${ids.length} old release${ids.length === 1 ? '' : 's'}`,
  });
}
