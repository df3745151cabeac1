import type { Command } from 'commander';
import { secretValues } from '../config/printable.js';
import type { EventSink } from '../output/events.js';
import { plainRenderer } from '../output/plain.js';
import type { RunMode } from '../tasks/context.js';
import { reportError } from './report.js';
import { openSession, type RunFlags, type Session } from './context.js';
import { withConfig } from './common.js';
import { withOutput, withSelection } from './deploy.js';

/** Adds the flags every stage verb shares: config, selection, output. */
export const stageVerb = (cmd: Command): Command => withConfig(withOutput(withSelection(cmd)));

/**
 * Verbs that print data (status, releases, run…) keep stdout for it: progress goes to stderr, and only
 * warnings and failures unless --verbose.
 */
export function querySink(flags: RunFlags): EventSink {
  const plain = plainRenderer({ write: (l) => process.stderr.write(`${l}\n`), verbose: flags.verbose ?? false });
  if (flags.verbose) return plain;
  return (e) => (e.type === 'warning' || (e.type === 'host:end' && !e.ok) ? plain(e) : undefined);
}

/** Opens a session, runs `fn`, reports the outcome; the exit code becomes the process's. */
export async function runVerb<F extends RunFlags>(
  stage: string,
  flags: F,
  verb: string,
  fn: (session: Session) => Promise<void>,
  options: { mode?: RunMode; run?: string; query?: boolean } = {},
): Promise<void> {
  const session = openSession(stage, flags, verb, { ...options, sink: options.query ? querySink(flags) : undefined });
  let error: unknown;
  try {
    await fn(session);
  } catch (e) {
    error = e;
  }
  const code = await session.finish(error);
  if (error !== undefined) reportError(error, { secrets: secretValues(session.ctx.config) });
  process.exitCode = code;
}
