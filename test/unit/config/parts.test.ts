import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseDotEnv } from '../../../src/config/dotenv.js';
import { interpolate, readPlain } from '../../../src/config/interpolate.js';
import { mergeStage } from '../../../src/config/merge.js';
import { formatPath } from '../../../src/config/path.js';
import { env as envSchema, plainEnv } from '../../../src/config/sections/env.js';
import { closest } from '../../../src/config/suggest.js';
import { decodeUtf8 } from '../../../src/config/yaml.js';

describe('interpolate', () => {
  const env: Record<string, string> = { HOST: 'db', EMPTY: '', PORT: '5432' };
  const lookup = (name: string) => env[name];

  it.each([
    ['no references', 'plain $HOME text', 'plain $HOME text'],
    ['a variable', 'postgres://${HOST}:${PORT}/x', 'postgres://db:5432/x'],
    ['a default for an unset variable', '${NOPE:-fallback}', 'fallback'],
    ['a default for an empty variable', '${EMPTY:-fallback}', 'fallback'],
    ['an empty variable without a default', '[${EMPTY}]', '[]'],
    ['a default with colons and spaces', '${NOPE:-a: b}', 'a: b'],
    ['an empty default', '${NOPE:-}', ''],
    ['an escaped reference', 'echo $${HOME} ${HOST}', 'echo ${HOME} db'],
  ])('%s', (_, text, expected) => {
    expect(interpolate(text, lookup)).toMatchObject({ ok: true, value: expected });
  });

  it.each([
    ['an unset variable', 'x ${NOPE} ${ALSO}', ['variable NOPE is not set', 'variable ALSO is not set']],
    ['a bad name', '${1X}', ['invalid reference `${1X}`']],
    ['an unterminated reference', 'a ${HOST', ['unterminated `${`']],
  ])('reports %s', (_, text, starts) => {
    const r = interpolate(text, lookup);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.errors.map((e, i) => e.startsWith(starts[i] ?? '?'))).toEqual(starts.map(() => true));
  });

  it.each([
    ['22', 22],
    ['-3', -3],
    ['true', true],
    ['false', false],
    ['0755', '0755'],
    ['1.10', '1.10'],
    ['True', 'True'],
    ['', ''],
    ['12345678901234567890', '12345678901234567890'],
  ])('reads the plain value %j as %j', (text, value) => {
    expect(readPlain(text)).toBe(value);
  });
});

describe('parseDotEnv', () => {
  it('reads names and values', () => {
    const { vars, problems } = parseDotEnv(
      ['# c', '', 'A=1', 'export B = two words ', 'C="q \\"x\\"\\n"', "D='$raw \\n'", 'E=v # note', 'F='].join('\n'),
    );
    expect(problems).toEqual([]);
    expect(vars).toEqual({ A: '1', B: 'two words', C: 'q "x"\n', D: '$raw \\n', E: 'v', F: '' });
  });
});

describe('mergeStage', () => {
  const base = { env: { A: '1', B: '2' }, health: { path: '/' }, rollout: ['web', 'db'], keep: null };
  const merged = mergeStage(base, { env: { B: '3' }, health: null, rollout: ['db'], hosts: [] }, 'prod');

  it('merges mappings, replaces lists, removes on null', () => {
    expect(merged.value).toEqual({ env: { A: '1', B: '3' }, rollout: ['db'], hosts: [] });
  });

  it('says where each value was written', () => {
    expect(merged.filePath(['env', 'A'])).toEqual(['env', 'A']);
    expect(merged.filePath(['env', 'B'])).toEqual(['stages', 'prod', 'env', 'B']);
    expect(merged.filePath(['rollout', 0])).toEqual(['stages', 'prod', 'rollout', 0]);
    expect(merged.filePath(['hosts', 0, 'name'])).toEqual(['stages', 'prod', 'hosts', 0, 'name']);
    expect(merged.filePath(['health', 'path'])).toEqual(['stages', 'prod', 'health', 'path']);
    expect(merged.filePath([])).toEqual([]);
  });
});

describe('closest', () => {
  const keys = ['keep_releases', 'deploy_to', 'repository', 'port', 'identity_file'];
  it.each([
    ['keep_release', 'keep_releases'],
    ['deployTo', 'deploy_to'],
    ['repo', 'repository'],
    ['reposiotry', 'repository'],
    ['prot', 'port'],
    ['identity', 'identity_file'],
    ['colour', undefined],
  ])('%s → %s', (word, expected) => {
    expect(closest(word, keys)).toBe(expected);
  });
});

describe('formatPath', () => {
  it('dots keys, brackets indexes and odd keys', () => {
    expect(formatPath(['stages', 'production', 'hosts', 1, 'roles', 0])).toBe('stages.production.hosts[1].roles[0]');
    expect(formatPath(['env', 'A.B'])).toBe('env["A.B"]');
    expect(formatPath([])).toBe('');
  });
});

describe('decodeUtf8', () => {
  const bytes = (...parts: (string | number[])[]) =>
    Uint8Array.from(parts.flatMap((p) => (typeof p === 'string' ? [...Buffer.from(p, 'utf8')] : p)));

  it('reads UTF-8, multi-byte characters included', () => {
    expect(decodeUtf8(bytes('app: café ✓ 😀\n'))).toEqual({ text: 'app: café ✓ 😀\n' });
  });

  it.each([
    ['Latin-1 é', bytes('a: 1\nb: caf', [0xe9], '\n'), { line: 2, column: 7, byte: 0xe9 }],
    ['a stray byte first', bytes([0xff], 'app: x\n'), { line: 1, column: 1, byte: 0xff }],
    ['a sequence cut short at the end', bytes('a: ', [0xe2, 0x9c]), { line: 1, column: 4, byte: 0xe2 }],
    ['an overlong encoding', bytes('a: ', [0xc0, 0xaf]), { line: 1, column: 4, byte: 0xc0 }],
    ['an encoded surrogate', bytes('a: ✓ ', [0xed, 0xa0, 0x80]), { line: 1, column: 6, byte: 0xed }],
  ])('names the line and column of %s', (_, input, where) => {
    expect(decodeUtf8(input)).toEqual(where);
  });
});

describe('env without zod (plainEnv) gives what the env schema gives', () => {
  const names = ['A', 'a_1', '_X', 'PATH', '1A', 'A-B', 'A B', '', 'É', '__proto__x'];
  const values = fc.oneof(
    fc.string(),
    fc.constantFrom('', '0755', 'true', '${X}'),
    fc.double(),
    fc.integer(),
    fc.constantFrom(0, -0, 2 ** 60, Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY),
    fc.boolean(),
    fc.constant(null),
    fc.constant({ secret: 's' }),
    fc.constant({ secret: 1 }),
    fc.constant([]),
  );

  it('generated mappings: the same strings where plainEnv reads them, and where it does not, zod alone decides', () => {
    let read = 0;
    fc.assert(
      fc.property(fc.dictionary(fc.constantFrom(...names), values, { maxKeys: 5 }), (mapping) => {
        const fast = plainEnv(mapping);
        const zod = envSchema.safeParse(mapping, { jitless: true });
        if (fast === undefined) return;
        read++;
        expect(zod.success).toBe(true);
        expect(fast).toEqual(zod.data);
      }),
      { numRuns: 3000, seed: 16 },
    );
    expect(read).toBeGreaterThan(300);
    expect(plainEnv('x')).toBeUndefined();
    expect(plainEnv([])).toBeUndefined();
  });
});
