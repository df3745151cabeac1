import { describe, expect, it } from 'vitest';
import { fact, FactParseError, lines } from '../../../src/facts/fact.js';
import { parseRevision } from '../../../src/facts/git.js';
import { read, write } from '../../../src/shell/command.js';

describe('fact', () => {
  it('pairs a read with its parser, and refuses a write', () => {
    expect(fact(read(['true']), (s) => s.length).parse('abc')).toBe(3);
    expect(() => fact(write(['rm', 'x']), String)).toThrow(/read/);
  });

  const cases: [string, string[]][] = [
    ['', []],
    ['a', ['a']],
    ['a\n', ['a']],
    ['a\r\nb\r\n', ['a', 'b']],
    ['a\n\nb\n\n', ['a', '', 'b', '']],
  ];
  it.each(cases)('lines(%j)', (stdout, expected) => expect(lines(stdout)).toEqual(expected));

  it('FactParseError names the fact and keeps the output', () => {
    const error = (() => {
      try {
        parseRevision('nope\n');
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(FactParseError);
    expect((error as FactParseError).message).toBe('revision: not a commit id: nope');
    expect((error as FactParseError).output).toBe('nope\n');
  });
});
