/**
 * YAML the block reader (yaml-block.ts) does not read, read by the yaml library, safely: nesting bounded before the
 * parser recurses, an unclosed quote reported where it starts, only the first syntax error (the rest are its echoes).
 * The document becomes the same nodes the block reader gives (yaml.ts).
 */
import { Composer, isAlias, isMap, isScalar, isSeq, Parser, type CST, type Node } from 'yaml';
import { MAX_DEPTH, MERGE_KEY, type YamlNode, type YamlProblem } from './yaml-node.js';

export function parseYaml(text: string): { root: YamlNode | null; syntaxErrors: YamlProblem[] } {
  // The parser takes seconds over thousands of nested brackets: when the text looks that deep, the part up to
  // there is parsed first, and if it really is, the rest is never read.
  const suspect = bracketDepthAbove(text, MAX_DEPTH);
  const early = suspect === undefined ? undefined : tooDeep([...new Parser().parse(text.slice(0, suspect + 1))]);
  const tokens = early === undefined ? [...new Parser().parse(text)] : [];
  const deep = early ?? tooDeep(tokens);
  if (deep !== undefined) {
    const message = `nested more than ${MAX_DEPTH} levels deep here; a deploy.yml needs only a few`;
    return { root: null, syntaxErrors: [{ offset: deep, message }] };
  }
  // Duplicate keys are found by toPlain in linear time; the parser's own check compares every pair of keys.
  const docs = [...new Composer({ merge: true, uniqueKeys: false }).compose(tokens, true, text.length)];
  const doc = docs[0];
  const second = docs[1];
  // After the first syntax error the parser is out of step and the rest are mostly its echoes.
  const syntaxErrors: YamlProblem[] = (doc?.errors ?? []).slice(0, 1).map((e) => {
    const opened = e.code === 'MISSING_CHAR' && /quote/.test(e.message) ? unclosedQuote(tokens, e.pos[0]) : undefined;
    return opened === undefined
      ? { offset: e.pos[0], message: firstLine(e.message) }
      : { offset: opened.offset, message: `the ${opened.quote} quote that starts here is never closed` };
  });
  if (syntaxErrors.length === 0 && second) {
    syntaxErrors.push({ offset: second.range[0], message: 'a second YAML document (after `---`); deploy.yml is one document' });
  }
  return { root: doc ? nodes(doc.contents) : null, syntaxErrors };
}

/**
 * The library's nodes as ours: each alias with its target, the last anchor of its name before it in document
 * order (the text is at most MAX_DEPTH deep here, so the recursion is bounded).
 */
function nodes(contents: unknown): YamlNode | null {
  const anchors = new Map<string, YamlNode>();
  const convert = (node: unknown): YamlNode | null => {
    if (node === null || node === undefined) return null;
    const offset = (node as Node).range?.[0] ?? 0;
    if (isAlias(node)) return { kind: 'alias', name: node.source, offset, target: anchors.get(node.source) };
    if (isScalar(node)) {
      const { value } = node;
      const out: YamlNode =
        typeof value === 'symbol' && value.description === '<<'
          ? { kind: 'scalar', value: MERGE_KEY, offset, plain: true }
          : { kind: 'scalar', value, offset, plain: node.type === 'PLAIN' };
      if (node.anchor) anchors.set(node.anchor, out);
      return out;
    }
    if (isSeq(node)) {
      const out: YamlNode = { kind: 'seq', items: [], offset };
      if (node.anchor) anchors.set(node.anchor, out);
      for (const item of node.items) out.items.push(convert(item));
      return out;
    }
    if (isMap(node)) {
      const out: YamlNode = { kind: 'map', pairs: [], offset };
      if (node.anchor) anchors.set(node.anchor, out);
      for (const pair of node.items) {
        const key = convert(pair.key);
        out.pairs.push({ key, value: convert(pair.value) });
      }
      return out;
    }
    return null;
  };
  return convert(contents);
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
