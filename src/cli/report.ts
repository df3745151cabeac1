import { CommanderError } from 'commander';
import { DeployError, ExitCode } from '../errors.js';

/** Prints an error for people (what, where, what next) and returns its exit code. */
export function reportError(e: unknown, stderr: NodeJS.WritableStream = process.stderr): number {
  if (e instanceof CommanderError) {
    if (e.code === 'commander.helpDisplayed' || e.code === 'commander.version' || e.code === 'commander.help') return 0;
    return ExitCode.config;
  }
  if (e instanceof DeployError) {
    stderr.write(`error: ${e.message}\n`);
    if (e.hint) stderr.write(`${e.hint.replace(/^/gm, '  ')}\n`);
    return e.exitCode;
  }
  stderr.write(`internal error: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  return ExitCode.internal;
}
