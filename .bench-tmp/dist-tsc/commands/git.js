import { pipe, raw, read, write } from '../shell/command.js';
import { ifThen, test } from './sh.js';
const SHA = /^(?:[0-9a-f]{40}|[0-9a-f]{64})$/;
export function assertSha(sha) {
    if (!SHA.test(sha))
        throw new Error(`not a full commit id: ${JSON.stringify(sha)}`);
    return sha;
}
function assertRef(ref) {
    if (ref === '' || ref.startsWith('-'))
        throw new Error(`not a git ref: ${JSON.stringify(ref)}`);
    return ref;
}
const git = (p) => ['git', '--git-dir', p.repo];
/**
 * One idempotent command: refresh the bare mirror under `p.repo`, or clone it. A directory without HEAD is
 * a clone that died half-way, so it is removed and cloned again.
 */
export function updateMirror(p, repository) {
    return write(ifThen(test('-f', `${p.repo}/HEAD`), [...git(p), 'remote', 'set-url', 'origin', repository, raw('&&'), ...git(p), 'fetch', '--prune', 'origin'], ['rm', '-rf', p.repo, raw('&&'), 'git', 'clone', '--mirror', repository, p.repo]), { description: `update the git mirror of ${repository}` });
}
/** Prints the full commit id `ref` names in the mirror; fails when there is none. */
export const resolveRevision = (p, ref) => read([...git(p), 'rev-parse', '--verify', `${assertRef(ref)}^{commit}`], {
    description: `resolve ${ref} to a commit`,
});
/**
 * The tree of `sha` unpacked into the release. tar fails on an empty or cut-short stream, so a failed
 * `git archive` fails the pipe too.
 */
export const archiveRevision = (p, sha, releaseDir) => pipe([
    write([...git(p), 'archive', assertSha(sha)]),
    write(['tar', '-x', '-f', '-', '-C', releaseDir]),
], { description: `unpack ${sha.slice(0, 12)} into the release` });
export const writeRevision = (releaseDir, sha) => write(['printf', '%s\\n', assertSha(sha), raw('>'), `${releaseDir}/REVISION`], {
    description: 'record the revision in REVISION',
});
/** argv (no shell) for resolving a branch locally; exits 2 when the branch does not exist. */
export const lsRemote = (repository, branch) => Object.freeze(['git', 'ls-remote', '--exit-code', repository, `refs/heads/${assertRef(branch)}`]);
//# sourceMappingURL=git.js.map