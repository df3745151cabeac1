/**
 * A reader for the YAML deploy.yml files are written in, in one linear pass: block mappings and sequences, plain
 * and quoted one-line scalars, one-line flow collections, `|` literals, anchors, aliases, `<<` keys, comments. It
 * gives exactly the nodes and offsets the yaml library gives for these (test/unit/config/yaml.test.ts compares the
 * two over every YAML file in the repository and generated documents). Anything else — another construct, or
 * anything the library would call a mistake — makes it give up (undefined), and the library reads the file.
 */
import { MAX_DEPTH, MERGE_KEY, type YamlAlias, type YamlMap, type YamlNode, type YamlScalar, type YamlSeq } from './yaml-node.js';

/** What the reader did, for the test that shows it is linear: characters and lines looked at, nodes made. */
export interface BlockStats {
  work: number;
}

/** Thrown inside the reader when the text leaves the subset; caught once, at the top. */
const GIVE_UP = Symbol('give up');

// Control characters (tab and line feed aside), CR, BOM, NEL and the Unicode line separators: the library's rules
// for those are not worth copying.
const UNUSUAL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u2028\u2029\ufeff]/;

const SPACE = 0x20;
const LF = 0x0a;
const TAB = 0x09;
const HASH = 0x23;
const COLON = 0x3a;
const DASH = 0x2d;

/** Anchor and alias names the reader takes; the library allows more, and then reads the file itself. */
const NAME = /[A-Za-z0-9_-]+/y;
/** Characters a plain key may have; others (spaces, quotes, brackets …) send the file to the library. */
const KEY_CHAR = new Uint8Array(128);
for (const c of 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_.$/<@=+~-') KEY_CHAR[c.charCodeAt(0)] = 1;

export function readBlockYaml(text: string, stats?: BlockStats): { root: YamlNode | null } | undefined {
  if (UNUSUAL.test(text)) return undefined;
  try {
    const reader = new BlockReader(text);
    const root = reader.document();
    if (stats) stats.work += reader.work;
    return { root };
  } catch (e) {
    if (e === GIVE_UP) return undefined;
    throw e;
  }
}

function giveUp(): never {
  throw GIVE_UP;
}

class BlockReader {
  /** Start of the current line. */
  pos = 0;
  work = 0;
  readonly #anchors = new Map<string, YamlNode>();
  readonly #end: number;
  /** Collections open around the current position; the library refuses MAX_DEPTH, and finds where. */
  #depth = 0;

  constructor(readonly text: string) {
    this.#end = text.length;
  }

  document(): YamlNode | null {
    const indent = this.nextContent();
    if (indent < 0) return null;
    const root = this.block(indent, -1, undefined);
    if (this.nextContent() >= 0) giveUp();
    return root;
  }

  /** End of the line that `p` is on (its `\n`, or the end of the text). */
  eol(p: number): number {
    const i = this.text.indexOf('\n', p);
    return i < 0 ? this.#end : i;
  }

  /** Moves past blank and comment lines; the indent of the line then at `pos`, or -1 at the end of the text. */
  nextContent(): number {
    const t = this.text;
    for (;;) {
      if (this.pos >= this.#end) return -1;
      let p = this.pos;
      while (t.charCodeAt(p) === SPACE) p++;
      this.work += p - this.pos + 1;
      const c = t.charCodeAt(p);
      if (c === LF) {
        this.pos = p + 1;
        continue;
      }
      if (p >= this.#end) {
        this.pos = this.#end;
        return -1;
      }
      if (c === HASH) {
        this.pos = this.eol(p) + 1;
        continue;
      }
      if (c === TAB) giveUp();
      const indent = p - this.pos;
      // Directives and document markers: another document, or one that says something about itself.
      if (indent === 0 && (c === 0x25 || t.startsWith('---', p) || t.startsWith('...', p))) giveUp();
      return indent;
    }
  }

  /** The block node whose first line is at `pos` with `indent`, inside a parent at `parent` (its indent). */
  block(indent: number, parent: number, anchor: string | undefined): YamlNode {
    if (indent <= parent) giveUp();
    const start = this.pos + indent;
    if (this.isSeqEntry(start)) return this.seq(indent, anchor);
    if (this.keyEnd(start) < 0) giveUp();
    return this.map(indent, start, anchor);
  }

  isSeqEntry(p: number): boolean {
    if (this.text.charCodeAt(p) !== DASH) return false;
    const c = this.text.charCodeAt(p + 1);
    return c === SPACE || c === LF || p + 1 >= this.#end;
  }

  seq(indent: number, anchor: string | undefined): YamlSeq {
    const node: YamlSeq = { kind: 'seq', items: [], offset: this.pos + indent };
    if (anchor !== undefined) this.#anchors.set(anchor, node);
    this.open();
    for (;;) {
      const dash = this.pos + indent;
      node.items.push(this.entry(dash + 1, indent, false));
      const next = this.nextContent();
      if (next < indent) break;
      if (next > indent) giveUp();
      if (!this.isSeqEntry(this.pos + indent)) break;
    }
    this.#depth--;
    return node;
  }

  open(): void {
    if (++this.#depth >= MAX_DEPTH) giveUp();
  }

  /** A block mapping whose first key starts at `start` (on the line at `pos`), at column `indent`. */
  map(indent: number, start: number, anchor: string | undefined): YamlMap {
    const node: YamlMap = { kind: 'map', pairs: [], offset: start };
    if (anchor !== undefined) this.#anchors.set(anchor, node);
    this.open();
    let p = start;
    for (;;) {
      const end = this.keyEnd(p);
      if (end < 0) giveUp();
      const key = this.key(p, end);
      node.pairs.push({ key, value: this.entry(end + 1, indent, true) });
      const next = this.nextContent();
      if (next < indent) break;
      if (next > indent) giveUp();
      p = this.pos + indent;
      if (this.isSeqEntry(p)) giveUp();
    }
    this.#depth--;
    return node;
  }

  /**
   * The value after a key's `:` or a sequence's `-` at `p`, in a collection at `indent`. Leaves `pos` at the start
   * of a line after it.
   */
  entry(p: number, indent: number, inMap: boolean): YamlNode | null {
    const t = this.text;
    let s = this.spaces(p);
    let c = t.charCodeAt(s);
    let anchor: string | undefined;
    if (c === 0x26 /* & */) {
      if (s === p) giveUp();
      anchor = this.name(s + 1);
      const after = s + 1 + anchor.length;
      s = this.spaces(after);
      c = t.charCodeAt(s);
      if (s === after && s < this.#end && c !== LF) giveUp();
    }
    if (s >= this.#end || c === LF || c === HASH) {
      if (c === HASH && s === p) giveUp();
      this.pos = this.eol(s) + 1;
      const next = this.nextContent();
      if (next > indent) return this.block(next, indent, anchor);
      // `key:` with the sequence under it at the key's own indent.
      if (inMap && next === indent && this.isSeqEntry(this.pos + indent)) return this.seq(indent, anchor);
      if (anchor !== undefined) giveUp();
      return { kind: 'scalar', value: null, offset: s, plain: true };
    }
    if (s === p && inMap) giveUp();
    if (!inMap && anchor === undefined && this.keyEnd(s) >= 0) {
      // `- key: value`: a mapping that starts on the entry's line, at the key's column.
      return this.map(s - this.lineStart(s), s, undefined);
    }
    let node: YamlNode;
    let end: number;
    if (c === 0x7c /* | */) {
      const literal = this.literal(s, indent);
      if (anchor !== undefined) this.#anchors.set(anchor, literal);
      return literal;
    }
    if (c === 0x2a /* * */) {
      if (anchor !== undefined) giveUp();
      const name = this.name(s + 1);
      node = { kind: 'alias', name, offset: s, target: this.#anchors.get(name) } satisfies YamlAlias;
      end = s + 1 + name.length;
    } else if (c === 0x5b /* [ */ || c === 0x7b /* { */) {
      // An anchored collection is known to its own aliases; this reader would register it after them.
      if (anchor !== undefined) giveUp();
      [node, end] = this.flow(s);
    } else if (c === 0x22 /* " */) {
      [node, end] = this.doubleQuoted(s);
    } else if (c === 0x27 /* ' */) {
      [node, end] = this.singleQuoted(s);
    } else {
      [node, end] = this.plain(s);
    }
    if (anchor !== undefined) this.#anchors.set(anchor, node);
    this.endLine(end);
    // A value continued on a more indented line is a multi-line scalar (or a mistake): the library's.
    if (this.nextContent() > indent) giveUp();
    return node;
  }

  lineStart(p: number): number {
    return this.text.lastIndexOf('\n', p - 1) + 1;
  }

  spaces(p: number): number {
    const t = this.text;
    const from = p;
    while (t.charCodeAt(p) === SPACE) p++;
    if (t.charCodeAt(p) === TAB) giveUp();
    this.work += p - from + 1;
    return p;
  }

  name(p: number): string {
    NAME.lastIndex = p;
    const m = NAME.exec(this.text);
    if (!m) giveUp();
    const c = this.text.charCodeAt(p + m[0].length);
    if (!(c === SPACE || c === LF || p + m[0].length >= this.#end || c === 0x2c || c === 0x5d || c === 0x7d)) giveUp();
    this.work += m[0].length;
    return m[0];
  }

  /** After a value at `p`: spaces and a comment up to the end of the line; `pos` moves to the next line. */
  endLine(p: number): void {
    const s = this.spaces(p);
    const c = this.text.charCodeAt(s);
    if (s < this.#end && c !== LF && !(c === HASH && s > p)) giveUp();
    this.pos = this.eol(s) + 1;
  }

  /** Where the `:` of a block mapping key starting at `p` is, or -1 when the line does not start with a key. */
  keyEnd(p: number): number {
    const t = this.text;
    const c = t.charCodeAt(p);
    if (c === 0x22 || c === 0x27) {
      const end = c === 0x22 ? this.doubleQuotedEnd(p) : this.singleQuotedEnd(p);
      return end >= 0 && this.isColon(end) ? end : -1;
    }
    let i = p;
    for (; i < this.#end && i - p <= 1024; i++) {
      const ch = t.charCodeAt(i);
      if (ch === COLON) {
        if (this.isColon(i)) break;
        continue;
      }
      if (ch > 127 || KEY_CHAR[ch] !== 1) return -1;
    }
    this.work += i - p + 1;
    return i > p && this.isColon(i) ? i : -1;
  }

  isColon(p: number): boolean {
    const t = this.text;
    if (t.charCodeAt(p) !== COLON) return false;
    const c = t.charCodeAt(p + 1);
    return c === SPACE || c === LF || p + 1 >= this.#end;
  }

  key(p: number, end: number): YamlScalar {
    const c = this.text.charCodeAt(p);
    if (c === 0x22) return this.doubleQuoted(p)[0];
    if (c === 0x27) return this.singleQuoted(p)[0];
    const source = this.text.slice(p, end);
    // Keys that the library reads as something else first (`-a`, `?a`, `@a` …) are left to it.
    if (/^[-?:@]/.test(source)) giveUp();
    return { kind: 'scalar', value: source === '<<' ? MERGE_KEY : plainValue(source), offset: p, plain: true };
  }

  /** A one-line plain scalar in block context, from `s`: to a comment or the end of the line, trailing spaces off. */
  plain(s: number): [YamlScalar, number] {
    const t = this.text;
    const c = t.charCodeAt(s);
    // Indicators that cannot start a plain scalar, or start one only when not followed by a space.
    if (/[,[\]{}#&*!|>'"%@`]/.test(t[s]!)) giveUp();
    if ((c === DASH || c === 0x3f || c === COLON) && (t.charCodeAt(s + 1) === SPACE || s + 1 >= this.#end || t.charCodeAt(s + 1) === LF))
      giveUp();
    const eol = this.eol(s);
    let end = s;
    let i = s;
    for (; i < eol; i++) {
      const ch = t.charCodeAt(i);
      if (ch === SPACE) continue;
      if (ch === TAB) giveUp();
      if (ch === HASH && t.charCodeAt(i - 1) === SPACE) break;
      if (ch === COLON && (i + 1 === eol || t.charCodeAt(i + 1) === SPACE)) giveUp();
      end = i + 1;
    }
    this.work += i - s + 1;
    const source = t.slice(s, end);
    return [{ kind: 'scalar', value: plainValue(source), offset: s, plain: true }, end];
  }

  doubleQuotedEnd(s: number): number {
    const t = this.text;
    const eol = this.eol(s);
    for (let i = s + 1; i < eol; i++) {
      const c = t.charCodeAt(i);
      if (c === 0x5c) i++;
      else if (c === 0x22) return i + 1;
    }
    return -1;
  }

  singleQuotedEnd(s: number): number {
    const t = this.text;
    const eol = this.eol(s);
    for (let i = s + 1; i < eol; i++) {
      if (t.charCodeAt(i) === 0x27) {
        if (t.charCodeAt(i + 1) === 0x27) i++;
        else return i + 1;
      }
    }
    return -1;
  }

  doubleQuoted(s: number): [YamlScalar, number] {
    const t = this.text;
    const end = this.doubleQuotedEnd(s);
    if (end < 0) giveUp();
    this.work += end - s;
    const inner = t.slice(s + 1, end - 1);
    let value = inner;
    if (inner.includes('\\')) {
      value = '';
      for (let i = 0; i < inner.length; i++) {
        const ch = inner[i]!;
        if (ch !== '\\') {
          value += ch;
          continue;
        }
        const next = inner[++i]!;
        const simple = ESCAPES[next];
        if (simple !== undefined) {
          value += simple;
          continue;
        }
        const length = next === 'x' ? 2 : next === 'u' ? 4 : next === 'U' ? 8 : 0;
        const hex = inner.slice(i + 1, i + 1 + length);
        if (length === 0 || !/^[0-9a-fA-F]+$/.test(hex) || hex.length !== length) giveUp();
        const code = Number.parseInt(hex, 16);
        if (code > 0x10ffff) giveUp();
        value += String.fromCodePoint(code);
        i += length;
      }
    }
    return [{ kind: 'scalar', value, offset: s, plain: false }, end];
  }

  singleQuoted(s: number): [YamlScalar, number] {
    const end = this.singleQuotedEnd(s);
    if (end < 0) giveUp();
    this.work += end - s;
    const value = this.text.slice(s + 1, end - 1).replaceAll("''", "'");
    return [{ kind: 'scalar', value, offset: s, plain: false }, end];
  }

  /** A flow collection that ends on its line, from its bracket at `s`; its node and the offset after it. */
  flow(s: number): [YamlNode, number] {
    this.open();
    const t = this.text;
    const isMap = t.charCodeAt(s) === 0x7b;
    const close = isMap ? 0x7d : 0x5d;
    const node: YamlSeq | YamlMap = isMap ? { kind: 'map', pairs: [], offset: s } : { kind: 'seq', items: [], offset: s };
    let p = this.flowSpaces(s + 1);
    if (t.charCodeAt(p) === close) return this.closed(node, p);
    for (;;) {
      if (isMap) {
        const [key, keyEnd] = this.flowScalar(p, true);
        if (t.charCodeAt(keyEnd) !== COLON || t.charCodeAt(keyEnd + 1) !== SPACE) giveUp();
        const at = this.flowSpaces(keyEnd + 1);
        const [value, end] = this.flowValue(at);
        (node as YamlMap).pairs.push({ key, value });
        p = this.flowSpaces(end);
      } else {
        const [value, end] = this.flowValue(p);
        (node as YamlSeq).items.push(value);
        p = this.flowSpaces(end);
        if (t.charCodeAt(p) === COLON) giveUp();
      }
      const c = t.charCodeAt(p);
      if (c === close) return this.closed(node, p);
      if (c !== 0x2c) giveUp();
      p = this.flowSpaces(p + 1);
      // A trailing comma, or an empty entry.
      if (t.charCodeAt(p) === close || t.charCodeAt(p) === 0x2c) giveUp();
    }
  }

  closed(node: YamlNode, bracket: number): [YamlNode, number] {
    this.#depth--;
    return [node, bracket + 1];
  }

  flowSpaces(p: number): number {
    const t = this.text;
    const from = p;
    while (t.charCodeAt(p) === SPACE) p++;
    const c = t.charCodeAt(p);
    // Flow collections over several lines, and comments in them, are the library's.
    if (c === LF || c === TAB || c === HASH || p >= this.#end) giveUp();
    this.work += p - from + 1;
    return p;
  }

  flowValue(p: number): [YamlNode, number] {
    const c = this.text.charCodeAt(p);
    if (c === 0x5b || c === 0x7b) return this.flow(p);
    if (c === 0x2a) {
      const name = this.name(p + 1);
      return [{ kind: 'alias', name, offset: p, target: this.#anchors.get(name) }, p + 1 + name.length];
    }
    return this.flowScalar(p, false);
  }

  /** A scalar inside a flow collection: quoted, or plain up to `,` `]` `}` or `: `. */
  flowScalar(p: number, isKey: boolean): [YamlScalar, number] {
    const t = this.text;
    const c = t.charCodeAt(p);
    if (c === 0x22) return this.doubleQuoted(p);
    if (c === 0x27) return this.singleQuoted(p);
    if (/[,[\]{}#&*!|>'"%@`:?-]/.test(t[p]!)) {
      // `-`, `?` and `:` start a plain scalar when a safe character follows; the rest never do.
      if (!/[-?:]/.test(t[p]!) || /[\s,[\]{}]/.test(t[p + 1] ?? ' ')) giveUp();
    }
    let end = p;
    let i = p;
    for (; i < this.#end; i++) {
      const ch = t.charCodeAt(i);
      if (ch === SPACE) continue;
      if (ch === LF || ch === TAB || ch === 0x5b || ch === 0x7b) giveUp();
      if (ch === 0x2c || ch === 0x5d || ch === 0x7d) break;
      if (ch === HASH && t.charCodeAt(i - 1) === SPACE) giveUp();
      if (ch === COLON) {
        const n = t.charCodeAt(i + 1);
        if (n === SPACE) break;
        if (n === 0x2c || n === 0x5d || n === 0x7d || n === LF || i + 1 >= this.#end) giveUp();
      }
      end = i + 1;
    }
    this.work += i - p + 1;
    const source = t.slice(p, end);
    const value = isKey && source === '<<' ? MERGE_KEY : plainValue(source);
    return [{ kind: 'scalar', value, offset: p, plain: true }, end];
  }

  /** A `|` literal at `s` (header `|`, `|-` or `|+`), its lines more indented than `parent`. */
  literal(s: number, parent: number): YamlScalar {
    const t = this.text;
    let h = s + 1;
    const chomp = t[h] === '-' || t[h] === '+' ? t[h++] : '';
    this.endLine(h);
    const lines: string[] = [];
    let contentIndent = -1;
    /** Blank lines before the first text line: more spaces than the text's indent there would be an error. */
    let leadingBlank = 0;
    let lastText = -1;
    let breaksAfterText = 0;
    for (;;) {
      if (this.pos >= this.#end) break;
      const start = this.pos;
      let p = start;
      while (t.charCodeAt(p) === SPACE) p++;
      const eol = this.eol(p);
      const blank = p === eol;
      const indent = p - start;
      this.work += eol - start + 1;
      if (blank) {
        if (contentIndent < 0) leadingBlank = Math.max(leadingBlank, indent);
        else if (indent > contentIndent) giveUp();
        lines.push('');
      } else {
        if (contentIndent < 0) {
          if (indent <= parent) break;
          if (leadingBlank > indent) giveUp();
          contentIndent = indent;
        }
        if (indent < contentIndent) break;
        lines.push(t.slice(start + contentIndent, eol));
        lastText = lines.length - 1;
      }
      const hasBreak = eol < this.#end;
      this.pos = hasBreak ? eol + 1 : eol;
      breaksAfterText = lastText === lines.length - 1 ? (hasBreak ? 1 : 0) : breaksAfterText + (hasBreak ? 1 : 0);
    }
    if (lastText < 0) giveUp();
    const body = lines.slice(0, lastText + 1).join('\n');
    // The library ends a kept or clipped literal with a line break also where the file ends without one.
    const value = chomp === '-' ? body : chomp === '+' ? body + '\n'.repeat(Math.max(1, breaksAfterText)) : `${body}\n`;
    return { kind: 'scalar', value, offset: s, plain: false };
  }
}

const ESCAPES: Readonly<Record<string, string>> = {
  '0': '\0',
  a: '\x07',
  b: '\b',
  e: '\x1b',
  f: '\f',
  n: '\n',
  r: '\r',
  t: '\t',
  v: '\v',
  N: '\u0085',
  _: '\u00a0',
  L: '\u2028',
  P: '\u2029',
  ' ': ' ',
  '"': '"',
  '/': '/',
  '\\': '\\',
  '\t': '\t',
};

/** A plain scalar typed as the YAML 1.2 core schema (and the yaml library) types it. */
export function plainValue(source: string): unknown {
  const c = source.charCodeAt(0);
  // Most keys and values start with a letter that no typed form starts with: nothing to test.
  if (
    (c >= 0x61 && c <= 0x7a && c !== 0x6e && c !== 0x74 && c !== 0x66) ||
    (c >= 0x41 && c <= 0x5a && c !== 0x4e && c !== 0x54 && c !== 0x46)
  ) {
    return source;
  }
  if (/^(?:~|[Nn]ull|NULL)?$/.test(source)) return null;
  if (/^(?:[Tt]rue|TRUE|[Ff]alse|FALSE)$/.test(source)) return source[0] === 't' || source[0] === 'T';
  if (/^0o[0-7]+$/.test(source)) return Number.parseInt(source.substring(2), 8);
  if (/^[-+]?[0-9]+$/.test(source)) return Number.parseInt(source, 10);
  if (/^0x[0-9a-fA-F]+$/.test(source)) return Number.parseInt(source.substring(2), 16);
  if (/^(?:[-+]?\.(?:inf|Inf|INF)|\.nan|\.NaN|\.NAN)$/.test(source)) {
    return source.slice(-3).toLowerCase() === 'nan' ? Number.NaN : source[0] === '-' ? Number.NEGATIVE_INFINITY : Number.POSITIVE_INFINITY;
  }
  if (/^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)[eE][-+]?[0-9]+$/.test(source)) return Number.parseFloat(source);
  if (/^[-+]?(?:\.[0-9]+|[0-9]+\.[0-9]*)$/.test(source)) return Number.parseFloat(source);
  return source;
}
