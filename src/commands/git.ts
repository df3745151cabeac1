import { pipe, raw, read, write, type Command } from '../shell/command.js';
import type { Paths } from './paths.js';
import { ifThen, test } from './sh.js';

const SHA = /^(?:[0-9a-f]{40}|[0-9a-f]{64})$/;

export const isSha = (s: string): boolean => SHA.test(s);

export function assertSha(sha: string): string {
  if (!SHA.test(sha)) throw new Error(`not a full commit id: ${JSON.stringify(sha)}`);
  return sha;
}

function assertRef(ref: string): string {
  if (ref === '' || ref.startsWith('-')) throw new Error(`not a git ref: ${JSON.stringify(ref)}`);
  return ref;
}

const git = (p: Paths) => ['git', '--git-dir', p.repo];

/**
 * One idempotent command: refresh the bare mirror under `p.repo`, or clone it. A directory without HEAD is
 * a clone that died half-way, so it is removed and cloned again.
 */
export function updateMirror(p: Paths, repository: string): Command {
  return write(
    ifThen(
      test('-f', `${p.repo}/HEAD`),
      [...git(p), 'remote', 'set-url', 'origin', repository, raw('&&'), ...git(p), 'fetch', '--prune', 'origin'],
      ['rm', '-rf', p.repo, raw('&&'), 'git', 'clone', '--mirror', repository, p.repo],
    ),
    { description: `update the git mirror of ${repository}` },
  );
}

/** Prints the full commit id `ref` names in the mirror; fails when there is none. */
export const resolveRevision = (p: Paths, ref: string): Command =>
  read([...git(p), 'rev-parse', '--verify', `${assertRef(ref)}^{commit}`], {
    description: `resolve ${ref} to a commit`,
  });

/**
 * The tree of `sha` unpacked into the release. tar fails on an empty or cut-short stream, so a failed
 * `git archive` fails the pipe too.
 */
export const archiveRevision = (p: Paths, sha: string, releaseDir: string): Command =>
  pipe([write([...git(p), 'archive', assertSha(sha)]), write(['tar', '-x', '-f', '-', '-C', releaseDir])], {
    description: `unpack ${sha.slice(0, 12)} into the release`,
  });

export const writeRevision = (releaseDir: string, sha: string): Command =>
  write(['printf', '%s\\n', assertSha(sha), raw('>'), `${releaseDir}/REVISION`], {
    description: 'record the revision in REVISION',
    pure: true,
  });
