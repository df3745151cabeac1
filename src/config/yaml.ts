/**
 * Reading deploy.yml's bytes and YAML: UTF-8 checked with its position, then the text read into nodes with their
 * source offsets. The block YAML that deploy.yml files are written in is read by yaml-block.ts in one linear pass;
 * anything else (or anything wrong) goes to the yaml library (yaml-library.ts), loaded only then, which finds the
 * problems and their places. yaml-plain.ts turns the nodes into values with positions.
 */
import { readBlockYaml } from './yaml-block.js';
import { yamlLibrary } from './yaml-fallback.js';
import type { YamlNode, YamlProblem } from './yaml-node.js';

export interface Position {
  readonly line: number;
  readonly column: number;
}

export interface ParsedYaml {
  readonly root: YamlNode | null;
  readonly lines: LineIndex;
  readonly syntaxErrors: readonly YamlProblem[];
  /** Which reader read it: the linear block reader, or the yaml library. */
  readonly reader: 'block' | 'library';
}

/** Line and column (1-based, in UTF-16 code units as the yaml library counts) of an offset; built on first use. */
export class LineIndex {
  #starts: number[] | undefined;
  constructor(readonly text: string) {}

  linePos(offset: number): { line: number; col: number } {
    const starts = (this.#starts ??= lineStarts(this.text));
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (starts[mid]! <= offset) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo + 1, col: offset - starts[lo]! + 1 };
  }
}

function lineStarts(text: string): number[] {
  const starts = [0];
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) starts.push(i + 1);
  return starts;
}

/** The text as YAML nodes: by the block reader when it can, else by the yaml library. */
export function readYaml(text: string): ParsedYaml {
  // CRLF line ends are read as LF: the same values, and the same lines and columns (a \r only ends its line).
  const lf = text.includes('\r') && !/\r(?!\n)/.test(text) ? text.replaceAll('\r\n', '\n') : text;
  const block = readBlockYaml(lf);
  if (block !== undefined) return { root: block.root, lines: new LineIndex(lf), syntaxErrors: [], reader: 'block' };
  return { ...yamlLibrary().parseYaml(text), lines: new LineIndex(text), reader: 'library' };
}

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
