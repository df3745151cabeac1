/**
 * The parsed YAML nodes (yaml.ts) as plain values: aliases and `<<` merges resolved within bounds, and the source
 * position of every key and value kept, so that any later error names its line and column.
 */
import type { KeyPath } from './path.js';
import type { LineIndex, ParsedYaml, Position } from './yaml.js';
import {
  MAX_DEPTH,
  MERGE_KEY,
  type YamlAlias,
  type YamlMap,
  type YamlNode,
  type YamlPair,
  type YamlProblem,
  type YamlScalar,
} from './yaml-node.js';

/** Where a key and its value start; the spans of what is below it by key or index. */
interface Span {
  readonly key: number | undefined;
  readonly value: number;
  children?: Map<string | number, Span>;
}

/** Where each key and value of the converted document starts in the source. */
export class SourceSpans {
  constructor(
    readonly lines: LineIndex,
    private readonly root: Span,
  ) {}

  /** The start of the key or value at `path`; a path that does not exist points at its nearest existing parent. */
  position(path: KeyPath, at: 'key' | 'value' = 'value'): Position {
    let span = this.root;
    let n = 0;
    for (; n < path.length; n++) {
      const next = span.children?.get(path[n]!);
      if (next === undefined) break;
      span = next;
    }
    const offset = n === path.length && at === 'key' ? (span.key ?? span.value) : span.value;
    const { line, col } = this.lines.linePos(offset);
    return { line, column: col };
  }
}

/** The span of `segment` below `parent`; the first one recorded for a path stays (an alias may record it again). */
function record(parent: Span, segment: string | number, value: number, key?: number): Span {
  parent.children ??= new Map();
  let span = parent.children.get(segment);
  if (span === undefined) parent.children.set(segment, (span = { key, value }));
  return span;
}

/** How a string scalar becomes a value: the place where `${VAR}` interpolation plugs in. */
export type ScalarReader = (node: YamlScalar & { readonly value: string }, path: KeyPath) => unknown;

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
  const root = parsed.root;
  const rootOffset = offsetOf(root, 0);
  const rootSpan: Span = { key: undefined, value: rootOffset };
  const spans = new SourceSpans(parsed.lines, rootSpan);
  const problems: YamlProblem[] = [];
  const converting = new Set<YamlNode>();
  /** The aliases being expanded, outermost first: a bomb is reported once, where it is set off. */
  const expanding: { node: YamlAlias; path: KeyPath }[] = [];
  let aliased = 0;
  let exhausted = false;

  /** The node an alias stands for (undefined after a problem, which is recorded), or the node itself. */
  function resolve(node: YamlNode | null, path: KeyPath): YamlNode | null | undefined {
    if (node?.kind !== 'alias') return node;
    if (exhausted) return undefined;
    if (node.target === undefined) {
      problems.push({
        offset: node.offset,
        path,
        fatal: true,
        message: `alias \`*${node.name}\` refers to no anchor; define \`&${node.name}\` before this use`,
      });
    }
    return node.target;
  }

  function convert(raw: YamlNode | null, path: KeyPath, offset: number, span: Span): unknown {
    if (raw?.kind !== 'alias') return convertNode(raw, path, offset, span);
    const node = resolve(raw, path);
    if (node === undefined) return null;
    expanding.push({ node: raw, path });
    try {
      return convertNode(node, path, offset, span);
    } finally {
      expanding.pop();
    }
  }

  function convertNode(node: YamlNode | null, path: KeyPath, offset: number, span: Span): unknown {
    if (node === null) return null;
    // The text is at most MAX_DEPTH deep (readYaml), but aliases of aliases can nest further.
    if (path.length > MAX_DEPTH) {
      if (!exhausted) {
        exhausted = true;
        const use = expanding[0];
        problems.push({
          offset: use ? use.node.offset : offset,
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
        offset: use.node.offset,
        path: use.path,
        fatal: true,
        message: `alias \`*${use.node.name}\` expands to more than ${MAX_ALIASED_VALUES} values; deploy.yml does not need anchors nested this deep`,
      });
    }
    if (exhausted && expanding.length > 0) return null;
    if (converting.has(node)) {
      problems.push({ offset, path, fatal: true, message: 'an alias refers to a node that contains it' });
      return null;
    }
    if (node.kind === 'scalar') {
      return typeof node.value === 'string' ? readScalar(node as YamlScalar & { value: string }, path) : node.value;
    }
    if (node.kind === 'alias') {
      // An alias whose target is an alias cannot be written; the readers never produce one.
      problems.push({ offset, path, message: 'unsupported YAML node' });
      return null;
    }
    converting.add(node);
    try {
      if (node.kind === 'seq') {
        return node.items.map((item, i) => {
          const itemOffset = offsetOf(item, offset);
          const p = [...path, i];
          return convert(item, p, itemOffset, record(span, i, itemOffset));
        });
      }
      return convertMap(node, path, offset, span);
    } finally {
      converting.delete(node);
    }
  }

  function convertMap(map: YamlMap, path: KeyPath, offset: number, span: Span): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const pair of effectivePairs(map, path, true)) {
      const key = keyOf(pair, path);
      if (key === undefined) continue;
      const keyOffset = offsetOf(pair.key, offset);
      const valueOffset = offsetOf(pair.value, keyOffset);
      const p = [...path, key];
      const child = record(span, key, valueOffset, keyOffset);
      if (options.skip?.(p)) continue;
      out[key] = convert(pair.value, p, valueOffset, child);
    }
    return out;
  }

  /**
   * The map's own pairs, then pairs merged in by `<<` whose keys it does not set (earlier sources win). A key the
   * map itself sets twice is a mistake (found here with a hash map, in linear time); a merge may override.
   */
  function effectivePairs(map: YamlMap, path: KeyPath, own: boolean): YamlPair[] {
    const byKey = new Map<unknown, YamlPair>();
    const merges: YamlPair[] = [];
    for (const pair of map.pairs) {
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
      const sources = target?.kind === 'seq' ? target.items.map((i) => resolve(i, path)) : [target];
      for (const source of sources) {
        // An alias that could not be resolved is reported already.
        if (source === undefined) continue;
        if (source?.kind !== 'map') {
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

  function keyOf(pair: YamlPair, path: KeyPath): string | undefined {
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

  return { value: root ? convert(root, [], rootOffset, rootSpan) : null, spans, problems };
}

const offsetOf = (node: YamlNode | null, fallback: number): number => node?.offset ?? fallback;

function scalarKey(key: YamlNode | null): unknown {
  return key?.kind === 'scalar' ? key.value : key;
}

/** A key as the converted mapping will hold it (`1` and `"1"` collide there); a complex key stands for itself. */
function keyId(key: YamlNode | null): unknown {
  const k = scalarKey(key);
  return k !== null && typeof k === 'object' ? key : String(k);
}

function isMergeKey(key: YamlNode | null): boolean {
  return key?.kind === 'scalar' && key.value === MERGE_KEY;
}
