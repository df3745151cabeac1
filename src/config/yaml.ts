import {
  Composer,
  Document,
  isAlias,
  isMap,
  isScalar,
  isSeq,
  LineCounter,
  Parser,
  visit,
  type Alias,
  type CST,
  type Node as YamlNode,
  type Pair,
  type Scalar,
  type YAMLMap,
} from 'yaml';
import { pathKey, type KeyPath } from './path.js';

export interface Position {
  readonly line: number;
  readonly column: number;
}

/** A problem found while reading the YAML itself, at a byte offset. */
export interface YamlProblem {
  readonly offset: number;
  readonly message: string;
  readonly path?: KeyPath;
  /** The document cannot be read as written (duplicate key, broken alias): nothing else is worth checking. */
  readonly fatal?: boolean;
}

export interface ParsedYaml {
  readonly doc: Document;
  readonly lineCounter: LineCounter;
  readonly syntaxErrors: readonly YamlProblem[];
}

/** No deploy.yml nests more than a few levels; far deeper input would exhaust the parser's stack. */
export const MAX_DEPTH = 100;

export function parseYaml(text: string): ParsedYaml {
  const lineCounter = new LineCounter();
  // The parser takes seconds over thousands of nested brackets: when the text looks that deep, the part up to
  // there is parsed first, and if it really is, the rest is never read.
  const suspect = bracketDepthAbove(text, MAX_DEPTH);
  const early = suspect === undefined ? undefined : tooDeep([...new Parser().parse(text.slice(0, suspect + 1))]);
  const tokens = early === undefined ? [...new Parser(lineCounter.addNewLine).parse(text)] : [];
  const deep = early ?? tooDeep(tokens);
  if (deep !== undefined) {
    const message = `nested more than ${MAX_DEPTH} levels deep here; a deploy.yml needs only a few`;
    return { doc: new Document(null), lineCounter: lineFinder(text), syntaxErrors: [{ offset: deep, message }] };
  }
  // Duplicate keys are found by toPlain in linear time; the parser's own check compares every pair of keys.
  const docs = [...new Composer({ merge: true, uniqueKeys: false }).compose(tokens, true, text.length)];
  const doc = docs[0] ?? new Document(null);
  const second = docs[1];
  // After the first syntax error the parser is out of step and the rest are mostly its echoes.
  const syntaxErrors: YamlProblem[] = doc.errors.slice(0, 1).map((e) => {
    const opened = e.code === 'MISSING_CHAR' && /quote/.test(e.message) ? unclosedQuote(tokens, e.pos[0]) : undefined;
    return opened === undefined
      ? { offset: e.pos[0], message: firstLine(e.message) }
      : { offset: opened.offset, message: `the ${opened.quote} quote that starts here is never closed` };
  });
  if (syntaxErrors.length === 0 && second) {
    syntaxErrors.push({ offset: second.range[0], message: 'a second YAML document (after `---`); deploy.yml is one document' });
  }
  return { doc, lineCounter, syntaxErrors };
}

/** Where counting every `[` and `{` against every `]` and `}` first exceeds `max`: an upper bound on flow nesting. */
function bracketDepthAbove(text: string, max: number): number | undefined {
  let depth = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x5b || c === 0x7b) {
      if (++depth > max) return i;
    } else if ((c === 0x5d || c === 0x7d) && depth > 0) depth--;
  }
  return undefined;
}

/** A LineCounter for the whole text, for a document that was not parsed to the end. */
function lineFinder(text: string): LineCounter {
  const counter = new LineCounter();
  counter.addNewLine(0);
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) counter.addNewLine(i + 1);
  return counter;
}

type CstToken = CST.Token;

/** The children of a CST token that are themselves tokens (collections nest, scalars do not). */
function children(t: CstToken): CstToken[] {
  switch (t.type) {
    case 'document':
      return t.value ? [t.value] : [];
    case 'block-map':
    case 'block-seq':
    case 'flow-collection':
      return t.items.flatMap((item) => {
        const i = item as { key?: CstToken | null; value?: CstToken };
        return [...(i.key ? [i.key] : []), ...(i.value ? [i.value] : [])];
      });
    default:
      return [];
  }
}

const isCollection = (t: CstToken) => t.type === 'block-map' || t.type === 'block-seq' || t.type === 'flow-collection';

/** The offset of the first collection nested deeper than MAX_DEPTH; walked with a stack of its own, not recursion. */
function tooDeep(tokens: readonly CstToken[]): number | undefined {
  const stack: CstToken[] = [...tokens];
  const depths: number[] = tokens.map(() => 0);
  while (stack.length > 0) {
    const token = stack.pop()!;
    const depth = depths.pop()!;
    if (!isCollection(token)) {
      if (token.type === 'document' && token.value) stack.push(token.value), depths.push(depth);
      continue;
    }
    if (depth + 1 > MAX_DEPTH) return token.offset;
    for (const item of (token as CST.BlockMap | CST.BlockSequence | CST.FlowCollection).items) {
      const { key, value } = item as { key?: CstToken | null; value?: CstToken };
      // Scalars cannot nest: only collections (and the rare complex key) go on the stack.
      if (key && isCollection(key)) stack.push(key), depths.push(depth + 1);
      if (value && (isCollection(value) || value.type === 'document')) stack.push(value), depths.push(depth + 1);
    }
  }
  return undefined;
}

const CLOSED = { 'double-quoted-scalar': /^"(?:[^"\\]|\\[\s\S])*"$/, 'single-quoted-scalar': /^'(?:[^']|'')*'$/ } as const;

/** A quoted string that never ends runs to the end of the file; the parser reports it there, people need its start. */
function unclosedQuote(tokens: readonly CstToken[], before: number): { offset: number; quote: string } | undefined {
  const stack = [...tokens];
  let found: { offset: number; quote: string } | undefined;
  while (stack.length > 0) {
    const t = stack.pop()!;
    if ((t.type === 'double-quoted-scalar' || t.type === 'single-quoted-scalar') && t.offset <= before && !CLOSED[t.type].test(t.source)) {
      if (found === undefined || t.offset < found.offset) found = { offset: t.offset, quote: t.source[0] ?? '"' };
    }
    stack.push(...children(t));
  }
  return found;
}

/** The yaml package appends `at line L, column C:` and a code frame; the position is reported separately. */
const firstLine = (message: string) => (message.split('\n')[0] ?? message).replace(/ at line \d+, column \d+:?$/, '');

/**
 * The text of a file that must be UTF-8, or where it is not: a byte that cannot be read would otherwise become
 * U+FFFD silently, and end up in a path or a command.
 */
export function decodeUtf8(bytes: Uint8Array): { text: string } | { line: number; column: number; byte: number } {
  try {
    return { text: new TextDecoder('utf-8', { fatal: true }).decode(bytes) };
  } catch {
    const bad = firstInvalidByte(bytes);
    const lineStart = bad === 0 ? 0 : bytes.lastIndexOf(0x0a, bad - 1) + 1;
    let line = 1;
    for (let i = 0; i < lineStart; i++) if (bytes[i] === 0x0a) line++;
    const column = new TextDecoder().decode(bytes.subarray(lineStart, bad)).length + 1;
    return { line, column, byte: bytes[bad] ?? 0 };
  }
}

/** The offset of the first byte that is not part of a well-formed UTF-8 sequence. */
function firstInvalidByte(b: Uint8Array): number {
  let i = 0;
  while (i < b.length) {
    const c = b[i]!;
    if (c < 0x80) {
      i++;
      continue;
    }
    // Lead byte: how many continuation bytes follow, and the range the first of them must be in.
    const [n, lo, hi] =
      c >= 0xc2 && c <= 0xdf
        ? [1, 0x80, 0xbf]
        : c === 0xe0
          ? [2, 0xa0, 0xbf]
          : (c >= 0xe1 && c <= 0xec) || c === 0xee || c === 0xef
            ? [2, 0x80, 0xbf]
            : c === 0xed
              ? [2, 0x80, 0x9f]
              : c === 0xf0
                ? [3, 0x90, 0xbf]
                : c >= 0xf1 && c <= 0xf3
                  ? [3, 0x80, 0xbf]
                  : c === 0xf4
                    ? [3, 0x80, 0x8f]
                    : [0, 0, 0];
    if (n === 0) return i;
    for (let k = 1; k <= n; k++) {
      const x = b[i + k];
      if (x === undefined || x < (k === 1 ? lo : 0x80) || x > (k === 1 ? hi : 0xbf)) return i;
    }
    i += n + 1;
  }
  return b.length;
}

/** Where each key and value of the converted document starts in the source. */
export class SourceSpans {
  readonly #spans = new Map<string, { key?: number; value: number }>();
  constructor(readonly lineCounter: LineCounter) {}

  record(path: KeyPath, value: number, key?: number): void {
    const k = pathKey(path);
    if (!this.#spans.has(k)) this.#spans.set(k, { key, value });
  }

  /** The start of the key or value at `path`; a path that does not exist points at its nearest existing parent. */
  position(path: KeyPath, at: 'key' | 'value' = 'value'): Position {
    for (let n = path.length; n >= 0; n--) {
      const span = this.#spans.get(pathKey(path.slice(0, n)));
      if (span) return this.#at(n === path.length && at === 'key' ? (span.key ?? span.value) : span.value);
    }
    return { line: 1, column: 1 };
  }

  #at(offset: number): Position {
    const { line, col } = this.lineCounter.linePos(offset);
    return { line, column: col };
  }
}

/** How a string scalar becomes a value: the place where `${VAR}` interpolation plugs in. */
export type ScalarReader = (node: Scalar<string>, path: KeyPath) => unknown;

export interface Converted {
  readonly value: unknown;
  readonly spans: SourceSpans;
  readonly problems: readonly YamlProblem[];
}

export interface ConvertOptions {
  /** Paths whose values are left out (not converted at all): e.g. the `x-` keys that only hold anchors. */
  readonly skip?: (path: KeyPath) => boolean;
}

/**
 * Aliases may be nested to blow up exponentially ("billion laughs"). Values read through aliases are counted; no
 * real deploy.yml comes near this.
 */
export const MAX_ALIASED_VALUES = 10_000;

/**
 * Converts the document to plain JSON-like values, resolving aliases and `<<` merge keys, and records the
 * source position of every key and value so that any later error can name its line and column.
 */
export function toPlain(parsed: ParsedYaml, readScalar: ScalarReader, options: ConvertOptions = {}): Converted {
  const { doc } = parsed;
  const spans = new SourceSpans(parsed.lineCounter);
  const problems: YamlProblem[] = [];
  const converting = new Set<YamlNode>();
  let targets: Map<Alias, YamlNode> | undefined;
  /** The aliases being expanded, outermost first: a bomb is reported once, where it is set off. */
  const expanding: { node: Alias; path: KeyPath }[] = [];
  let aliased = 0;
  let exhausted = false;

  const offsetOf = (node: unknown, fallback: number): number => (node as YamlNode | null)?.range?.[0] ?? fallback;

  /** The node an alias stands for (undefined after a problem, which is recorded), or the node itself. */
  function resolve(node: unknown, path: KeyPath): unknown {
    if (!isAlias(node)) return node;
    if (exhausted) return undefined;
    // Found on first use: most files have no alias, and finding them walks the whole document.
    targets ??= aliasTargets(doc);
    const target = targets.get(node);
    if (target === undefined) {
      problems.push({
        offset: offsetOf(node, 0),
        path,
        fatal: true,
        message: `alias \`*${node.source}\` refers to no anchor; define \`&${node.source}\` before this use`,
      });
    }
    return target;
  }

  function convert(raw: unknown, path: KeyPath, offset: number): unknown {
    if (!isAlias(raw)) return convertNode(raw, path, offset);
    const node = resolve(raw, path);
    if (node === undefined) return null;
    expanding.push({ node: raw, path });
    try {
      return convertNode(node, path, offset);
    } finally {
      expanding.pop();
    }
  }

  function convertNode(node: unknown, path: KeyPath, offset: number): unknown {
    if (node === null || node === undefined) return null;
    // The text is at most MAX_DEPTH deep (parseYaml), but aliases of aliases can nest further.
    if (path.length > MAX_DEPTH) {
      if (!exhausted) {
        exhausted = true;
        const use = expanding[0];
        problems.push({
          offset: use ? offsetOf(use.node, offset) : offset,
          path: use?.path ?? path,
          fatal: true,
          message: `nested more than ${MAX_DEPTH} levels deep through aliases; a deploy.yml needs only a few`,
        });
      }
      return null;
    }
    if (expanding.length > 0 && ++aliased > MAX_ALIASED_VALUES && !exhausted) {
      exhausted = true;
      const use = expanding[0]!;
      problems.push({
        offset: offsetOf(use.node, offset),
        path: use.path,
        fatal: true,
        message: `alias \`*${use.node.source}\` expands to more than ${MAX_ALIASED_VALUES} values; deploy.yml does not need anchors nested this deep`,
      });
    }
    if (exhausted && expanding.length > 0) return null;
    if (converting.has(node as YamlNode)) {
      problems.push({ offset, path, fatal: true, message: 'an alias refers to a node that contains it' });
      return null;
    }
    if (isScalar(node)) {
      return typeof node.value === 'string' ? readScalar(node as Scalar<string>, path) : node.value;
    }
    converting.add(node as YamlNode);
    try {
      if (isSeq(node)) {
        return node.items.map((item, i) => {
          const itemOffset = offsetOf(item, offset);
          spans.record([...path, i], itemOffset);
          return convert(item, [...path, i], itemOffset);
        });
      }
      if (isMap(node)) return convertMap(node, path, offset);
      problems.push({ offset, path, message: 'unsupported YAML node' });
      return null;
    } finally {
      converting.delete(node as YamlNode);
    }
  }

  function convertMap(map: YAMLMap, path: KeyPath, offset: number): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const pair of effectivePairs(map, path, true)) {
      const key = keyOf(pair, path);
      if (key === undefined) continue;
      const keyOffset = offsetOf(pair.key, offset);
      const valueOffset = offsetOf(pair.value, keyOffset);
      const p = [...path, key];
      spans.record(p, valueOffset, keyOffset);
      if (options.skip?.(p)) continue;
      out[key] = convert(pair.value, p, valueOffset);
    }
    return out;
  }

  /**
   * The map's own pairs, then pairs merged in by `<<` whose keys it does not set (earlier sources win). A key the
   * map itself sets twice is a mistake (found here with a hash map, in linear time); a merge may override.
   */
  function effectivePairs(map: YAMLMap, path: KeyPath, own: boolean): Pair[] {
    const byKey = new Map<unknown, Pair>();
    const merges: Pair[] = [];
    for (const pair of map.items) {
      if (isMergeKey(pair.key)) {
        merges.push(pair);
        continue;
      }
      const k = keyId(pair.key);
      if (own && byKey.has(k)) {
        problems.push({
          offset: offsetOf(pair.key, 0),
          path,
          fatal: true,
          message: `duplicate key${typeof k === 'string' ? ` \`${k}\`` : ''}: a key may appear only once in a mapping`,
        });
        continue;
      }
      byKey.set(k, pair);
    }
    for (const merge of merges) {
      const target = resolve(merge.value, path);
      const sources = isSeq(target) ? target.items.map((i) => resolve(i, path)) : [target];
      for (const source of sources) {
        // An alias that could not be resolved is reported already.
        if (source === undefined) continue;
        if (!isMap(source)) {
          const offset = offsetOf(merge.value, offsetOf(merge.key, 0));
          problems.push({ offset, path, message: '`<<` must merge a mapping or a list of mappings' });
          continue;
        }
        for (const pair of effectivePairs(source, path, false)) {
          const k = keyId(pair.key);
          if (!byKey.has(k)) byKey.set(k, pair);
        }
      }
    }
    return [...byKey.values()];
  }

  function keyOf(pair: Pair, path: KeyPath): string | undefined {
    const key = scalarKey(pair.key);
    const offset = offsetOf(pair.key, 0);
    if (key === undefined || key === null || typeof key === 'object') {
      problems.push({ offset, path, message: 'keys must be plain strings' });
      return undefined;
    }
    if (key === '__proto__') {
      problems.push({ offset, path, message: '`__proto__` is not allowed as a key' });
      return undefined;
    }
    return String(key);
  }

  const root = doc.contents;
  const rootOffset = offsetOf(root, 0);
  spans.record([], rootOffset);
  return { value: root ? convert(root, [], rootOffset) : null, spans, problems };
}

/** For every alias, the node of the last anchor of its name before it (YAML's rule), found in one pass. */
function aliasTargets(doc: Document): Map<Alias, YamlNode> {
  const anchors = new Map<string, YamlNode>();
  const targets = new Map<Alias, YamlNode>();
  visit(doc, {
    Node(_key, node) {
      if (isAlias(node)) {
        const target = anchors.get(node.source);
        if (target) targets.set(node, target);
      } else if (node.anchor) anchors.set(node.anchor, node);
    },
  });
  return targets;
}

function scalarKey(key: unknown): unknown {
  return isScalar(key) ? key.value : key;
}

/** A key as the converted mapping will hold it (`1` and `"1"` collide there); a complex key stands for itself. */
function keyId(key: unknown): unknown {
  const k = scalarKey(key);
  return k !== null && typeof k === 'object' ? key : String(k);
}

function isMergeKey(key: unknown): boolean {
  return isScalar(key) && typeof key.value === 'symbol' && key.value.description === '<<';
}
