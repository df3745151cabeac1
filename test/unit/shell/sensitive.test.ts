import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { maskForms, maskSecrets, secretMasker } from '../../../src/shell/sensitive.js';
import { encodings, leakIn, SECRETS } from './secrets.js';

const ALL = Object.values(SECRETS);
const mask = secretMasker(ALL);

describe('secretMasker: every common encoding of every secret', () => {
  const cases = ALL.flatMap((s) =>
    Object.entries(encodings(s)).map(([name, text]) => [JSON.stringify(s.slice(0, 12)), name, text] as const),
  );
  it.each(cases)('%s %s', (_, __, text) => {
    const printed = `token=${text};`;
    const masked = mask(printed);
    expect(masked).toContain('***');
    expect(leakIn(masked, ALL), masked).toBeUndefined();
  });

  it('the value and each line of a multi-line one, as output arrives a line at a time', () => {
    expect(mask(`x ${SECRETS.QUOTED} y`)).toBe('x *** y');
    expect(SECRETS.KEY.split('\n').map(mask)).toEqual(['***', '***', '***', '***']);
    expect(mask(SECRETS.KEY)).toBe('***');
  });

  it('exactly the encoded value: the text around it stays', () => {
    expect(mask(`{"token":${JSON.stringify(SECRETS.QUOTED)},"n":1}`)).toBe('{"token":"***","n":1}');
    expect(mask(`GET /?t=${encodeURIComponent(SECRETS.UNICODE)}&page=2`)).toBe('GET /?t=***&page=2');
    expect(mask(`echo '${SECRETS.QUOTED}' | sh`)).toBe("echo '***' | sh");
  });

  it('a secret base64-encoded inside a longer text: all but the characters its neighbours share are masked', () => {
    const text = Buffer.from(`user:${SECRETS.QUOTED}@host`).toString('base64');
    const masked = mask(text);
    const [before, after] = masked.split('***');
    expect(before!.length).toBeLessThanOrEqual(Math.ceil((5 * 4) / 3) + 1);
    expect(after!.length).toBeLessThanOrEqual(Math.ceil((5 * 4) / 3) + 3);
  });

  it('leaves ordinary text alone: no tiny fragments of a multi-line secret, no short base64', () => {
    const m = secretMasker(['{\n  "k": "v"\n}', 'ab', '1']);
    expect(m('if (a) { return } else { x = "v" }')).toBe('if (a) { return } else { x = "v" }');
    expect(m('MQTT and YWI= stay')).toBe('MQTT and YWI= stay');
    expect(m('ab')).toBe('***');
    expect(maskForms(['{\n  "k": "v"\n}'])).not.toContain('}');
  });

  it('any secret, JSON-, URL-, HTML-escaped or shell-quoted, is masked whole', () => {
    const escapes = (s: string) => [
      JSON.stringify(s).slice(1, -1),
      encodeURIComponent(s),
      new URLSearchParams({ t: s }).toString().slice(2),
      s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;'),
      s.replace(/'/g, `'\\''`),
    ];
    fc.assert(
      fc.property(
        fc.string({ minLength: 1, maxLength: 24, unit: 'binary' }).filter((s) => !s.includes('*')),
        (s) => {
          const m = secretMasker([s]);
          for (const e of escapes(s)) expect(m(e), JSON.stringify(e)).toMatch(/^(\*\*\*)+$/);
        },
      ),
      { numRuns: 100 },
    );
  }, 20_000);

  // Catastrophic backtracking would not end: the test's timeout is the guard, not a measure of speed.
  it('a secret made to backtrack (runs of escape characters) masks long runs of those characters, and ends', () => {
    const m = secretMasker([`${'\\'.repeat(40)}X`, `${"'".repeat(40)}X`, `${'%25'.repeat(20)}X`, `${'&amp;'.repeat(20)}X`]);
    for (const text of [`${'\\'.repeat(20_000)}X`, `${"'\\''".repeat(5000)}X`, `${'%25'.repeat(7000)}X`, `${'&amp;'.repeat(4000)}X`]) {
      const masked = m(text);
      expect(masked.endsWith('***') || masked.endsWith('X')).toBe(true);
    }
    expect(m(`a ${'\\'.repeat(40)}X b`)).toBe('a *** b');
  }, 30_000);
});

describe('maskSecrets', () => {
  it('compiles once per list of secrets and follows a change of list', () => {
    expect(maskSecrets('a hunter2 b', ['hunter2'])).toBe('a *** b');
    expect(maskSecrets('a hunter2 b', ['other'])).toBe('a hunter2 b');
    expect(maskSecrets(`x${JSON.stringify('q"uote')}`, ['q"uote'])).toBe('x"***"');
    expect(maskSecrets('nothing', [])).toBe('nothing');
  });
});
