import { describe, expect, it } from 'vitest';
import { isCI, outputMode } from '../../../src/output/select.js';

describe('outputMode', () => {
  const tty = { isTTY: true, columns: 120, live: true };
  it.each([
    [{ ...tty, env: {} }, 'terminal'],
    [{ ...tty, env: { CI: 'true' } }, 'plain'],
    [{ ...tty, env: { CI: '1' } }, 'plain'],
    [{ ...tty, env: { CI: 'false' } }, 'terminal'],
    [{ ...tty, env: { TERM: 'dumb' } }, 'plain'],
    [{ ...tty, env: {}, verbose: true }, 'plain'],
    [{ ...tty, env: {}, json: true }, 'json'],
    [{ ...tty, env: {}, live: false }, 'plain'],
    [{ ...tty, env: {}, columns: 0 }, 'plain'],
    [{ live: true, isTTY: false, env: {} }, 'plain'],
    [{ live: true, isTTY: false, env: { CI: 'true' }, json: true }, 'json'],
  ] as const)('%j → %s', (input, mode) => expect(outputMode(input)).toBe(mode));

  it('reads CI the way CI systems set it', () => {
    expect([isCI({ CI: 'true' }), isCI({ CI: '' }), isCI({ CI: 'FALSE' }), isCI({})]).toEqual([true, false, false, false]);
  });
});
