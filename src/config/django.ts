/**
 * What a Django settings.py reads from the environment, found by reading its text (never by running it): the names
 * `deploy init --recipe django` must set, and what the settings do when they are not set.
 */
export interface DjangoSettings {
  /** The environment variable SECRET_KEY comes from, when it comes from one. */
  readonly secretKey?: string;
  readonly debug?: string;
  /** The value that turns DEBUG off for that variable (`False`, `0`, or empty for `bool(os.environ.get(…))`). */
  readonly debugOff?: string;
  readonly allowedHosts?: string;
  readonly databaseUrl?: string;
  /** The variable STATIC_URL is built from (e.g. whitenoise's DJANGO_STATIC_HOST), when it is built from one. */
  readonly staticUrl?: string;
  /** Every other variable the settings read, in order. */
  readonly others: readonly string[];
  readonly warnings: readonly string[];
}

/** One use of a variable: its name, and the default the code gives it (a Python literal), if any. */
interface EnvUse {
  readonly name: string;
  readonly fallback?: string;
}

const NAME = `['"]([A-Za-z_][A-Za-z0-9_]*)['"]`;
const LITERAL = `(?:'[^']*'|"[^"]*"|True|False|None|-?\\d+)`;
const USES: readonly RegExp[] = [
  new RegExp(`os\\.environ\\[\\s*${NAME}\\s*\\]`, 'g'),
  new RegExp(`os\\.environ\\.get\\(\\s*${NAME}(?:\\s*,\\s*(${LITERAL}))?`, 'g'),
  new RegExp(`os\\.getenv\\(\\s*${NAME}(?:\\s*,\\s*(${LITERAL}))?`, 'g'),
  // django-environ: env('X'), env.bool('X', default=True), env.list('X'), env.db('X'), env.str('X', 'x') …
  new RegExp(`\\benv(?:\\.[a-z_]+)?\\(\\s*${NAME}(?:\\s*,\\s*(?:default\\s*=\\s*)?(${LITERAL}))?`, 'g'),
];

/** `NAME = expression` at the top level, the expression running on while brackets are open. */
function assignments(text: string): Map<string, string> {
  const out = new Map<string, string>();
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const m = /^([A-Z_][A-Z0-9_]*)\s*(?::[^=]+)?=(?!=)\s*(.*)$/.exec(lines[i]!);
    if (!m) continue;
    let expr = m[2]!;
    let depth = bracketDepth(expr);
    while (depth > 0 && i + 1 < lines.length) {
      expr += `\n${lines[++i]}`;
      depth = bracketDepth(expr);
    }
    out.set(m[1]!, (out.has(m[1]!) ? `${out.get(m[1]!)}\n` : '') + expr);
  }
  return out;
}

function bracketDepth(code: string): number {
  let depth = 0;
  for (const c of stripStrings(code)) {
    if ('([{'.includes(c)) depth++;
    else if (')]}'.includes(c)) depth--;
  }
  return depth;
}

const stripStrings = (code: string) => code.replace(/#.*$/gm, '').replace(/'[^'\n]*'|"[^"\n]*"/g, "''");
const withoutComments = (code: string) => code.replace(/(^|\s)#.*$/gm, '$1');

function usesIn(code: string, envDefaults: ReadonlyMap<string, string>): EnvUse[] {
  const found: { at: number; use: EnvUse }[] = [];
  for (const re of USES) {
    for (const m of withoutComments(code).matchAll(re)) {
      const fallback = m[2] ?? envDefaults.get(m[1]!);
      found.push({ at: m.index, use: { name: m[1]!, ...(fallback !== undefined ? { fallback } : {}) } });
    }
  }
  // dj_database_url.config() reads DATABASE_URL unless told otherwise (env='X'); env.db() too.
  for (const m of code.matchAll(/dj_database_url\.config\(([^)]*)\)|\benv\.db(?:_url)?\(\s*\)/g)) {
    const named = m[1] !== undefined ? new RegExp(`env\\s*=\\s*${NAME}`).exec(m[1]) : null;
    const fallback = m[1] !== undefined ? new RegExp(`default\\s*=\\s*(${LITERAL})`).exec(m[1])?.[1] : undefined;
    found.push({ at: m.index, use: { name: named?.[1] ?? 'DATABASE_URL', ...(fallback !== undefined ? { fallback } : {}) } });
  }
  return found.sort((a, b) => a.at - b.at).map((f) => f.use);
}

/** django-environ's `environ.Env(DEBUG=(bool, True))`: defaults declared up front. */
function environDefaults(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const call of text.matchAll(/environ\.Env\(([^()]*(?:\([^()]*\)[^()]*)*)\)/g)) {
    for (const m of call[1]!.matchAll(new RegExp(`([A-Za-z_]\\w*)\\s*=\\s*\\(\\s*\\w+\\s*,\\s*(${LITERAL})\\s*\\)`, 'g')))
      out.set(m[1]!, m[2]!);
  }
  return out;
}

/** The uses in a setting, and in the settings it is built from (STATIC_URL = STATIC_HOST + '/static/'). */
function usesOf(setting: string, all: ReadonlyMap<string, string>, defaults: ReadonlyMap<string, string>): EnvUse[] {
  const expr = all.get(setting);
  if (expr === undefined) return [];
  const direct = usesIn(expr, defaults);
  if (direct.length > 0) return direct;
  const refs = [...stripStrings(expr).matchAll(/\b([A-Z_][A-Z0-9_]*)\b/g)].map((m) => m[1]!).filter((n) => n !== setting && all.has(n));
  return refs.flatMap((r) => usesIn(all.get(r)!, defaults));
}

const unquote = (literal: string) => literal.replace(/^['"]|['"]$/g, '');
const TRUTHY = new Set(['true', '1', 'yes', 'on']);

/** The value that makes DEBUG false, and whether DEBUG is on when the variable is not set. */
function debugOf(expr: string, use: EnvUse): { off: string; onByDefault: boolean } {
  const code = withoutComments(expr);
  if (/\bbool\(\s*os\.(?:environ\.get|getenv)\(/.test(expr)) {
    // bool('False') is True: only an empty value is false.
    return {
      off: '',
      onByDefault: use.fallback !== undefined && use.fallback !== "''" && use.fallback !== '""' && use.fallback !== 'None',
    };
  }
  const compared = /(==|!=)\s*(['"])([^'"]*)\2/.exec(expr);
  if (compared) {
    const [, op, , value] = compared;
    if (op === '!=') return { off: value!, onByDefault: unquote(use.fallback ?? "''") !== value };
    const off = TRUTHY.has(value!.toLowerCase()) ? (value === '1' ? '0' : value === value!.toLowerCase() ? 'false' : 'False') : '';
    return { off, onByDefault: use.fallback !== undefined && unquote(use.fallback) === value };
  }
  if (/\bint\(/.test(code)) return { off: '0', onByDefault: use.fallback !== undefined && unquote(use.fallback) !== '0' };
  // env.bool('DEBUG', default=True), env('DEBUG') with environ.Env(DEBUG=(bool, True)) …
  return { off: 'False', onByDefault: use.fallback !== undefined && TRUTHY.has(unquote(use.fallback).toLowerCase()) };
}

export function readDjangoSettings(text: string): DjangoSettings {
  const all = assignments(text);
  const defaults = environDefaults(text);
  const warnings: string[] = [];
  const first = (setting: string) => usesOf(setting, all, defaults)[0];

  const secret = first('SECRET_KEY');
  const secretExpr = all.get('SECRET_KEY');
  if (secretExpr !== undefined && !secret) {
    warnings.push(
      'SECRET_KEY is a string committed in settings.py: anyone with the code can forge sessions. Read it from the environment, e.g. SECRET_KEY = os.environ["DJANGO_SECRET_KEY"], and deploy init maps it',
    );
  } else if (secret?.fallback !== undefined && secret.fallback !== 'None') {
    warnings.push(
      `SECRET_KEY falls back to a key committed in settings.py when ${secret.name} is not set: deploy.yml sets ${secret.name}, but drop the fallback (os.environ["${secret.name}"]) so that a missing key stops the app instead of running on a public one`,
    );
  }

  const debugExpr = all.get('DEBUG');
  const debugUse = first('DEBUG');
  let debugOff: string | undefined;
  if (debugExpr !== undefined && !debugUse) {
    if (/^\s*True\b/.test(debugExpr))
      warnings.push(
        'DEBUG = True is committed in settings.py: production would show tracebacks and settings to anyone. Read it from the environment, off by default',
      );
  } else if (debugUse) {
    const d = debugOf(debugExpr ?? '', debugUse);
    debugOff = d.off;
    if (d.onByDefault) {
      warnings.push(
        `DEBUG is on unless ${debugUse.name} says otherwise: deploy.yml sets ${debugUse.name}: ${JSON.stringify(d.off)}, but make the default off so that a missing variable never shows tracebacks`,
      );
    }
  }

  const hostsExpr = all.get('ALLOWED_HOSTS');
  const hosts = first('ALLOWED_HOSTS');
  if (hostsExpr !== undefined && !hosts) {
    warnings.push(
      'ALLOWED_HOSTS is hard-coded in settings.py: the names the site answers to (and each host\'s address, which the recipe adds for the health check) cannot come from deploy.yml. Read it from the environment, e.g. ALLOWED_HOSTS = os.environ.get("DJANGO_ALLOWED_HOSTS", "localhost").split(","), then set it in deploy.yml',
    );
  }

  const database =
    usesOf('DATABASES', all, defaults).find((u) => /DATABASE|_URL$|^DB/.test(u.name)) ?? usesOf('DATABASES', all, defaults)[0];
  const staticUrl = first('STATIC_URL');
  const named = new Set(
    [secret?.name, debugUse?.name, hosts?.name, database?.name, staticUrl?.name, 'DJANGO_SETTINGS_MODULE'].filter(
      (n): n is string => n !== undefined,
    ),
  );
  const others: string[] = [];
  for (const u of usesIn(text, defaults)) if (!named.has(u.name) && !others.includes(u.name)) others.push(u.name);

  return {
    ...(secret ? { secretKey: secret.name } : {}),
    ...(debugUse ? { debug: debugUse.name, debugOff: debugOff ?? 'False' } : {}),
    ...(hosts ? { allowedHosts: hosts.name } : {}),
    ...(database ? { databaseUrl: database.name } : {}),
    ...(staticUrl ? { staticUrl: staticUrl.name } : {}),
    others,
    warnings,
  };
}
