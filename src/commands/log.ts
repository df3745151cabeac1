import { raw, write, type Command } from '../shell/command.js';
import type { Paths } from './paths.js';

export type RevisionOutcome = 'deployed' | 'failed' | 'rolled-back';

/** Where a promoted release came from (`deploy promote <from> <to>`, or `deploy beta <stage> promote`). */
export interface PromotedFrom {
  readonly stage: string;
  readonly release: string;
  /** The git commit, or the artifact's sha256. */
  readonly revision: string;
  /** Set for an artifact: the sha256 of the very file that was uploaded. */
  readonly sha256?: string;
  /** `deploy beta … promote`: the beta of `release` on the same stage, rolled out under its own id. */
  readonly beta?: true;
}

export interface RevisionLogEntry {
  readonly release: string;
  readonly revision: string;
  readonly user: string;
  /** ISO 8601. */
  readonly time: string;
  readonly stage: string;
  readonly outcome: RevisionOutcome;
  /** Why (`-m`); absent when none was given. */
  readonly message?: string;
  /** Set for a release `deploy promote` brought from another stage. */
  readonly from?: PromotedFrom;
  /**
   * Written by a later run, which found the release live (`current`) with no line of its own (that line was lost):
   * `user` and `time` are that run's.
   */
  readonly late?: true;
}

/** One JSON line; `outcome` stays last: the release state read (commands/release.ts LIVE_LINE) finds live releases by it. */
function logLine(entry: RevisionLogEntry): string {
  const { release, revision, user, time, stage, outcome, message, from, late } = entry;
  return JSON.stringify({
    release,
    revision,
    user,
    time,
    stage,
    ...(message ? { message } : {}),
    ...(from ? { from } : {}),
    ...(late ? { late } : {}),
    outcome,
  });
}

/**
 * Appends one JSON line, after `late` (a live release the log lacks, see ReleaseState.unlogged) when given, in one
 * write; the JSON is a single quoted argument, never shell text.
 */
export function appendRevisionLog(p: Paths, entry: RevisionLogEntry, late?: RevisionLogEntry): Command {
  return write(['printf', '%s\\n', ...(late ? [logLine(late)] : []), logLine(entry), raw('>>'), p.revisionsLog], {
    description: `${late ? `log release ${late.release} as ${late.outcome} (recorded late), ` : ''}log release ${entry.release} as ${entry.outcome}`,
  });
}
