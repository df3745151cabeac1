import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, utimesSync } from 'node:fs';
import { dirname, isAbsolute, join } from 'node:path';
import { isSensitive, Sensitive } from '../shell/sensitive.js';
import { parseDotEnv } from './dotenv.js';
import { readPrivate, userCacheDir, writePrivate } from './user-cache.js';
import { interpolate } from './interpolate.js';
import { isMapping } from './path.js';
import type { Env, LoadOptions } from './load.js';
import type { Config } from './types.js';

// A deploy.yml whose inputs did not change since the last run is not read again: its Config comes from a cache
// entry, without the YAML reader or zod (neither is even imported then). The entry's name hashes what is known
// before reading (this build, the file's path and bytes, the .env next to it, the stage); inside it, the rest of
// what the Config was made from (the environment variables read while interpolating, the recipe file, the task
// modules) is checked before it is used. A config with problems is never cached: its messages come from a fresh
// read. No secret's value is ever written: see `secretTemplates`.

/** Set by scripts/build.mjs: a hash of the sources the CLI was built from. */
declare const __DEPLOY_BUILD__: string | undefined;

/** Without a build id (run from src/ by tsx or vitest), entries live for one process only: the code may change. */
const BUILD = typeof __DEPLOY_BUILD__ === 'string' ? __DEPLOY_BUILD__ : `source-${process.pid}-${Date.now()}`;

/** Entries kept; older ones (by last use) are removed after a write. */
export const CACHE_ENTRIES = 32;

const FORMAT = 1;
const SECRET = '\u0000secret';
const TASK_DIR = join('deploy', 'tasks');

export interface ConfigCache {
  readonly dir: string;
  /** What the entries were made by; an entry of another build is never read. */
  readonly build: string;
  readonly entries: number;
}

/**
 * The per-user cache of Configs: $XDG_CACHE_HOME/deploy/config, else ~/.cache/deploy/config. Off with
 * DEPLOY_NO_CACHE=1, and off when the directory is another user's or others may write to it.
 */
export function configCache(env: Env = process.env): ConfigCache | undefined {
  const dir = userCacheDir(env, 'config');
  return dir === undefined ? undefined : { dir, build: BUILD, entries: CACHE_ENTRIES };
}

type CachedLoad = LoadOptions & { readonly file: string };

/** loadConfig, through the cache when there is one. `file`: an absolute path. */
export async function loadConfigCached(options: CachedLoad, cache: ConfigCache | undefined): Promise<Config> {
  const env = options.env ?? process.env;
  const key = cache ? entryKey(cache, options.file, options.stage) : undefined;
  const hit = cache && key ? readEntry(cache, key, env) : undefined;
  if (hit) return hit;

  const { loadConfig, loadRaw } = await import('./load.js');
  const read = new Set<string>();
  const recording: Env = new Proxy(env, {
    get: (target, name) => {
      if (typeof name === 'string') read.add(name);
      return target[name as string];
    },
  });
  const config = loadConfig({ ...options, env: recording });
  // deploy.yml or .env edited while it was read: the entry's name would not say what the Config was made from.
  if (cache && key && entryKey(cache, options.file, options.stage) === key) {
    const { resolvePackage } = await import('./recipe.js');
    const secrets = secretTemplates(config, () => loadRaw(options.file), expander(options.file, env));
    if (secrets) writeEntry(cache, key, config, secrets, [...read].sort(), env, (m) => resolvePackage(m, dirname(config.file)));
  }
  return config;
}

/** The cached Config, if there is one whose inputs all still hold. */
export function readCachedConfig(options: CachedLoad, cache: ConfigCache): Config | undefined {
  const key = entryKey(cache, options.file, options.stage);
  return key ? readEntry(cache, key, options.env ?? process.env) : undefined;
}

// ── keys and inputs ───────────────────────────────────────────────────────────────────────────────────────────

const sha256 = (...parts: readonly (string | Buffer)[]) => {
  const h = createHash('sha256');
  for (const p of parts) h.update(typeof p === 'string' ? `${p.length}:${p}` : Buffer.concat([Buffer.from(`${p.length}:`), p]));
  return h.digest('hex');
};

const bytesOf = (path: string): Buffer | undefined => {
  try {
    return readFileSync(path);
  } catch {
    return undefined;
  }
};

/** The entry's name: this build, deploy.yml's path and bytes, the .env next to it, the stage. Undefined: no file. */
function entryKey(cache: ConfigCache, file: string, stage: string): string | undefined {
  const yml = bytesOf(file);
  if (!yml) return undefined;
  const dotenv = bytesOf(join(dirname(file), '.env'));
  return sha256(String(FORMAT), cache.build, file, stage, yml, dotenv ? 'env' : 'no-env', dotenv ?? '');
}

/** What else the Config was made from, as checked on every use of the entry. */
interface Inputs {
  /** Names of the environment variables interpolation asked for, and a hash of their values (unset included). */
  readonly env: readonly string[];
  readonly envHash: string;
  /** Files and what they held: a sha256, `exists` (only its presence counts), or null (absent). */
  readonly files: readonly (readonly [string, string | null])[];
  /** deploy/tasks/ next to deploy.yml: its file names, or null when there is none. */
  readonly taskDir: readonly string[] | null;
}

const envHash = (names: readonly string[], env: Env) =>
  sha256(...names.flatMap((n) => [n, env[n] === undefined ? '\u0000unset' : `=${env[n]}`]));

const fileState = (path: string, how: 'sha256' | 'exists'): string | null => {
  if (how === 'exists') return existsSync(path) ? 'exists' : null;
  const bytes = bytesOf(path);
  return bytes ? sha256(bytes) : null;
};

function taskListing(file: string): string[] | null {
  try {
    return readdirSync(join(dirname(file), TASK_DIR)).sort();
  } catch {
    return null;
  }
}

function inputsHold(inputs: Inputs, file: string, env: Env): boolean {
  if (envHash(inputs.env, env) !== inputs.envHash) return false;
  for (const [path, state] of inputs.files)
    if (fileState(path, state === null || state === 'exists' ? 'exists' : 'sha256') !== state) return false;
  const listing = taskListing(file);
  return JSON.stringify(listing) === JSON.stringify(inputs.taskDir);
}

// ── secrets ───────────────────────────────────────────────────────────────────────────────────────────────────

/** Interpolation as the loader does it: variables first, then the .env file next to deploy.yml. */
function expander(file: string, env: Env): (template: string) => string | undefined {
  let dotenv: Readonly<Record<string, string>> | undefined;
  const lookup = (name: string) => {
    if (env[name] !== undefined) return env[name];
    dotenv ??= parseDotEnv(bytesOf(join(dirname(file), '.env'))?.toString('utf8') ?? '').vars;
    return dotenv[name];
  };
  return (template) => {
    const r = interpolate(template, lookup);
    return r.ok ? r.value : undefined;
  };
}

/**
 * How each secret is written in deploy.yml (`{ secret: "${DB_PASSWORD}" }`, `"postgres://app:${DB_PASS}@db/app"`):
 * the entry keeps that text and the value is interpolated again from the environment when the entry is used.
 * Undefined (not cached) when a secret has no `${…}` (its value, written out, would be copied into the entry), or
 * when its value or the value of a variable in it also appears in another string of the Config (a token
 * interpolated into `repository` or a task's `run` as well).
 */
function secretTemplates(
  config: Config,
  readRaw: () => unknown,
  expand: (template: string) => string | undefined,
): Map<string, string> | undefined {
  const out = new Map<string, string>();
  const secrets = Object.entries(config.env).filter((e): e is [string, Sensitive] => isSensitive(e[1]));
  if (secrets.length === 0) return out;
  const strings = collectStrings(config);
  const raw = readRaw();
  for (const [name, value] of secrets) {
    const template = writtenSecret(raw, config.stage, name);
    if (template === undefined || expand(template) !== value.reveal()) return undefined;
    const parts = [...template.matchAll(/\$\{[^}]*\}/g)].map((m) => expand(m[0]));
    if (parts.length === 0) return undefined;
    for (const part of [value.reveal(), ...parts])
      if (part === undefined || (part !== '' && strings.some((s) => s.includes(part)))) return undefined;
    out.set(name, template);
  }
  return out;
}

function writtenSecret(raw: unknown, stage: string, name: string): string | undefined {
  const secretOf = (env: unknown): string | undefined => {
    const entry = mapping(env)?.[name];
    const s = mapping(entry)?.secret;
    return typeof s === 'string' ? s : undefined;
  };
  const root = mapping(raw);
  const staged = mapping(mapping(root?.stages)?.[stage]);
  return staged && mapping(staged.env) && Object.hasOwn(mapping(staged.env)!, name) ? secretOf(staged.env) : secretOf(root?.env);
}

const mapping = (v: unknown): Record<string, unknown> | undefined => (isMapping(v) ? v : undefined);

function collectStrings(v: unknown, out: string[] = []): string[] {
  if (typeof v === 'string') out.push(v);
  else if (Array.isArray(v)) for (const x of v) collectStrings(x, out);
  else if (v !== null && typeof v === 'object' && !isSensitive(v)) for (const x of Object.values(v)) collectStrings(x, out);
  return out;
}

// ── entries ───────────────────────────────────────────────────────────────────────────────────────────────────

interface Entry {
  readonly format: number;
  readonly build: string;
  readonly file: string;
  readonly stage: string;
  readonly inputs: Inputs;
  readonly config: unknown;
}

/** A Config as JSON; a secret is `{ "\0secret": "${VAR}", label }`, its text as written, never its value. */
function encode(v: unknown, secrets: ReadonlyMap<string, string>): unknown {
  if (isSensitive(v)) return { [SECRET]: secrets.get(v.label ?? '') ?? '', label: v.label };
  if (Array.isArray(v)) return v.map((x) => encode(x, secrets));
  if (v === null || typeof v !== 'object') return v;
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(v)) out[k] = encode((v as Record<string, unknown>)[k], secrets);
  return out;
}

/** The Config back, frozen as config/resolve.ts freezes it; undefined when a secret cannot be read again. */
function decode(v: unknown, expand: (template: string) => string | undefined): unknown {
  if (Array.isArray(v)) {
    const items = v.map((x) => decode(x, expand));
    return items.includes(UNREADABLE) ? UNREADABLE : Object.freeze(items);
  }
  if (v === null || typeof v !== 'object') return v;
  const o = v as Record<string, unknown>;
  if (typeof o[SECRET] === 'string') {
    const value = expand(o[SECRET]);
    return value === undefined ? UNREADABLE : new Sensitive(value, typeof o.label === 'string' ? o.label : undefined);
  }
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(o)) {
    const x = decode(o[k], expand);
    if (x === UNREADABLE) return UNREADABLE;
    out[k] = x;
  }
  return Object.freeze(out);
}

const UNREADABLE = Symbol('unreadable');

const entryPath = (cache: ConfigCache, key: string) => join(cache.dir, `${key}.json`);

function readEntry(cache: ConfigCache, key: string, env: Env): Config | undefined {
  const path = entryPath(cache, key);
  const bytes = readPrivate(cache.dir, `${key}.json`);
  if (!bytes) return undefined;
  let entry: Entry;
  try {
    entry = JSON.parse(bytes.toString('utf8')) as Entry;
  } catch {
    return undefined;
  }
  if (entry?.format !== FORMAT || entry.build !== cache.build || !entry.inputs || !Array.isArray(entry.inputs.env)) return undefined;
  if (!inputsHold(entry.inputs, entry.file, env)) return undefined;
  const config = decode(entry.config, expander(entry.file, env));
  if (config === UNREADABLE || mapping(config)?.file !== entry.file) return undefined;
  try {
    utimesSync(path, new Date(), new Date());
  } catch {
    // Last use only orders the clean-up.
  }
  return config as Config;
}

function writeEntry(
  cache: ConfigCache,
  key: string,
  config: Config,
  secrets: ReadonlyMap<string, string>,
  envNames: readonly string[],
  env: Env,
  resolveModule: (name: string) => string | undefined,
): void {
  const files: [string, string | null][] = [];
  if (config.recipeFile) files.push([config.recipeFile, fileState(config.recipeFile, 'sha256')]);
  for (const m of config.modules ?? []) {
    const path = isAbsolute(m) ? m : resolveModule(m);
    if (path) files.push([path, fileState(path, 'exists')]);
  }
  const entry: Entry = {
    format: FORMAT,
    build: cache.build,
    file: config.file,
    stage: config.stage,
    inputs: { env: envNames, envHash: envHash(envNames, env), files, taskDir: taskListing(config.file) },
    config: encode(config, secrets),
  };
  writePrivate(cache.dir, `${key}.json`, JSON.stringify(entry), { keep: cache.entries, suffix: '.json' });
}
