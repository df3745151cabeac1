import { drainedFile } from '../commands/drain.js';
import type { Paths } from '../commands/paths.js';
import { ifThen, test } from '../commands/sh.js';
import { read } from '../shell/command.js';
import { fact, lines, type Fact } from './fact.js';

/** When `deploy drain` took the host out (`2026-01-01T12:00:00Z`), or null when it did not. */
export function parseDrainedSince(stdout: string): string | null {
  const first = lines(stdout)[0]?.trim() ?? '';
  return /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/.test(first) ? first : null;
}

export const drainedSince = (p: Paths): Fact<string | null> =>
  fact(
    read(ifThen(test('-f', drainedFile(p)), ['cat', drainedFile(p)]), { description: 'read when the host was drained' }),
    parseDrainedSince,
  );
