// Shell grammar shared by the builders: keywords and operators are Raw, every value stays a quoted token.
import { raw } from '../shell/command.js';
import { quote } from '../shell/quote.js';
export const test = (...args) => [raw('['), ...args, raw(']')];
export function ifThen(cond, then, otherwise) {
    return [
        raw('if'),
        ...cond,
        raw(';'),
        raw('then'),
        ...then,
        raw(';'),
        ...(otherwise ? [raw('else'), ...otherwise, raw(';')] : []),
        raw('fi'),
    ];
}
/** `'quoted dir'/*`: a quoted prefix the shell still globs after. */
export const glob = (dir, pattern) => raw(`${quote(dir)}/${pattern}`);
/** `"$(cat 'file' 2>/dev/null)"`: a file's content as one word, empty when it is missing. */
export const contentOf = (file) => raw(`"$(cat ${quote(file)} 2>/dev/null)"`);
/** `"$(sha256sum < 'file')"`: the file's digest as one word (with a `  -` suffix, the same for every file). */
export const digestOf = (file) => raw(`"$(sha256sum < ${quote(file)})"`);
//# sourceMappingURL=sh.js.map