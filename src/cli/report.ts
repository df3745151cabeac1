import { CommanderError } from 'commander';
import { DeployError, ExitCode } from '../errors.js';
import { secretMasker } from '../shell/sensitive.js';

export interface ReportOptions {
  /** Secret values to mask in the message (the config's, when one was loaded). */
  readonly secrets?: readonly string[];
  readonly stderr?: NodeJS.WritableStream;
  /** -v: an internal error comes with its stack trace. */
  readonly verbose?: boolean;
}

/** Prints an error for people (what, where, what next), secrets masked, and returns its exit code. */
export function reportError(e: unknown, options: ReportOptions = {}): number {
  const stderr = options.stderr ?? process.stderr;
  const mask = secretMasker(options.secrets ?? []);
  if (e instanceof CommanderError) {
    if (e.code === 'commander.helpDisplayed' || e.code === 'commander.version' || e.code === 'commander.help') return 0;
    return ExitCode.config;
  }
  if (e instanceof DeployError) {
    stderr.write(`error: ${mask(e.message)}\n`);
    if (e.hint) stderr.write(`${mask(e.hint).replace(/^/gm, '  ')}\n`);
    return e.exitCode;
  }
  const text = e instanceof Error ? (options.verbose ? (e.stack ?? e.message) : e.message) : String(e);
  stderr.write(`internal error: ${mask(text)}\n`);
  stderr.write(
    `  This is a bug in deploy: please report it${options.verbose ? ', with the trace above' : ' (run again with -v for its stack trace)'}.\n`,
  );
  return ExitCode.internal;
}
