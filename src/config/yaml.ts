/**
 * Reading deploy.yml's bytes and YAML safely: UTF-8 checked with its position, nesting bounded before the parser
 * recurses, an unclosed quote reported where it starts. yaml-plain.ts turns the result into values with positions.
 */
import { Composer, Document, LineCounter, Parser, type CST } from 'yaml';
import type { KeyPath } from './path.js';

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
