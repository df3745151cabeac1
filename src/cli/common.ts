import { statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { InvalidArgumentError, Option, type Command } from 'commander';
import { isReleaseId } from '../commands/release.js';

// What every verb's declaration shares. This file is loaded for every command line, `deploy --help` included:
// it imports commander and nothing heavy (test/cli/startup.test.ts holds it to that).

export interface ConfigFlags {
  config: string;
}

export interface RunFlags extends ConfigFlags {
  roles?: string;
  hosts?: string;
  json?: boolean;
  verbose?: boolean;
  /** Overrides ssh.parallel (parsed by parseCount). */
  parallel?: number;
  /** Write the run's HTML report here. */
  report?: string;
  /** Why (`-m`): kept in the lock, run:start, the summary, the report and revisions.log. */
  message?: string;
}

/** How an action hands its exit code to `main`. */
export type Done = (code: number) => void;

/**
 * A verb's action, imported only when that verb runs, so that `deploy --help` and every other verb start without
 * compiling its code. `load` returns the action from the verb's module in src/cli/actions/; a number it returns
 * is the exit code.
 */
export function lazy<A extends unknown[]>(
  done: Done,
  // biome-ignore lint/suspicious/noConfusingVoidType: an action returns its exit code, or nothing when it ends in done()
  load: () => Promise<(...args: A) => Promise<number | void> | number | void>,
): (...args: A) => Promise<void> {
  return async (...args) => {
    const code = await (await load())(...args);
    if (typeof code === 'number') done(code);
  };
}

export const configOption = () => new Option('-c, --config <file>', 'the deploy.yml to use').default('deploy.yml');

export function withConfig(cmd: Command): Command {
  return cmd.addOption(configOption());
}

export function splitList(value: string | undefined): string[] | undefined {
  return value === undefined
    ? undefined
    : value
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean);
}

export const out = (text: string) => process.stdout.write(text.endsWith('\n') ? text : `${text}\n`);

// Flag values are parsed where commander reads them: a bad one is a usage error (exit 2) before anything runs.

/** No wait of a run is longer than a day; far longer ones would overflow Node's timers and fire at once. */
export const MAX_SECONDS = 86_400;

/** `30`, `2.5`: seconds from 0 to a day. */
export function parseSeconds(value: string): number {
  const n = Number(value);
  if (!/^\d+(?:\.\d+)?$/.test(value) || n > MAX_SECONDS) {
    throw new InvalidArgumentError(`expected a number of seconds from 0 to ${MAX_SECONDS}, such as 30`);
  }
  return n;
}

/** `--canary` with a value: seconds (`60`) or a share of the requests (`10%`, above 0 and below 100). */
export function parseCanary(value: string): number | { share: number } {
  const m = /^(\d+(?:\.\d+)?)%$/.exec(value);
  if (!m) {
    try {
      return parseSeconds(value);
    } catch {
      throw new InvalidArgumentError(`expected seconds (such as 60) or a share of the requests (such as 10%)`);
    }
  }
  const n = Number(m[1]);
  if (!(n > 0 && n < 100)) throw new InvalidArgumentError('expected a share of the requests above 0% and below 100%, such as 10%');
  return { share: n / 100 };
}

/** A whole number >= 1. */
export function parseCount(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || !(n >= 1) || !Number.isSafeInteger(n)) throw new InvalidArgumentError('expected a whole number >= 1');
  return n;
}

/** `web1,web2`: at least one name; whether each exists is checked against the stage (hosts/select.ts). */
export const parseNames =
  (what: string) =>
  (value: string): string => {
    const names = splitList(value) ?? [];
    if (names.length === 0) throw new InvalidArgumentError(`expected ${what} separated by commas`);
    return names.join(',');
  };

export function parseReleaseId(value: string): string {
  if (!isReleaseId(value)) throw new InvalidArgumentError('expected a release id as `deploy releases` lists them (YYYYMMDDHHMMSS)');
  return value;
}

/** A file to write at the end of a run: its directory must exist now, not only when the run is over. */
export function parseOutputFile(value: string): string {
  const dir = dirname(resolve(value));
  let isDir = false;
  try {
    isDir = statSync(dir).isDirectory();
  } catch {
    isDir = false;
  }
  if (value === '' || !isDir) throw new InvalidArgumentError(`expected a file in an existing directory (${dir} is not one)`);
  return value;
}

export function withSelection(cmd: Command): Command {
  return cmd
    .addOption(new Option('-r, --roles <roles>', 'only hosts with these roles (comma-separated)').argParser(parseNames('role names')))
    .addOption(new Option('-H, --hosts <hosts>', 'only these hosts (comma-separated names)').argParser(parseNames('host names')));
}

export function withOutput(cmd: Command): Command {
  return cmd
    .option('--json', 'NDJSON events on stdout, ending with a summary')
    .option('-v, --verbose', 'show every command and its output');
}

/** Adds the flags every stage verb shares: config, selection, output. */
export const stageVerb = (cmd: Command): Command => withConfig(withOutput(withSelection(cmd)));
