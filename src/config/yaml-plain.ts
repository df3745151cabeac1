/**
 * The parsed YAML document (yaml.ts) as plain values: aliases and `<<` merges resolved within bounds, and the
 * source position of every key and value kept, so that any later error names its line and column.
 */
import {
  type Document,
  isAlias,
  isMap,
  isScalar,
  isSeq,
  visit,
  type Alias,
  type Node as YamlNode,
  type LineCounter,
  type Pair,
  type Scalar,
  type YAMLMap,
} from 'yaml';
import { pathKey, type KeyPath } from './path.js';
import { MAX_DEPTH, type ParsedYaml, type Position, type YamlProblem } from './yaml.js';

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
