import { write, type Command } from '../shell/command.js';
import type { Paths } from './paths.js';

/** Marker left in a release that failed before it went live. */
export const FAILED_MARKER = '.deploy-failed';
/** Marker left in a release that was rolled back from; rollback skips it. */
export const BAD_MARKER = '.deploy-bad';

const RELEASE_ID = /^\d{14}$/;

export const isReleaseId = (s: string): boolean => RELEASE_ID.test(s);

export function assertReleaseId(id: string): string {
  if (!isReleaseId(id)) throw new Error(`not a release id (YYYYMMDDHHMMSS): ${JSON.stringify(id)}`);
  return id;
}

/** `YYYYMMDDHHMMSS` in UTC: sorts as it ages. Made once, locally, for the whole fleet. */
export function releaseId(now: Date): string {
  if (Number.isNaN(now.getTime())) throw new Error('releaseId: invalid date');
  const year = now.getUTCFullYear();
  if (year < 1000 || year > 9999) throw new Error(`releaseId: year out of range: ${year}`);
  const two = (n: number) => String(n).padStart(2, '0');
  return (
    String(year) +
    two(now.getUTCMonth() + 1) +
    two(now.getUTCDate()) +
    two(now.getUTCHours()) +
    two(now.getUTCMinutes()) +
    two(now.getUTCSeconds())
  );
}

export function releaseDir(p: Paths, id: string): string {
  return p.release(assertReleaseId(id));
}

export const createRelease = (p: Paths, id: string): Command =>
  write(['mkdir', '-p', releaseDir(p, id)], { description: `create release ${id}` });

export const removeRelease = (p: Paths, id: string): Command =>
  write(['rm', '-rf', releaseDir(p, id)], { description: `remove release ${id}` });

export const markFailed = (p: Paths, id: string): Command =>
  write(['touch', `${releaseDir(p, id)}/${FAILED_MARKER}`], { description: `mark release ${id} failed` });

export const markBad = (p: Paths, id: string): Command =>
  write(['touch', `${releaseDir(p, id)}/${BAD_MARKER}`], { description: `mark release ${id} bad` });
