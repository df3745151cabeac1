/**
 * OpenSSH client config (~/.ssh/config), pure: parse once, then look up the settings for one alias.
 * Supported: `Host` pattern lists (`*`, `?`, `!negation`), first value wins per keyword (IdentityFile
 * accumulates), `Keyword=value`, quoted arguments, `Include` through an injected reader, `%`/`~` tokens.
 * `Match` blocks are not evaluated: their settings never apply, and a note says so.
 */
import { matchPatternList } from './host-patterns.js';

/** Expands one Include argument (absolute, `~` already expanded; may hold globs) to the files it names. */
export type Includer = (pattern: string) => ReadonlyArray<{ readonly path: string; readonly text: string }>;

type Condition = { readonly kind: 'host'; readonly patterns: readonly string[] } | { readonly kind: 'never' };

interface Directive {
  readonly keyword: string;
  readonly args: readonly string[];
  readonly where: string;
  readonly when: readonly Condition[];
}

export interface SshConfigFile {
  readonly directives: readonly Directive[];
  /** Things that were skipped, as `file:line: what`, for a verbose log. */
  readonly notes: readonly string[];
}

export interface ParseOptions {
  readonly file?: string;
  readonly home?: string;
  /** Without one, Include lines are skipped with a note. */
  readonly include?: Includer;
}

const MAX_INCLUDE_DEPTH = 16;

export function parseSshConfig(text: string, options: ParseOptions = {}): SshConfigFile {
  const directives: Directive[] = [];
  const notes: string[] = [];
  parseInto(text, options.file ?? 'ssh_config', [], 0, options, directives, notes);
  return { directives, notes };
}

function parseInto(
  text: string,
  file: string,
  outer: readonly Condition[],
  depth: number,
  options: ParseOptions,
  directives: Directive[],
  notes: string[],
): void {
  let block: Condition | undefined;
  text.split(/\r?\n/).forEach((rawLine, i) => {
    const where = `${file}:${i + 1}`;
    const parsed = splitLine(rawLine);
    if (parsed === undefined) return;
    if (typeof parsed === 'string') {
      notes.push(`${where}: ${parsed}`);
      return;
    }
    const { keyword, args } = parsed;
    const when = block ? [...outer, block] : outer;
    if (keyword === 'host') {
      block = { kind: 'host', patterns: args };
    } else if (keyword === 'match') {
      block = { kind: 'never' };
      notes.push(`${where}: Match blocks are not supported; their settings are ignored`);
    } else if (keyword === 'include') {
      if (!options.include) {
        notes.push(`${where}: Include not followed (no reader given)`);
        return;
      }
      if (depth >= MAX_INCLUDE_DEPTH) {
        notes.push(`${where}: Include nested too deeply; skipped`);
        return;
      }
      for (const arg of args) {
        for (const inc of options.include(includePath(arg, options.home))) {
          parseInto(inc.text, inc.path, when, depth + 1, options, directives, notes);
        }
      }
    } else {
      directives.push({ keyword, args, where, when });
    }
  });
}

function includePath(arg: string, home: string | undefined): string {
  if (home === undefined) return arg;
  if (arg === '~' || arg.startsWith('~/')) return home + arg.slice(1);
  return arg.startsWith('/') ? arg : `${home}/.ssh/${arg}`;
}

/** `Keyword value…` or `Keyword=value…`; undefined for blank and comment lines, a string for a bad line. */
function splitLine(line: string): { keyword: string; args: string[] } | string | undefined {
  const trimmed = line.trim();
  if (trimmed === '' || trimmed.startsWith('#')) return undefined;
  const m = /^([A-Za-z][A-Za-z0-9]*)(?:\s*=\s*|\s+)(.*)$/.exec(trimmed);
  if (!m) return `cannot read "${trimmed}"`;
  const args: string[] = [];
  const rest = m[2]!;
  let i = 0;
  while (i < rest.length) {
    while (i < rest.length && /\s/.test(rest[i]!)) i++;
    if (i >= rest.length || rest[i] === '#') break;
    let arg = '';
    while (i < rest.length && !/\s/.test(rest[i]!)) {
      const ch = rest[i]!;
      if (ch === '"' || ch === "'") {
        const end = rest.indexOf(ch, i + 1);
        if (end === -1) return `unterminated quote in "${trimmed}"`;
        arg += rest.slice(i + 1, end);
        i = end + 1;
      } else {
        arg += ch;
        i++;
      }
    }
    args.push(arg);
  }
  if (args.length === 0) return `${m[1]} has no value`;
  return { keyword: m[1]!.toLowerCase(), args };
}

export type StrictHostKeyChecking = 'yes' | 'no' | 'accept-new' | 'ask';

/** The settings that apply to one alias; only what the deploy tool uses. Paths are expanded. */
export interface SshHostConfig {
  readonly hostName?: string;
  readonly user?: string;
  readonly port?: number;
  readonly identityFiles: readonly string[];
  readonly identitiesOnly?: boolean;
  /** `[user@]host[:port]`, comma-separated for several hops; absent for `none`. */
  readonly proxyJump?: string;
  /** Set when the config uses ProxyCommand, which this tool does not run. */
  readonly proxyCommand?: string;
  readonly userKnownHostsFiles?: readonly string[];
  readonly strictHostKeyChecking?: StrictHostKeyChecking;
  readonly forwardAgent?: boolean;
  readonly hostKeyAlias?: string;
  /** Seconds. */
  readonly connectTimeout?: number;
  /** Seconds. */
  readonly serverAliveInterval?: number;
  /** Values that were present but invalid, as `file:line: why`. */
  readonly problems: readonly string[];
  /** Where the settings that deploy.yml overrules were set, as `file:line`, for the warning that says so. */
  readonly at?: { readonly strictHostKeyChecking?: string; readonly forwardAgent?: string };
}

export interface LookupContext {
  readonly home: string;
  readonly localUser: string;
}

export function lookupSshHost(config: SshConfigFile, alias: string, ctx: LookupContext): SshHostConfig {
  const first = new Map<string, Directive>();
  const identity: Directive[] = [];
  for (const d of config.directives) {
    if (!d.when.every((c) => c.kind === 'host' && matchPatternList(c.patterns, alias))) continue;
    if (d.keyword === 'identityfile') identity.push(d);
    else if (!first.has(d.keyword)) first.set(d.keyword, d);
  }
  const problems: string[] = [];
  const arg = (k: string) => first.get(k)?.args[0];
  const bool = (k: string): boolean | undefined => {
    const v = arg(k)?.toLowerCase();
    if (v === undefined) return undefined;
    if (v === 'yes' || v === 'true') return true;
    if (v === 'no' || v === 'false') return false;
    problems.push(`${first.get(k)!.where}: expected yes or no, got "${v}"`);
    return undefined;
  };
  const seconds = (k: string): number | undefined => {
    const v = arg(k);
    if (v === undefined) return undefined;
    if (/^\d+$/.test(v)) return Number(v);
    problems.push(`${first.get(k)!.where}: expected a number of seconds, got "${v}"`);
    return undefined;
  };

  const hostName = arg('hostname') === undefined ? undefined : expandTokens(arg('hostname')!, { h: alias, n: alias }, ctx);
  const user = arg('user');
  let port: number | undefined;
  const portText = arg('port');
  if (portText !== undefined) {
    const n = Number(portText);
    if (/^\d+$/.test(portText) && n >= 1 && n <= 65535) port = n;
    else problems.push(`${first.get('port')!.where}: invalid port "${portText}"`);
  }
  const tokens: Record<string, string> = {
    h: hostName ?? alias,
    n: alias,
    r: user ?? ctx.localUser,
    p: String(port ?? 22),
  };
  const path = (p: string) => expandTokens(p, tokens, ctx);

  const identityFiles = [
    ...new Set(
      identity
        .flatMap((d) => d.args)
        .filter((a) => a.toLowerCase() !== 'none')
        .map(path),
    ),
  ];
  const known = first.get('userknownhostsfile')?.args;
  const jump = arg('proxyjump');
  const strictText = arg('stricthostkeychecking')?.toLowerCase();
  let strictHostKeyChecking: StrictHostKeyChecking | undefined;
  if (strictText !== undefined) {
    const map: Record<string, StrictHostKeyChecking> = {
      yes: 'yes',
      true: 'yes',
      no: 'no',
      off: 'no',
      false: 'no',
      'accept-new': 'accept-new',
      ask: 'ask',
    };
    strictHostKeyChecking = map[strictText];
    if (strictHostKeyChecking === undefined) {
      problems.push(`${first.get('stricthostkeychecking')!.where}: invalid StrictHostKeyChecking "${strictText}"`);
    }
  }
  const proxyCommand = first.get('proxycommand')?.args.join(' ');
  const hostKeyAlias = arg('hostkeyalias');

  return {
    ...(hostName !== undefined ? { hostName } : {}),
    ...(user !== undefined ? { user } : {}),
    ...(port !== undefined ? { port } : {}),
    identityFiles,
    ...optional('identitiesOnly', bool('identitiesonly')),
    ...(jump !== undefined && jump.toLowerCase() !== 'none' ? { proxyJump: jump } : {}),
    ...(proxyCommand !== undefined && proxyCommand.toLowerCase() !== 'none' ? { proxyCommand } : {}),
    ...(known !== undefined ? { userKnownHostsFiles: known.filter((a) => a.toLowerCase() !== 'none').map(path) } : {}),
    ...optional('strictHostKeyChecking', strictHostKeyChecking),
    ...optional('forwardAgent', bool('forwardagent')),
    ...(hostKeyAlias !== undefined ? { hostKeyAlias } : {}),
    ...optional('connectTimeout', seconds('connecttimeout')),
    ...optional('serverAliveInterval', seconds('serveraliveinterval')),
    problems,
    at: {
      ...optional('strictHostKeyChecking', first.get('stricthostkeychecking')?.where),
      ...optional('forwardAgent', first.get('forwardagent')?.where),
    },
  };
}

function optional<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: V };
}

/** `~` at the start, and `%d %u %h %n %r %p %%` anywhere, as ssh_config(5) TOKENS describes. */
export function expandTokens(text: string, tokens: Readonly<Record<string, string>>, ctx: LookupContext): string {
  const all: Record<string, string> = { d: ctx.home, u: ctx.localUser, '%': '%', ...tokens };
  const expanded = text.replace(/%(.)/g, (whole, c: string) => all[c] ?? whole);
  if (expanded === '~' || expanded.startsWith('~/')) return ctx.home + expanded.slice(1);
  return expanded;
}
