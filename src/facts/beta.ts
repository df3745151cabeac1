import { readBetaMarker, type BetaMarker } from '../commands/beta.js';
import type { Paths } from '../commands/paths.js';
import { isReleaseId } from '../commands/release.js';
import { fact, FactParseError, lines, type Fact } from './fact.js';

/** The host's beta marker, or null when it serves no beta. */
export function parseBetaMarker(stdout: string): BetaMarker | null {
  if (stdout.trim() === '') return null;
  const values = new Map<string, string>();
  for (const line of lines(stdout)) {
    const eq = line.indexOf('=');
    if (eq > 0) values.set(line.slice(0, eq), line.slice(eq + 1));
  }
  const release = values.get('release') ?? '';
  const live = values.get('live') ?? '';
  if (!isReleaseId(release)) throw new FactParseError('beta marker', `no release id in: ${stdout.slice(0, 200)}`, stdout);
  if (live !== '' && !isReleaseId(live)) throw new FactParseError('beta marker', `not a release id: live=${live}`, stdout);
  return { release, revision: values.get('revision') ?? '', live: live === '' ? null : live };
}

export const betaMarker = (p: Paths): Fact<BetaMarker | null> => fact(readBetaMarker(p), parseBetaMarker);
