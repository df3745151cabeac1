import { raw, write, type Command, type Token } from '../shell/command.js';
import type { Paths } from './paths.js';
import { LIVE_MARKER } from './release.js';

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
 * write; the JSON is a single quoted argument, never shell text. A release logged as live also gets LIVE_MARKER,
 * so that the release state reads its liveness without `sed` over the whole log.
 */
export function appendRevisionLog(p: Paths, entry: RevisionLogEntry, late?: RevisionLogEntry): Command {
  const entries = late ? [late, entry] : [entry];
  const marks: Token[] = entries
    .filter((e) => e.outcome !== 'failed')
    .flatMap((e) => [raw('true'), raw('>'), `${p.release(e.release)}/${LIVE_MARKER}`, raw(';')]);
  // Marked only once the line is written; a mark that cannot be written (no release dir) leaves the log to ask.
  // `true`, not `:`: a failed redirection of a special built-in ends a POSIX shell.
  const mark: Token[] = marks.length > 0 ? [raw('&&'), raw('{ {'), ...marks, raw('} 2>/dev/null || :; }')] : [];
  return write(['printf', '%s\\n', ...entries.map(logLine), raw('>>'), p.revisionsLog, ...mark], {
    description: `${late ? `log release ${late.release} as ${late.outcome} (recorded late), ` : ''}log release ${entry.release} as ${entry.outcome}`,
  });
}
