// Shell grammar shared by the builders: keywords and operators are Raw, every value stays a quoted token.
import { raw, type Raw, type Token } from '../shell/command.js';
import { quote } from '../shell/quote.js';

export const test = (...args: Token[]): Token[] => [raw('['), ...args, raw(']')];

export function ifThen(cond: readonly Token[], then: readonly Token[], otherwise?: readonly Token[]): Token[] {
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

/**
 * `mkdir -p` of `dirs` unless each is a directory already: the shell's `[` starts no program, and on every deploy
 * but the first they all exist.
 */
export function makeDirs(...dirs: string[]): Token[] {
  if (dirs.length === 0) throw new Error('makeDirs: no directory');
  return [...dirs.flatMap((d, i) => [...(i > 0 ? [raw('&&')] : []), ...test('-d', d)]), raw('||'), 'mkdir', '-p', ...dirs];
}

/** `rm -rf` of `path` unless nothing is there: the shell's `[` starts no program, and usually nothing is. */
export const removeIfThere = (path: string): Token[] => [
  raw('{'),
  ...test(raw('!'), '-e', path),
  raw('||'),
  'rm',
  '-rf',
  path,
  raw(';'),
  raw('}'),
];

/** `'quoted dir'/*`: a quoted prefix the shell still globs after. */
export const glob = (dir: string, pattern: string): Raw => raw(`${quote(dir)}/${pattern}`);

/** `"$(cat 'file' 2>/dev/null)"`: a file's content as one word, empty when it is missing. */
export const contentOf = (file: string): Raw => raw(`"$(cat ${quote(file)} 2>/dev/null)"`);

/** `"$(sha256sum < 'file')"`: the file's digest as one word (with a `  -` suffix, the same for every file). */
export const digestOf = (file: string): Raw => raw(`"$(sha256sum < ${quote(file)})"`);
