import { raw, write, type Command } from '../shell/command.js';
import type { Paths } from './paths.js';

export type RevisionOutcome = 'deployed' | 'failed' | 'rolled-back';

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
}

/** Appends one JSON line; the JSON is a single quoted argument, never shell text. */
export function appendRevisionLog(p: Paths, entry: RevisionLogEntry): Command {
  const { release, revision, user, time, stage, outcome, message } = entry;
  // `outcome` stays last: the release state read (commands/release.ts LIVE_LINE) finds live releases by the line's end.
  const line = JSON.stringify({ release, revision, user, time, stage, ...(message ? { message } : {}), outcome });
  return write(['printf', '%s\\n', line, raw('>>'), p.revisionsLog], {
    description: `log release ${release} as ${outcome}`,
  });
}
