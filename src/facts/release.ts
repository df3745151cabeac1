import type { Paths } from '../commands/paths.js';
import { BAD_MARKER, FAILED_MARKER, isReleaseId } from '../commands/release.js';
import { ifThen, test, glob } from '../commands/sh.js';
import { raw, read } from '../shell/command.js';
import { quote } from '../shell/quote.js';
import { fact, lines, type Fact } from './fact.js';

/** Release ids, oldest first, from `ls -1 -p` (directories end in `/`; anything that is not a release is ignored). */
export function parseReleases(stdout: string): string[] {
  return lines(stdout)
    .filter((l) => l.endsWith('/'))
    .map((l) => l.slice(0, -1))
    .filter(isReleaseId)
    .sort();
}

export const listReleases = (p: Paths): Fact<string[]> =>
  fact(
    read(ifThen(test('-d', p.releases), ['ls', '-1', '-p', p.releases]), { description: 'list the releases' }),
    parseReleases,
  );

export interface MarkedReleases {
  /** Rolled back from: rollback skips them. */
  readonly bad: string[];
  /** Failed before they went live. */
  readonly failed: string[];
}

export function parseMarkedReleases(stdout: string): MarkedReleases {
  const bad: string[] = [];
  const failed: string[] = [];
  for (const line of lines(stdout)) {
    const [kind, id = ''] = line.split(' ', 2);
    if (!isReleaseId(id)) continue;
    if (kind === 'bad') bad.push(id);
    else if (kind === 'failed') failed.push(id);
  }
  return { bad: bad.sort(), failed: failed.sort() };
}

const markerCheck = (marker: string, kind: string) =>
  ifThen(test('-e', raw(`"$d"/${quote(marker)}`)), ['printf', `${kind} %s\\n`, raw('"${d##*/}"')]);

/** Prints `bad <id>` / `failed <id>` for each release holding a marker file. */
export const markedReleases = (p: Paths): Fact<MarkedReleases> =>
  fact(
    read(
      [
        raw('for'),
        'd',
        raw('in'),
        glob(p.releases, '*/'),
        raw(';'),
        raw('do'),
        raw('d=${d%/};'),
        ...markerCheck(BAD_MARKER, 'bad'),
        raw(';'),
        ...markerCheck(FAILED_MARKER, 'failed'),
        raw(';'),
        raw('done'),
      ],
      { description: 'find releases marked bad or failed' },
    ),
    parseMarkedReleases,
  );
