import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { KeyPath } from '../../../src/config/path.js';
import { type BlockStats, readBlockYaml } from '../../../src/config/yaml-block.js';
import { parseYaml } from '../../../src/config/yaml-library.js';
import { toPlain } from '../../../src/config/yaml-plain.js';
import { LineIndex, readYaml, type ParsedYaml } from '../../../src/config/yaml.js';
import type { YamlNode } from '../../../src/config/yaml-node.js';

const root = fileURLToPath(new URL('../../../', import.meta.url));

/** Every YAML file of the repository (node_modules and .git aside). */
function yamlFiles(dir = root): string[] {
  return readdirSync(dir).flatMap((name) => {
    if (name === 'node_modules' || name === '.git' || name === 'dist' || name.startsWith('.')) return [];
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return yamlFiles(path);
    return /\.ya?ml$/.test(name) ? [path] : [];
  });
}

/** Multi-line template literals without substitutions in the tests: the deploy.yml texts they write, and more. */
function testTexts(dir = join(root, 'test')): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return testTexts(path);
    if (!name.endsWith('.ts')) return [];
    return [...readFileSync(path, 'utf8').matchAll(/`([^`$\\]*\n[^`$\\]*)`/g)].map((m) => m[1]!);
  });
}

/** A node tree as data: an alias by its name and where its target starts, so that a cycle is no problem. */
function shape(node: YamlNode | null): unknown {
  if (node === null) return null;
  switch (node.kind) {
    case 'scalar':
      return { scalar: node.value, offset: node.offset, plain: node.plain };
    case 'alias':
      return { alias: node.name, offset: node.offset, target: node.target ? [node.target.kind, node.target.offset] : null };
    case 'seq':
      return { seq: node.items.map(shape), offset: node.offset };
    case 'map':
      return { map: node.pairs.map((p) => [shape(p.key), shape(p.value)]), offset: node.offset };
  }
}

/** Every key path of a converted value, with the line and column its key and value are placed at. */
function positions(parsed: ParsedYaml): unknown {
  const { value, spans, problems } = toPlain(parsed, (n) => n.value);
  const out: [string, unknown, unknown][] = [];
  const walk = (v: unknown, path: KeyPath) => {
    out.push([JSON.stringify(path), spans.position(path, 'key'), spans.position(path)]);
    if (path.length > 20) return;
    if (Array.isArray(v)) v.forEach((x, i) => walk(x, [...path, i]));
    else if (v !== null && typeof v === 'object') for (const [k, x] of Object.entries(v)) walk(x, [...path, k]);
  };
  walk(value, []);
  return { value, out, problems };
}

/**
 * The block reader either gives up, or gives exactly the library's nodes (values, offsets, alias targets) for a
 * text the library reads without a problem; and both convert to the same values at the same positions.
 */
function agree(text: string): 'block' | 'library' {
  const block = readBlockYaml(text);
  if (block === undefined) return 'library';
  const library = parseYaml(text);
  expect(library.syntaxErrors, `the block reader read a text the library refuses:\n${text}`).toEqual([]);
  expect(shape(block.root), text).toEqual(shape(library.root));
  const lines = new LineIndex(text);
  const ours: ParsedYaml = { root: block.root, lines, syntaxErrors: [], reader: 'block' };
  const theirs: ParsedYaml = { root: library.root, lines, syntaxErrors: [], reader: 'library' };
  expect(positions(ours), text).toEqual(positions(theirs));
  return 'block';
}

/**
 * The same text with CRLF line ends: read by the block reader when its LF text is, and then the same values at the
 * same lines and columns as the library reads from the CRLF text itself.
 */
function agreeCrlf(text: string): 'block' | 'library' {
  const crlf = text.replace(/\r?\n/g, '\r\n');
  const ours = readYaml(crlf);
  if (ours.reader === 'library') return 'library';
  const library = parseYaml(crlf);
  expect(library.syntaxErrors, `the block reader read a CRLF text the library refuses:\n${text}`).toEqual([]);
  const theirs: ParsedYaml = { root: library.root, lines: new LineIndex(crlf), syntaxErrors: [], reader: 'library' };
  // Offsets differ by the \r's before them; problems are compared where they are shown, at a line and column.
  const placed = (parsed: ParsedYaml) => {
    const { problems, ...rest } = positions(parsed) as { problems: { offset: number }[] };
    return { ...rest, problems: problems.map(({ offset, ...p }) => ({ ...p, at: parsed.lines.linePos(offset) })) };
  };
  expect(placed(ours), text).toEqual(placed(theirs));
  return 'block';
}

describe('the block YAML reader gives what the yaml library gives', () => {
  const files = yamlFiles();

  it.each(files.map((f) => relative(root, f)))('%s', (file) => {
    agree(readFileSync(join(root, file), 'utf8'));
  });

  it('with CRLF line ends: the example, the recipes and the good fixtures still read by the block reader, with the library’s values and places', () => {
    const own = files.filter((f) => agreeCrlf(readFileSync(f, 'utf8')) === 'block').map((f) => relative(root, f));
    expect(own).toEqual(expect.arrayContaining(['deploy.example.yml', 'recipes/node.yml', 'fixtures/configs/good/full.yml']));
    // A lone \r is not a CRLF line end: that text is the library's.
    expect(readYaml('app: shop\renv: {}\n').reader).toBe('library');
  });

  it('reads the example, the recipes and the good fixtures itself (so that the comparison above compares)', () => {
    const own = files.filter((f) => agree(readFileSync(f, 'utf8')) === 'block').map((f) => relative(root, f));
    expect(own).toEqual(
      expect.arrayContaining([
        'deploy.example.yml',
        'recipes/node.yml',
        'recipes/django.yml',
        'fixtures/configs/good/full.yml',
        'fixtures/configs/good/anchors.yml',
        'fixtures/demo/deploy.yml',
      ]),
    );
    // Most malformed fixtures are for the library to explain; the rest are block YAML with a bad value.
    expect(own.length).toBeGreaterThan(40);
    expect(readYaml(readFileSync(join(root, 'deploy.example.yml'), 'utf8')).reader).toBe('block');
  });

  it('the multi-line texts in the tests (deploy.yml files, scripts, and code between two backticks)', () => {
    const texts = testTexts();
    expect(texts.length).toBeGreaterThan(100);
    for (const text of texts) agree(text);
  });

  // Scalars of every kind the core schema types, the quoting rules, and what is close to an indicator.
  const scalars = [
    'null',
    '~',
    'Null',
    'NULL',
    'nULL',
    'true',
    'True',
    'TRUE',
    'tRUE',
    'false',
    'FALSE',
    'yes',
    'no',
    'on',
    'off',
    '0',
    '-0',
    '+0',
    '007',
    '0o17',
    '0o19',
    '0x1F',
    '0X1F',
    '0xg',
    '-12',
    '+3',
    '1_000',
    '1.5',
    '.5',
    '5.',
    '-.5',
    '1e3',
    '1E-3',
    '+1.5e+3',
    '.inf',
    '-.Inf',
    '+.INF',
    '.nan',
    '.NaN',
    'NaN',
    'inf',
    '12:30',
    '1.10',
    '0755',
    '2024-01-01',
    'a b',
    'a#b',
    'a #b',
    'a: b',
    'a:b',
    'http://x:80/p?q=1#f',
    '-main',
    '- main',
    '?x',
    '? x',
    ':x',
    ': x',
    '<<',
    '@x',
    '`x`',
    '%x',
    '!x',
    '!!str 1',
    '&a x',
    '*a',
    '*b',
    '|',
    '>',
    'x]',
    'x}',
    'x,y',
    '[a, b]',
    '[a,b]',
    '[ ]',
    '[]',
    '{}',
    '{ a: 1 }',
    '{a: 1}',
    '{ a:1 }',
    '{ <<: *a, b: 2 }',
    '[a, [b, {c: d}], "e, f"]',
    '[a, ]',
    '[a b, c]',
    '{ a: [1, 2] }',
    '"q"',
    '"q\\"x"',
    '"\\x41\\u00e9\\U0001F600"',
    '"\\t\\n\\0\\e\\N\\_\\L\\P\\ \\/"',
    '"\\q"',
    '"\\x4"',
    '"a',
    "'a",
    "'it''s'",
    "'a\\b'",
    '""',
    "''",
    '"a" # c',
    "'a'b'",
    '"#"',
    'x # comment',
    'x #',
    '#x',
    'é ü',
    '日本',
    'a\tb',
    '${VAR}',
    '${VAR:-x y}',
    'a  b  ',
    '-',
    '--',
    '---',
    '...',
    'a...',
    '- - a',
    '1 2',
    "'",
    '"',
  ];
  const keys = [
    'a',
    'b',
    'x-y',
    'A_B',
    '1',
    'true',
    'null',
    '~',
    '<<',
    '"q k"',
    "'s k'",
    '"a": 1',
    'a b',
    '?',
    '-a',
    '@k',
    '&k a',
    '*k',
    'k:x',
  ];
  const indent = (n: number) => ' '.repeat(n);

  /** A document of the shapes deploy.yml files have, from fast-check's choices; mostly valid, sometimes not. */
  const documentArb = fc.letrec<{ node: string; doc: string }>((tie) => ({
    node: fc.oneof(
      { depthSize: 'small', withCrossShrink: true },
      fc.constantFrom(...scalars).map((s) => ` ${s}`),
      fc.constantFrom(...scalars).map((s) => `  ${s}  # trailing`),
      fc.tuple(fc.constantFrom('a', 'b', 'k'), fc.constantFrom(...scalars)).map(([a, s]) => ` &${a} ${s}`),
      fc.constantFrom('', ' # empty', '   '),
      fc
        .tuple(
          fc.constantFrom('|', '|-', '|+', '| # c', '|2', '>'),
          fc.array(fc.constantFrom('line', '  more', '', '# not a comment', '   ', 'x: y'), { minLength: 0, maxLength: 4 }),
          fc.constantFrom(0, 1, 2),
        )
        .map(([h, lines, extra]) => ` ${h}\n${lines.map((l) => (l === '' ? '' : `${indent(2 + extra)}${l}`)).join('\n')}`),
      tie('doc').map((d) => `\n${d.replace(/^(?=.)/gm, '  ')}`),
      tie('doc').map((d) => ` &a\n${d.replace(/^(?=.)/gm, '  ')}`),
      tie('doc').map((d) => `\n${d.replace(/^(?=.)/gm, ' ')}`),
    ),
    doc: fc.oneof(
      { depthSize: 'small', withCrossShrink: true },
      fc
        .array(fc.tuple(fc.constantFrom(...keys), tie('node'), fc.constantFrom('', '\n', '\n# comment\n', '\n   \n')), {
          minLength: 1,
          maxLength: 5,
        })
        .map((entries) =>
          entries
            .map(([k, v, gap]) => `${k}:${v}\n${gap}`)
            .join('')
            .replace(/\n+$/, '\n'),
        ),
      fc
        .array(fc.tuple(tie('node'), fc.constantFrom('', '\n', '  # c\n')), { minLength: 1, maxLength: 4 })
        .map((items) => items.map(([v, gap]) => `-${v}\n${gap}`).join('')),
      fc
        .array(fc.tuple(fc.constantFrom(...keys), fc.constantFrom(...scalars)), { minLength: 1, maxLength: 3 })
        .map((entries) => `- ${entries.map(([k, s], i) => `${i === 0 ? '' : '  '}${k}: ${s}`).join('\n')}\n`),
      fc.constantFrom(...scalars).map((s) => `k:\n- ${s}\n- ${s}\nz: 1\n`),
    ),
  }));

  it('generated documents: the reader gives up, or agrees with the library', { timeout: 120_000 }, () => {
    let read = 0;
    fc.assert(
      fc.property(documentArb.doc, (doc) => {
        if (agree(doc) === 'block') read++;
        // Without the last line break, and with blank lines after it (how literals end at the end of a file).
        agree(doc.replace(/\n$/, ''));
        agree(`${doc}\n  \n\n`);
        agreeCrlf(doc);
      }),
      { numRuns: 3000, seed: 16 },
    );
    // The generator must reach the reader's own ground often, or this test would compare nothing.
    expect(read).toBeGreaterThan(300);
  });

  it('generated documents with a character changed, added or removed anywhere', { timeout: 120_000 }, () => {
    const change = fc.tuple(
      documentArb.doc,
      fc.nat(),
      fc.constantFrom('', ' ', '\n', ':', '-', '#', '"', "'", '\t', '&', '*', '[', '{', ']', ',', '\\', '|', '  '),
      fc.boolean(),
    );
    let read = 0;
    fc.assert(
      fc.property(change, ([doc, at, c, replace]) => {
        const i = at % (doc.length + 1);
        const text = doc.slice(0, i) + c + doc.slice(replace ? i + 1 : i);
        if (agree(text) === 'block') read++;
      }),
      { numRuns: 3000, seed: 11 },
    );
    expect(read).toBeGreaterThan(300);
  });
});

describe('the block reader is linear in its input', () => {
  const envFile = (n: number) => `app: shop\nenv:\n${Array.from({ length: n }, (_, i) => `  VAR_${i}: "value-${i}" # ${i}\n`).join('')}`;
  const work = (text: string) => {
    const stats: BlockStats = { work: 0 };
    expect(readBlockYaml(text, stats)).toBeDefined();
    return stats.work;
  };

  it('4 times the keys, 4 times the work (characters and lines looked at), in one mapping and in nested ones', { timeout: 120_000 }, () => {
    const perCharacter = (text: string) => work(text) / text.length;
    const [small, big] = [envFile(60_000), envFile(240_000)];
    expect(big.length / small.length).toBeGreaterThan(4);
    // Work per character of text stays the same at 4 times the size: a reader comparing each key with the others,
    // or going back over earlier lines, would not.
    expect(perCharacter(big) / perCharacter(small)).toBeGreaterThan(0.97);
    expect(perCharacter(big) / perCharacter(small)).toBeLessThan(1.03);
    // And each character is looked at a bounded number of times.
    expect(perCharacter(small)).toBeLessThan(3);
    const nested = (n: number) =>
      `stages:\n${Array.from({ length: n }, (_, i) => `  s${i}:\n    hosts:\n      - { name: w${i}, roles: [web] }\n`).join('')}`;
    expect(perCharacter(nested(4000)) / perCharacter(nested(1000))).toBeLessThan(1.03);
  });
});
