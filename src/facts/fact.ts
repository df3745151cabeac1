import { DeployError } from '../errors.js';
import type { Command } from '../shell/command.js';

/** A read-only probe: the command to run and a pure parser of what it prints. */
export interface Fact<T> {
  readonly command: Command;
  parse(stdout: string): T;
}

export function fact<T>(command: Command, parse: (stdout: string) => T): Fact<T> {
  if (command.effect !== 'read') throw new Error(`a fact must be a read command: ${command.description ?? ''}`);
  return Object.freeze({ command, parse });
}

/** A host printed something a parser cannot make sense of. */
export class FactParseError extends DeployError {
  constructor(
    readonly fact: string,
    message: string,
    readonly output: string,
  ) {
    super(`${fact}: ${message}`);
  }
}

/** Output lines without the trailing empty line and without `\r` (some hosts' tools print CRLF). */
export const lines = (stdout: string): string[] =>
  stdout
    .split('\n')
    .map((l) => l.replace(/\r$/, ''))
    .filter((l, i, all) => !(l === '' && i === all.length - 1));
