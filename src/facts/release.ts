import { isSha } from '../commands/git.js';
import type { Paths } from '../commands/paths.js';
import { BAD_MARKER, isReleaseId, releaseStateTokens } from '../commands/release.js';
import type { RevisionLogEntry } from '../commands/log.js';
import { ifThen, test, glob } from '../commands/sh.js';
import { raw, read } from '../shell/command.js';
import { quote } from '../shell/quote.js';
import { fact, lines, type Fact } from './fact.js';
import { parseRevisionLog } from './log.js';

/** Release ids, oldest first, from `ls -1 -p` (directories end in `/`; anything that is not a release is ignored). */
export function parseReleases(stdout: string): string[] {
  return lines(stdout)
    .filter((l) => l.endsWith('/'))
    .map((l) => l.slice(0, -1))
    .filter(isReleaseId)
    .sort();
}

export const listReleases = (p: Paths): Fact<string[]> =>
  fact(read(ifThen(test('-d', p.releases), ['ls', '-1', '-p', p.releases]), { description: 'list the releases' }), parseReleases);

/** Release ids that hold the bad marker (rolled back from: rollback skips them), one `bad <id>` line each. */
export function parseBadReleases(stdout: string): string[] {
  const bad: string[] = [];
  for (const line of lines(stdout)) {
    const [kind, id = ''] = line.split(' ', 2);
    if (kind === 'bad' && isReleaseId(id)) bad.push(id);
  }
  return bad.sort();
}

/** Prints `bad <id>` for each release holding the bad marker. */
export const badReleases = (p: Paths): Fact<string[]> =>
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
        ...ifThen(test('-e', raw(`"$d"/${quote(BAD_MARKER)}`)), ['printf', 'bad %s\\n', raw('"${d##*/}"')]),
        raw(';'),
        raw('done'),
      ],
      { description: 'find releases marked bad' },
    ),
    parseBadReleases,
  );

/** The releases of one host as a deploy sees them, read right after its lock was taken. */
export interface ReleaseState {
  /** The release `current` points to; null when there is no `current` (or it points to something else). */
  readonly current: string | null;
  /** What `current` points to, as `readlink` prints it; null when there is no `current` symlink. */
  readonly currentTarget: string | null;
  /** `current` points to a directory that does not exist. */
  readonly dangling: boolean;
  /** Release ids, oldest first. */
  readonly releases: readonly string[];
  /** Releases that never went live: not `current`, and no `deployed` or `rolled-back` line in revisions.log. */
  readonly leftovers: readonly string[];
  /** KiB of the leftovers and of `uploads/` (only when read with sizes). */
  readonly leftoverKiB: number;
  /** `uploads/` exists (a tarball of a run that did not finish, or an empty dir). */
  readonly uploads: boolean;
  /**
   * The `current` release when revisions.log (readable, or not there at all) has no `deployed`/`rolled-back` line
   * for it — its line was lost — with the revision its REVISION file names ('' when none): the run records it.
   */
  readonly unlogged: { readonly release: string; readonly revision: string } | null;
}

export function parseReleaseState(stdout: string): ReleaseState {
  let currentTarget: string | null = null;
  let dangling = false;
  const releases: string[] = [];
  const leftovers: string[] = [];
  let leftoverKiB = 0;
  let uploads = false;
  let unlogged: ReleaseState['unlogged'] = null;
  const kib = (v: string | undefined) => (v && /^\d+$/.test(v) ? Number(v) : 0);
  for (const line of lines(stdout)) {
    const [key, ...rest] = line.split(' ');
    if (key === 'current') currentTarget = rest.join(' ');
    else if (key === 'dangling') dangling = true;
    else if (key === 'release' && isReleaseId(rest[0] ?? '')) releases.push(rest[0]!);
    else if (key === 'leftover' && isReleaseId(rest[0] ?? '')) {
      leftovers.push(rest[0]!);
      leftoverKiB += kib(rest[1]);
    } else if (key === 'unlogged' && isReleaseId(rest[0] ?? '')) {
      unlogged = { release: rest[0]!, revision: isSha(rest[1] ?? '') ? rest[1]! : '' };
    } else if (key === 'uploads') {
      uploads = true;
      leftoverKiB += kib(rest[0]);
    }
  }
  const id = currentTarget?.replace(/\/+$/, '').split('/').pop() ?? '';
  const current = isReleaseId(id) ? id : null;
  return {
    current,
    currentTarget,
    dangling,
    releases: releases.sort(),
    leftovers: leftovers.sort(),
    leftoverKiB,
    uploads,
    unlogged: unlogged?.release === current ? unlogged : null,
  };
}

export const releaseState = (p: Paths, o: { sizes?: boolean } = {}): Fact<ReleaseState> =>
  fact(read(releaseStateTokens(p, o), { description: 'read the releases' }), parseReleaseState);

/** Everything about one host's releases that rollback, `releases` and `status` show. */
export interface HostReleases extends Pick<ReleaseState, 'current' | 'currentTarget' | 'dangling' | 'releases'> {
  /** Rolled back from: rollback skips them. */
  readonly bad: readonly string[];
  readonly log: readonly RevisionLogEntry[];
}

/** One round trip: the release state, the marked releases and the whole revision log (lines prefixed `log `). */
export const hostReleases = (p: Paths): Fact<HostReleases> =>
  fact(
    read(
      [
        ...releaseStateTokens(p),
        raw(';'),
        ...badReleases(p).command.tokens,
        raw(';'),
        ...ifThen(test('-f', p.revisionsLog), ['sed', 's/^/log /', p.revisionsLog]),
      ],
      { description: 'read the releases and the revision log' },
    ),
    parseHostReleases,
  );

export function parseHostReleases(stdout: string): HostReleases {
  const state = parseReleaseState(stdout);
  const log = parseRevisionLog(
    lines(stdout)
      .filter((l) => l.startsWith('log '))
      .map((l) => l.slice(4))
      .join('\n'),
  );
  return {
    current: state.current,
    currentTarget: state.currentTarget,
    dangling: state.dangling,
    releases: state.releases,
    bad: parseBadReleases(stdout),
    log: log.entries,
  };
}
