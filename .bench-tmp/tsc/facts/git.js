import { resolveRevision } from '../commands/git.js';
import { fact, FactParseError, lines } from './fact.js';
const SHA = /^(?:[0-9a-f]{40}|[0-9a-f]{64})$/;
/** A full commit id as printed by `git rev-parse --verify`; null for no output. */
export function parseRevision(stdout) {
    const first = lines(stdout)[0]?.trim() ?? '';
    if (first === '')
        return null;
    if (!SHA.test(first))
        throw new FactParseError('revision', `not a commit id: ${first}`, stdout);
    return first;
}
export const resolvedRevision = (p, ref) => fact(resolveRevision(p, ref), parseRevision);
/** The commit of `refs/heads/<branch>` in `git ls-remote` output; null when the branch is not there. */
export function parseLsRemote(stdout, branch) {
    for (const line of lines(stdout)) {
        const [sha = '', ref] = line.split('\t');
        if (ref === `refs/heads/${branch}` && SHA.test(sha))
            return sha;
    }
    return null;
}
//# sourceMappingURL=git.js.map