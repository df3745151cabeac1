import { resolveRevision } from '../commands/git.js';
import type { Paths } from '../commands/paths.js';
import { fact, FactParseError, lines, type Fact } from './fact.js';

const SHA = /^(?:[0-9a-f]{40}|[0-9a-f]{64})$/;

/** A full commit id as printed by `git rev-parse --verify`; null for no output. */
export function parseRevision(stdout: string): string | null {
  const first = lines(stdout)[0]?.trim() ?? '';
  if (first === '') return null;
  if (!SHA.test(first)) throw new FactParseError('revision', `not a commit id: ${first}`, stdout);
  return first;
}

export const resolvedRevision = (p: Paths, ref: string): Fact<string | null> => fact(resolveRevision(p, ref), parseRevision);
