import { describe, expect, it } from 'vitest';
import type { Fact } from '../../../src/facts/fact.js';
import { render } from '../../../src/shell/command.js';

/** A parser case: canned output in, the parsed value out, or `fails(message)` for what it must throw. */
export type ParseCase = readonly [name: string, stdout: string, expected: unknown];

export const fails = (message: string): Error => new Error(message);

/**
 * The one runner for parsers. Every parser must also read empty output without throwing: that is what a
 * `plan` run, which touches no host, hands it.
 */
export function parses(subject: string, parse: (stdout: string) => unknown, cases: readonly ParseCase[]): void {
  describe(subject, () => {
    it.each(cases)('%s', (_name, stdout, expected) => {
      if (expected instanceof Error) expect(() => parse(stdout)).toThrow(expected.message);
      else expect(parse(stdout)).toEqual(expected);
    });
    it('reads empty output', () => expect(() => parse('')).not.toThrow());
  });
}

/** Fact commands: each a read, rendering to exactly the expected text. */
export function probes(cases: readonly (readonly [name: string, fact: Fact<unknown>, expected: string])[]): void {
  it.each(cases)('%s is a read that renders exactly', (_name, f, expected) => {
    expect(f.command.effect).toBe('read');
    expect(render(f.command)).toBe(expected);
  });
}
