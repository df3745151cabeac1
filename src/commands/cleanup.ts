import { raw, write, type Command } from '../shell/command.js';
import { appendRevisionLog, type RevisionLogEntry } from './log.js';
import type { Paths } from './paths.js';
import { emptyTrashTokens, removeReleasesTokens } from './release.js';
import { ifThen } from './sh.js';

/**
 * The releases to remove, oldest first: the live ones beyond the `keep` newest (only releases that went live
 * count: `notLive` ones never push one out) and every one that never went live; never one in `protect` (the live
 * release, the rollback target).
 */
export function releasesToRemove(
  all: readonly string[],
  keep: number,
  protect: readonly string[],
  notLive: readonly string[] = [],
): string[] {
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

/**
 * After a release went live: removes the old releases (`cleaned`) and appends the revision log line (`logged`), in
 * one round trip; each prints its word when it worked, so either can fail alone. The removal itself goes on in the
 * background (removeReleasesTokens); with nothing to remove, what an interrupted earlier removal left is restarted.
 * `late`: the line of a release that went live before and that the log lacks, written first.
 */
export function cleanupAndLog(p: Paths, ids: readonly string[], entry: RevisionLogEntry, late?: RevisionLogEntry): Command {
  const removal =
    ids.length > 0 ? [...ifThen(removeReleasesTokens(p, ids), ['printf', 'cleaned\\n']), raw(';')] : [...emptyTrashTokens(p), raw(';')];
  const log = appendRevisionLog(p, entry, late);
  return write([...removal, ...ifThen(log.tokens, ['printf', 'logged\\n'])], {
    description: ids.length > 0 ? `remove ${ids.length} old release${ids.length === 1 ? '' : 's'}, ${log.description}` : log.description,
  });
}
