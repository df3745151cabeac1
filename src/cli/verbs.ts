import type { Command } from 'commander';
import type { RunMode } from '../tasks/context.js';
import { reportError } from './report.js';
import { openSession, type RunFlags, type Session } from './context.js';
import { withConfig } from './common.js';
import { withOutput, withSelection } from './deploy.js';

/** Adds the flags every stage verb shares: config, selection, output. */
export const stageVerb = (cmd: Command): Command => withConfig(withOutput(withSelection(cmd)));

/** Opens a session, runs `fn`, reports the outcome; the exit code becomes the process's. */
export async function runVerb<F extends RunFlags>(
  stage: string,
  flags: F,
  verb: string,
  fn: (session: Session) => Promise<void>,
  options: { mode?: RunMode; release?: string } = {},
): Promise<void> {
  const session = openSession(stage, flags, verb, options);
  let error: unknown;
  try {
    await fn(session);
  } catch (e) {
    error = e;
  }
  const code = await session.finish(error);
  if (error !== undefined) reportError(error);
  process.exitCode = code;
}
