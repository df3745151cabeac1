import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { quote } from '../../../src/shell/quote.js';
import { hostileString, SHELLS, shellNulSplit } from './hostile.js';

describe('quote', () => {
  const cases: [string, string][] = [
    ['', "''"],
    ['plain', 'plain'],
    ['/srv/app/releases/20240101000000', '/srv/app/releases/20240101000000'],
    ['git@github.com:acme/app.git', 'git@github.com:acme/app.git'],
    ['-rf', '-rf'],
    ['a b', "'a b'"],
    ["it's", "'it'\\''s'"],
    ["'", "''\\'''"],
    ['$HOME', "'$HOME'"],
    ['a=b', "'a=b'"],
    ['~', "'~'"],
    ['*', "'*'"],
    ['#', "'#'"],
    ['line\nbreak', "'line\nbreak'"],
    ['é', "'é'"],
  ];
  it.each(cases)('quote(%j) is %s', (input, expected) => expect(quote(input)).toBe(expected));

  it('throws on NUL, which no shell argument can hold', () => {
    expect(() => quote('a\0b')).toThrow(/NUL/);
    expect(() => quote('\0')).toThrow(/NUL/);
  });

  // Each sample runs real shells: on a loaded 2-core machine that can take longer than the default 5 s.
  describe.each(SHELLS)('round trip through %s', { timeout: 60_000 }, (shell) => {
    it('gives back 1,000+ hostile strings byte for byte', () => {
      let checked = 0;
      fc.assert(
        fc.property(fc.array(hostileString, { minLength: 40, maxLength: 60 }), (strings) => {
          const out = shellNulSplit(shell, `printf '%s\\0' ${strings.map(quote).join(' ')}`);
          expect(out).toEqual(strings);
          expect(Buffer.from(out.join('\0'), 'utf8').equals(Buffer.from(strings.join('\0'), 'utf8'))).toBe(true);
          checked += strings.length;
        }),
        { numRuns: 30 },
      );
      expect(checked).toBeGreaterThanOrEqual(1000);
    });

    it('keeps a quoted word one word, even next to raw shell text', () => {
      fc.assert(
        fc.property(hostileString, hostileString, (a, b) => {
          expect(shellNulSplit(shell, `set -- ${quote(a)} ${quote(b)}; printf '%s\\0' "$#" "$@"`)).toEqual(['2', a, b]);
        }),
        { numRuns: 50 },
      );
    });
  });
});
