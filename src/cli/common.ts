import { statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { InvalidArgumentError, Option, type Command } from 'commander';
import { isReleaseId } from '../commands/release.js';
import { loadConfig } from '../config/load.js';
import type { Config } from '../config/types.js';

export interface ConfigFlags {
  config: string;
}

export const configOption = () =>
  new Option('-c, --config <file>', 'the deploy.yml to use').default('deploy.yml');

export function withConfig(cmd: Command): Command {
  return cmd.addOption(configOption());
}

export function loadStage(flags: ConfigFlags, stage: string): Config {
  return loadConfig({ file: resolve(flags.config), stage, env: process.env, cwd: process.cwd() });
}

export function splitList(value: string | undefined): string[] | undefined {
  return value === undefined ? undefined : value.split(',').map((s) => s.trim()).filter(Boolean);
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
export const parseNames = (what: string) => (value: string): string => {
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
  return cmd.option('--json', 'NDJSON events on stdout, ending with a summary').option('-v, --verbose', 'show every command and its output');
}
