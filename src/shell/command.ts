import { quote } from './quote.js';
import { MASK, Sensitive } from './sensitive.js';

/** Shell text inserted verbatim: operators, redirections, deliberate snippets (`$HOME`, globs). */
export class Raw {
  constructor(readonly text: string) {}
}
export const raw = (text: string): Raw => new Raw(text);

export type Token = string | Raw | Sensitive;

/** Reads change nothing and run for real in a dry run; writes are only printed there. */
export type Effect = 'read' | 'write';

export interface Command {
  readonly tokens: readonly Token[];
  readonly effect: Effect;
  /** One line for people: what this does and why. */
  readonly description?: string;
  readonly cwd?: string;
  readonly env?: Readonly<Record<string, string | Sensitive>>;
}

export interface CommandOptions {
  effect?: Effect;
  description?: string;
  cwd?: string;
  env?: Readonly<Record<string, string | Sensitive>>;
}

export function cmd(tokens: readonly Token[], options: CommandOptions = {}): Command {
  return Object.freeze({ ...options, tokens: Object.freeze([...tokens]), effect: options.effect ?? 'write' });
}

/** A read-only probe. */
export const read = (tokens: readonly Token[], options: Omit<CommandOptions, 'effect'> = {}): Command =>
  cmd(tokens, { ...options, effect: 'read' });

/** A write: changes state on the host. */
export const write = (tokens: readonly Token[], options: Omit<CommandOptions, 'effect'> = {}): Command =>
  cmd(tokens, { ...options, effect: 'write' });

/** A deliberate shell snippet (from deploy.yml or a recipe), run as written. */
export const script = (text: string, options: CommandOptions = {}): Command => cmd([raw(text)], options);

/** Raw text that binds tighter than `&&`, `||` and `;`: a pipe or a redirection such as `2>&1`, `>>`, `<`. */
const TIGHT = /^(?:\||\d*(?:>>|>&|<&|<>|>\||>|<)(?:\d+|-)?)$/;

/**
 * Tokens are safe to put next to `&&`, `||`, `;` or `|` as they are only when every Raw among them binds tighter
 * than those operators; anything else (`a || b`, `a; b`, a user's multi-line snippet) is grouped, or a cwd/env
 * prefix would apply to part of it only and a failed `cd` would let the rest run in the wrong directory.
 */
function group(tokens: readonly Token[]): Token[] {
  const loose = tokens.some((t) => t instanceof Raw && !(t instanceof AssignSecret) && !TIGHT.test(t.text));
  if (!loose) return [...tokens];
  // A newline before `)` keeps a trailing `# comment` or a here-document's end marker from swallowing it.
  const multiline = tokens.some((t) => t instanceof Raw && /[\n#]/.test(t.text));
  return [raw('('), ...tokens, raw(multiline ? '\n)' : ')')];
}

function join(op: string, parts: readonly Command[], options: CommandOptions): Command {
  if (parts.length === 0) throw new Error(`cannot join zero commands with ${op}`);
  const tokens: Token[] = [];
  parts.forEach((p, i) => {
    if (i > 0) tokens.push(raw(op));
    tokens.push(...group(renderParts(p, 'keep')));
  });
  const effect = options.effect ?? (parts.every((p) => p.effect === 'read') ? 'read' : 'write');
  return cmd(tokens, { ...options, effect });
}

/** a && b && c */
export const and = (parts: readonly Command[], options: CommandOptions = {}) => join('&&', parts, options);
/** a; b; c */
export const seq = (parts: readonly Command[], options: CommandOptions = {}) => join(';', parts, options);
/** a || b */
export const or = (parts: readonly Command[], options: CommandOptions = {}) => join('||', parts, options);
/** a | b */
export const pipe = (parts: readonly Command[], options: CommandOptions = {}) => join('|', parts, options);

export type SecretMode = 'mask' | 'reveal';

/** A command's tokens with its cwd/env wrapping applied (still tokens, so secrets stay typed). */
function renderParts(c: Command, _mode: 'keep'): Token[] {
  const prefix: Token[] = [];
  if (c.cwd !== undefined) prefix.push('cd', c.cwd, raw('&&'));
  const env = Object.entries(c.env ?? {});
  if (env.length > 0) {
    prefix.push(raw('export'));
    for (const [k, v] of env) {
      if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(k)) throw new Error(`invalid environment variable name: ${k}`);
      prefix.push(typeof v === 'string' ? raw(`${k}=${quote(v)}`) : new AssignSecret(k, v));
    }
    prefix.push(raw('&&'));
  }
  return prefix.length > 0 ? [...prefix, ...group(c.tokens)] : [...c.tokens];
}

class AssignSecret extends Raw {
  constructor(readonly name: string, readonly secret: Sensitive) {
    super(`${name}=${MASK}`);
  }
}

function renderToken(t: Token, mode: SecretMode): string {
  if (t instanceof AssignSecret) return `${t.name}=${mode === 'reveal' ? quote(t.secret.reveal()) : MASK}`;
  if (t instanceof Raw) return t.text;
  if (t instanceof Sensitive) return mode === 'reveal' ? quote(t.reveal()) : MASK;
  return quote(t);
}

/**
 * The one place commands become shell text. Every string token is quoted; Raw tokens are verbatim.
 * `mask` (the default) is for people and logs; only a backend executing the command asks for `reveal`.
 */
export function render(c: Command, mode: SecretMode = 'mask'): string {
  // No space before a token that starts a new line: a here-document's end marker must stand alone on its line.
  return renderParts(c, 'keep')
    .map((t) => renderToken(t, mode))
    .reduce((out, text, i) => (i === 0 ? text : text.startsWith('\n') ? out + text : `${out} ${text}`), '');
}

/** Every secret value a command carries, so a backend can mask them in what the host prints back. */
export function secretsOf(c: Command): string[] {
  const out: string[] = [];
  for (const t of renderParts(c, 'keep')) {
    if (t instanceof AssignSecret) out.push(t.secret.reveal());
    else if (t instanceof Sensitive) out.push(t.reveal());
  }
  return out;
}
