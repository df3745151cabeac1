import { execFileSync } from 'node:child_process';
import fc from 'fast-check';

/** Pieces that mean something to a shell, plus text that only looks odd. */
const FRAGMENTS = [
  "'",
  '"',
  "'\\''",
  '$(',
  ')',
  '$(id)',
  '`',
  '`id`',
  ';',
  '&&',
  '||',
  '|',
  '&',
  '\n',
  '\r',
  '\t',
  ' ',
  '  ',
  '*',
  '?',
  '[',
  ']',
  '[a-z]',
  '{a,b}',
  '~',
  '~root',
  '=',
  '!',
  '!!',
  '#',
  '-',
  '--',
  '-n',
  '-e',
  '\\',
  '\\n',
  '$',
  '$HOME',
  '${HOME}',
  '$1',
  '$@',
  '$*',
  '$?',
  '$$',
  '%s',
  '%',
  '%%',
  '<',
  '>',
  '>>',
  '2>&1',
  '(',
  ')',
  '{',
  '}',
  '^',
  ',',
  '.',
  '..',
  '/',
  'é',
  'ß',
  '😀',
  '𝒳',
  '\u2028',
  '\u00a0',
  '\u0007',
  '\u001b[31m',
  'a',
  'Z',
  '0',
  'if',
  'then',
  'fi',
  'done',
];

const noNul = (s: string) => s.replace(/\0/g, '');

/** NUL-free strings a shell could misread: metacharacters, quotes, newlines, globs, unicode incl. astral. */
export const hostileString: fc.Arbitrary<string> = fc.oneof(
  { weight: 4, arbitrary: fc.string({ unit: fc.constantFrom(...FRAGMENTS), maxLength: 12 }) },
  { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 16 }).map(noNul) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary-ascii', maxLength: 16 }).map(noNul) },
  { weight: 1, arbitrary: fc.string({ unit: 'grapheme', maxLength: 8 }) },
  { weight: 1, arbitrary: fc.constantFrom('', ' ', '-', '--', '-n', '~', '*', '?', '[', '!', '#', 'a=b', "'", '"', '\n') },
);

/** Runs `script` in a shell and splits what it printed on NUL. */
export function shellNulSplit(shell: string, script: string, options: { cwd?: string } = {}): string[] {
  const out = execFileSync(shell, ['-c', script], { ...options, maxBuffer: 64 * 1024 * 1024 }).toString('utf8');
  const parts = out.split('\0');
  parts.pop();
  return parts;
}

/** The POSIX shells on this machine: dash (Debian's sh) always, bash when present. */
export const SHELLS = [
  'sh',
  ...['bash'].filter((s) => {
    try {
      execFileSync(s, ['-c', 'true']);
      return true;
    } catch {
      return false;
    }
  }),
];
