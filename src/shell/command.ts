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
  /** A chain (commands/chain.ts): the steps' commands its script runs, in order, each reported as its own. */
  readonly chain?: readonly ChainPart[];
  /** What the command does when it succeeds, as directory operations a backend may do without a shell (DirOps). */
  readonly dirs?: DirOps;
  /**
   * It changes nothing of the shell it runs in (no `cd`, `exit`, `export`, variable or option): composed, it runs
   * in a `{ }` group of the shell, not a subshell of its own (no fork). Only when it has no cwd or env either.
   */
  readonly pure?: boolean;
}

/**
 * The effect of a command that makes directories, for a backend that can make them without starting a shell (the
 * SSH backend, over SFTP): `emptied` is removed when it is an empty directory, each of `ensure` is made unless it is
 * one, then `create` is made. When any of that does not go as planned (`emptied` holds something, `create` exists, a
 * directory cannot be made) the backend runs the command's text instead, which does all of it and says what failed:
 * everything before `create` is what that text does first anyway.
 */
export interface DirOps {
  readonly emptied?: string;
  readonly ensure: readonly string[];
  readonly create: string;
}

/** One step's commands on one host, within a chain. */
export interface ChainPart {
  readonly step: string;
  readonly commands: readonly Command[];
  /** A failure skips the rest of this part's commands and the chain goes on with the next part. */
  readonly goOn?: boolean;
}

export interface CommandOptions {
  effect?: Effect;
  description?: string;
  cwd?: string;
  env?: Readonly<Record<string, string | Sensitive>>;
  dirs?: DirOps;
  pure?: boolean;
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

/**
 * A shell snippet (deploy.yml, a recipe, a task module, `deploy run`) as a token: a child `sh` runs it exactly as
 * `sh -c '<text>'` would, wherever it is composed — `set -e` works and its exit status decides, also under `&&`,
 * `||`, `if` or `!`. Its text reaches that `sh` through a here-document, never through an argument list.
 */
export class Snippet extends Raw {}

/** A deliberate shell snippet (from deploy.yml or a recipe), run as written by its own `sh`. */
export const script = (text: string, options: CommandOptions = {}): Command => cmd([new Snippet(text)], options);

/** Raw text that binds tighter than `&&`, `||` and `;`: a pipe or a redirection such as `2>&1`, `>>`, `<`. */
const TIGHT = /^(?:\||\d*(?:>>|>&|<&|<>|>\||>|<)(?:\d+|-)?)$/;

/**
 * Tokens are safe to put next to `&&`, `||`, `;` or `|` as they are only when every Raw among them binds tighter
 * than those operators; anything else (`a || b`, `a; b`, a user's multi-line snippet) is grouped, or a cwd/env
 * prefix would apply to part of it only and a failed `cd` would let the rest run in the wrong directory.
 */
function group(tokens: readonly Token[], braces = false): Token[] {
  const verbatim = tokens.filter((t): t is Raw => t instanceof Raw && !(t instanceof AssignSecret) && !(t instanceof Snippet));
  const loose = verbatim.some((t) => !TIGHT.test(t.text));
  if (!loose) return [...tokens];
  // A newline before `)` keeps a trailing `# comment` or a here-document's end marker from swallowing it.
  const multiline = verbatim.some((t) => /[\n#]/.test(t.text));
  if (braces) return [raw('{'), ...tokens, raw(multiline ? '\n}' : '; }')];
  return [raw('('), ...tokens, raw(multiline ? '\n)' : ')')];
}

/** A pure command without cwd or env: safe to run in the composing shell itself (Command.pure). */
export const shareable = (c: Command): boolean => c.pure === true && c.cwd === undefined && c.env === undefined;

function join(op: string, parts: readonly Command[], options: CommandOptions): Command {
  if (parts.length === 0) throw new Error(`cannot join zero commands with ${op}`);
  const tokens: Token[] = [];
  parts.forEach((p, i) => {
    if (i > 0) tokens.push(raw(op));
    tokens.push(...group(renderParts(p, 'keep'), shareable(p)));
  });
  const effect = options.effect ?? (parts.every((p) => p.effect === 'read') ? 'read' : 'write');
  const pure = options.pure ?? parts.every(shareable);
  return cmd(tokens, { ...options, effect, ...(pure ? { pure } : {}) });
}

/** A command's tokens, safe to put next to `&&`, `||`, `;` or `|`: in a `{ }` group when shareable, else a subshell. */
export const grouped = (c: Command): Token[] => group(renderParts(c, 'keep'), shareable(c));

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
  constructor(
    readonly name: string,
    readonly secret: Sensitive,
  ) {
    super(`${name}=${MASK}`);
  }
}

function renderToken(t: Token, mode: SecretMode): string {
  if (t instanceof AssignSecret) return `${t.name}=${mode === 'reveal' ? quote(t.secret.reveal()) : MASK}`;
  if (t instanceof Snippet) return `sh -c ${quote(t.text)}`;
  if (t instanceof Raw) return t.text;
  if (t instanceof Sensitive) return mode === 'reveal' ? quote(t.reveal()) : MASK;
  return quote(t);
}

// No space before a token that starts a new line: a here-document's end marker must stand alone on its line.
const joinTokens = (texts: readonly string[]): string =>
  texts.reduce((out, text, i) => (i === 0 ? text : text.startsWith('\n') ? out + text : `${out} ${text}`), '');

/**
 * The one place commands become shell text. Every string token is quoted; Raw tokens are verbatim.
 *
 * `mask` (the default) is for people and logs: secrets are `***` and a snippet shows as `sh -c '<snippet>'`.
 * `reveal` is the script a backend runs: secrets in clear, and each snippet is a shell function defined first
 * whose child `sh` reads the snippet from a here-document on fd 3 (`. /dev/fd/3`), so the snippet's text is never
 * an argument, its stdin stays the command's, and it runs whole in that `sh` as under `sh -c`. A snippet that is
 * one program with plain words runs without that `sh` (plainCommand).
 */
export function render(c: Command, mode: SecretMode = 'mask'): string {
  const tokens = renderParts(c, 'keep');
  if (mode === 'mask') return joinTokens(tokens.map((t) => renderToken(t, mode)));
  const functions: string[] = [];
  const main = tokens.map((t) => {
    if (!(t instanceof Snippet)) return renderToken(t, mode);
    const plain = plainCommand(t.text);
    if (plain) return plain;
    const name = `_deploy_snippet${functions.length + 1}`;
    functions.push(snippetFunction(name, t.text));
    return name;
  });
  return functions.join('') + joinTokens(main);
}

/** First words a shell does not look up as a program: reserved words and builtins of bash, dash and POSIX sh. */
const SHELL_WORDS = new Set(
  (
    '! { } [[ ]] case coproc do done elif else esac fi for function if in select then time until while ' +
    '. : [ alias bg bind break builtin caller cd chdir command compgen complete compopt continue declare dirs disown ' +
    'echo enable eval exec exit export false fc fg getopts hash help history jobs kill let local logout mapfile popd ' +
    'printf pushd pwd read readarray readonly return set shift shopt source suspend test times trap true type typeset ' +
    'ulimit umask unalias unset wait'
  ).split(' '),
);
/** Builtins that do the same in every shell, whatever their arguments. */
const NEUTRAL = new Set([':', 'true', 'false']);
/** A word that means itself to every shell: nothing in it is quoted, expanded, matched, redirected or commented. */
const PLAIN_WORD = /^[A-Za-z0-9_./:@%+,=-]+$/;

/**
 * A snippet that is one program with plain words (`hostname`, `npm run build`), which `sh -c` would only look up
 * on PATH and run, as the shell text that runs it without that `sh`: `( exec … )`, a fork and an exec where the
 * `sh` costs one of each more. `true`, `false` and `:` run in the shell itself. Undefined for anything else.
 */
function plainCommand(text: string): string | undefined {
  const words = text.trim().split(/[ \t]+/);
  const first = words[0]!;
  if (!words.every((w) => PLAIN_WORD.test(w))) return undefined;
  if (NEUTRAL.has(first)) return words.join(' ');
  if (SHELL_WORDS.has(first) || first.includes('=') || first.startsWith('-')) return undefined;
  return `( exec ${words.join(' ')} )`;
}

/**
 * `name() { sh -c '. /dev/fd/3' 3<<'END' … END }`: the here-document is the snippet with fd 3 closed first on its
 * own first line (so line numbers match and nothing it starts inherits fd 3), and ends on a line no text line equals.
 */
function snippetFunction(name: string, text: string): string {
  if (text.includes('\0')) throw new Error('a shell snippet cannot contain a NUL byte');
  // The end of a here-document needs a newline that `sh -c` never saw: an odd run of backslashes before it would
  // join it to the line, so one more keeps the last backslash literal, as at the end of `sh -c` text.
  const end = text.endsWith('\n') ? '' : /(?:^|[^\\])(?:\\\\)*\\$/.test(text) ? '\\\n' : '\n';
  const body = `exec 3<&-; ${text}${end}`;
  const marker = delimiter(body, 'DEPLOY_SNIPPET_END');
  return `${name}() { sh -c '. /dev/fd/3' 3<<'${marker}'\n${body}${marker}\n}\n`;
}

/** `base`, or `base_2`, `base_3` …: the first that is no line of `text`, to end a here-document of it. */
export function delimiter(text: string, base: string): string {
  const lines = new Set(text.split('\n'));
  let candidate = base;
  for (let n = 2; lines.has(candidate); n++) candidate = `${base}_${n}`;
  return candidate;
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

/** How messages name a command: its description, else its text (secrets masked) on one line, cut at `max`. */
export function describeCommand(c: Command, max = 120): string {
  const text = c.description ?? render(c).replace(/\s*\n\s*/g, ' ');
  return text.length > max ? `${text.slice(0, max - 3)}...` : text;
}
