import { within } from '../commands/paths.js';
import { digestOf, ifThen, test } from '../commands/sh.js';
import { read } from '../shell/command.js';
import { fact, FactParseError, lines } from './fact.js';
/** The sha256 of the lockfile, or null when there is none. */
export function parseLockfileHash(stdout) {
    const first = lines(stdout)[0]?.trim() ?? '';
    if (first === '')
        return null;
    const m = /^([0-9a-f]{64})\b/.exec(first);
    if (!m?.[1])
        throw new FactParseError('lockfile hash', 'not sha256sum output', stdout);
    return m[1];
}
export const lockfileHash = (releaseDir, lockfile) => {
    const file = within(releaseDir, lockfile);
    return fact(read(ifThen(test('-f', file), ['printf', '%s\\n', digestOf(file)]), { description: `hash ${lockfile}` }), parseLockfileHash);
};
//# sourceMappingURL=install.js.map