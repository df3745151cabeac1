import {
  isAlias,
  isMap,
  isScalar,
  isSeq,
  LineCounter,
  parseDocument,
  type Document,
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
}

export interface ParsedYaml {
  readonly doc: Document;
  readonly lineCounter: LineCounter;
  readonly syntaxErrors: readonly YamlProblem[];
}

export function parseYaml(text: string): ParsedYaml {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { merge: true, lineCounter, prettyErrors: false, uniqueKeys: true });
  // After the first syntax error the parser is out of step and the rest are mostly its echoes.
  const syntaxErrors = doc.errors.slice(0, 1).map((e) => ({
    offset: e.pos[0],
    message: e.code === 'DUPLICATE_KEY' ? duplicateKey(text, e.pos[0]) : firstLine(e.message),
  }));
  return { doc, lineCounter, syntaxErrors };
}

function duplicateKey(text: string, offset: number): string {
  const key = /^(?:"([^"\n]*)"|'([^'\n]*)'|([^:\n]*?))\s*:/.exec(text.slice(offset));
  const name = key?.[1] ?? key?.[2] ?? key?.[3];
  return `duplicate key${name ? ` \`${name}\`` : ''}: a key may appear only once in a mapping`;
}

/** The yaml package appends `at line L, column C:` and a code frame; the position is reported separately. */
const firstLine = (message: string) => (message.split('\n')[0] ?? message).replace(/ at line \d+, column \d+:?$/, '');

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

/** Aliases may be nested to blow up exponentially ("billion laughs"); no real deploy.yml comes near this. */
const MAX_ALIAS_EXPANSIONS = 10_000;

/**
 * Converts the document to plain JSON-like values, resolving aliases and `<<` merge keys, and records the
 * source position of every key and value so that any later error can name its line and column.
 */
export function toPlain(parsed: ParsedYaml, readScalar: ScalarReader): Converted {
  const { doc } = parsed;
  const spans = new SourceSpans(parsed.lineCounter);
  const problems: YamlProblem[] = [];
  const converting = new Set<YamlNode>();
  let aliases = 0;

  const offsetOf = (node: unknown, fallback: number): number =>
    (node as YamlNode | null)?.range?.[0] ?? fallback;

  function resolve(node: unknown, path: KeyPath): unknown {
    if (!isAlias(node)) return node;
    if (++aliases > MAX_ALIAS_EXPANSIONS) {
      problems.push({ offset: offsetOf(node, 0), path, message: 'too many alias expansions' });
      return null;
    }
    return node.resolve(doc);
  }

  function convert(raw: unknown, path: KeyPath, offset: number): unknown {
    const node = resolve(raw, path);
    if (node === null || node === undefined) return null;
    if (converting.has(node as YamlNode)) {
      problems.push({ offset, path, message: 'an alias refers to a node that contains it' });
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
    for (const pair of effectivePairs(map, path)) {
      const key = keyOf(pair, path);
      if (key === undefined) continue;
      const keyOffset = offsetOf(pair.key, offset);
      const valueOffset = offsetOf(pair.value, keyOffset);
      const p = [...path, key];
      spans.record(p, valueOffset, keyOffset);
      out[key] = convert(pair.value, p, valueOffset);
    }
    return out;
  }

  /** The map's own pairs, then pairs merged in by `<<` whose keys it does not set (earlier sources win). */
  function effectivePairs(map: YAMLMap, path: KeyPath): Pair[] {
    const byKey = new Map<unknown, Pair>();
    const merges: Pair[] = [];
    for (const pair of map.items) {
      if (isMergeKey(pair.key)) merges.push(pair);
      else byKey.set(scalarKey(pair.key), pair);
    }
    for (const merge of merges) {
      const target = resolve(merge.value, path);
      const sources = isSeq(target) ? target.items.map((i) => resolve(i, path)) : [target];
      for (const source of sources) {
        if (!isMap(source)) {
          const offset = offsetOf(merge.value, offsetOf(merge.key, 0));
          problems.push({ offset, path, message: '`<<` must merge a mapping or a list of mappings' });
          continue;
        }
        for (const pair of effectivePairs(source, path)) {
          const k = scalarKey(pair.key);
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

function scalarKey(key: unknown): unknown {
  return isScalar(key) ? key.value : key;
}

function isMergeKey(key: unknown): boolean {
  return isScalar(key) && typeof key.value === 'symbol' && key.value.description === '<<';
}
