import { inspect } from 'node:util';

export const MASK = '***';

/** A secret value. Every renderer, logger and JSON encoder sees `***`; only `reveal()` gives the value. */
export class Sensitive {
  readonly #value: string;
  constructor(
    value: string,
    readonly label?: string,
  ) {
    this.#value = value;
  }
  reveal(): string {
    return this.#value;
  }
  toString(): string {
    return MASK;
  }
  toJSON(): string {
    return MASK;
  }
  [inspect.custom](): string {
    return MASK;
  }
}

export const isSensitive = (v: unknown): v is Sensitive => v instanceof Sensitive;

/** A line of a multi-line secret shorter than this (after trimming) is not masked on its own: `}` would blank every brace. */
const MIN_LINE = 4;
/** A base64 form shorter than this is not masked (the value itself always is): it would blank unrelated text. */
const MIN_ENCODED = 6;
/** Widths `base64` (76) and PEM/`openssl base64` (64) wrap their output at. */
const WRAP_WIDTHS = [64, 76];

/**
 * The plain texts that give a secret away when they appear in output, besides the escapes `secretMasker`
 * recognises within each: the secret; each line of a multi-line one (output arrives a line at a time); the base64
 * and base64url of the secret (and of its JSON-escaped text, as in a JWT), alone (padded or not, also wrapped at
 * 64/76 columns) and as the part of a longer text's base64 that only the secret's bytes decide (at each of the 3
 * byte alignments).
 */
export function maskForms(secrets: readonly string[]): string[] {
  const out = new Set<string>();
  for (const s of secrets) {
    if (s === '') continue;
    out.add(s);
    const json = JSON.stringify(s).slice(1, -1);
    for (const text of json === s ? [s] : [s, json]) {
      for (const form of base64Forms(Buffer.from(text, 'utf8'))) if (form.length >= MIN_ENCODED) out.add(form);
    }
    if (!/[\r\n]/.test(s)) continue;
    for (const line of s.split(/\r?\n|\r/)) if (line.trim().length >= MIN_LINE) out.add(line);
  }
  return [...out];
}

function base64Forms(bytes: Buffer): string[] {
  const std = bytes.toString('base64');
  const forms = [std, std.replace(/=+$/, '')];
  for (const width of WRAP_WIDTHS) {
    const core = embedded(bytes, 0);
    if (core.length > width) for (let i = 0; i < core.length; i += width) forms.push(core.slice(i, i + width));
  }
  for (const align of [0, 1, 2]) forms.push(embedded(bytes, align));
  return [...forms, ...forms.map((f) => f.replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, ''))];
}

/**
 * The base64 characters that only `bytes` decide when they follow `align` bytes of other text (mod 3): each
 * character stands for 6 bits, and those that straddle a neighbouring byte depend on text we do not know.
 */
function embedded(bytes: Buffer, align: number): string {
  const text = Buffer.concat([Buffer.alloc(align), bytes, Buffer.alloc(2)]).toString('base64');
  return text.slice(Math.ceil((8 * align) / 6), Math.floor((8 * (align + bytes.length)) / 6));
}

const hexDigit = (d: string) => (/[a-f]/i.test(d) ? `[${d.toLowerCase()}${d.toUpperCase()}]` : d);
const hex = (n: number, width: number) => [...n.toString(16).padStart(width, '0')].map(hexDigit).join('');
const literal = (s: string) => s.replace(/[\\^$.*+?()[\]{}|/-]/g, '\\$&');
const PUNCT = /^[\x21-\x2f\x3a-\x40\x5b-\x60\x7b-\x7e]$/;
const SHORT: Record<string, string> = { '\b': 'b', '\f': 'f', '\n': 'n', '\r': 'r', '\t': 't' };
const ENTITY: Record<string, string> = { '&': 'amp', '<': 'lt', '>': 'gt', '"': 'quot', "'": 'apos' };

/**
 * How one character may be written by each family of escapes. Within a family no way of writing a character is a
 * prefix of another way (an escape character never stands for itself), so matching never backtracks and no
 * secret can make masking slow.
 *   backslash  JSON and most languages: `\"`, `\\`, `\/`, `\n`, `\u00e9` (surrogate pairs too), `\$`
 *   url        percent-encoding, either case of hex, `+` for a space
 *   html       HTML/XML entities: `&amp;`, `&quot;`, `&#39;`, `&#x27;`
 *   shell      a `'` closed and reopened inside single quotes: `'\''`, `'"'"'`
 */
const FAMILIES: Record<string, (ch: string) => string[]> = {
  backslash: (ch) => [
    ...(ch === '\\' ? [] : [literal(ch)]),
    [...Array(ch.length).keys()].map((i) => `\\\\u${hex(ch.charCodeAt(i), 4)}`).join(''),
    ...(SHORT[ch] ? [`\\\\${SHORT[ch]}`] : PUNCT.test(ch) ? [`\\\\${literal(ch)}`] : []),
  ],
  url: (ch) => [
    ...(ch === '%' ? [] : [literal(ch)]),
    [...Buffer.from(ch, 'utf8')].map((b) => `%${hex(b, 2)}`).join(''),
    ...(ch === ' ' ? ['\\+'] : []),
  ],
  html: (ch) => [
    ...(ch === '&' ? [] : [literal(ch)]),
    ...(ENTITY[ch] ? [`&${ENTITY[ch]};`] : []),
    ...(ch.codePointAt(0)! > 0x20 ? [`&#0*${ch.codePointAt(0)};`, `&#[xX]0*${hex(ch.codePointAt(0)!, 1)};`] : []),
  ],
  shell: (ch) => (ch === "'" ? [`'\\\\''`, `'"'"'`] : [literal(ch)]),
};

function escaped(form: string, family: (ch: string) => string[]): string {
  return [...form].map((ch) => (/^[A-Za-z0-9]$/.test(ch) ? ch : `(?:${family(ch).join('|')})`)).join('');
}

export type Masker = (text: string) => string;

/**
 * Masks every form of the given secrets (see `maskForms`), as written and in each family of escapes; compile once,
 * use for every line. Letters and digits are never escaped, so a form can only match text that holds its longest
 * run of them: most lines are let through after a few `includes`, without running the pattern.
 */
export function secretMasker(secrets: readonly string[]): Masker {
  const forms = maskForms(secrets).sort((a, b) => b.length - a.length);
  if (forms.length === 0) return (text) => text;
  const patterns = new Set(forms.flatMap((f) => [literal(f), ...Object.values(FAMILIES).map((family) => escaped(f, family))]));
  const pattern = new RegExp([...patterns].join('|'), 'g');
  const anchors = [...new Set(forms.map((f) => (f.match(/[A-Za-z0-9]+/g) ?? ['']).reduce((a, b) => (b.length > a.length ? b : a))))];
  return (text) => (anchors.some((a) => text.includes(a)) ? text.replace(pattern, MASK) : text);
}

let cached: { key: string; masker: Masker } | undefined;

/** Replaces every occurrence of the given secret values in text, in any of the forms `secretMasker` knows. */
export function maskSecrets(text: string, secrets: readonly string[]): string {
  const key = JSON.stringify(secrets);
  if (cached?.key !== key) cached = { key, masker: secretMasker(secrets) };
  return cached.masker(text);
}
