import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { basename, dirname, extname, isAbsolute, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ConfigIssue } from '../errors.js';
import { describeValue, unknownKeyMessage, type Problem } from './issues.js';
import { isRecipePath } from './recipe-ref.js';
import { formatPath, isMapping, pathKey, type KeyPath } from './path.js';
import { EXTENSION_PREFIX, SETTING_KEYS } from './sections/settings.js';
import { NAME } from './sections/primitives.js';
import { didYouMean } from './suggest.js';
import { HOOK_POINTS } from './types.js';
import { decodeUtf8, readYaml } from './yaml.js';
import { toPlain, type SourceSpans } from './yaml-plain.js';

/** The recipes shipped with deploy: <package>/recipes, from src/config (tsx) and dist/config alike. */
export const RECIPES_DIR = fileURLToPath(new URL('../../recipes/', import.meta.url));

/** Keys a recipe may set: those of deploy.yml's top level, less the ones that only make sense for one project. */
export const RECIPE_KEYS: readonly string[] = SETTING_KEYS.filter((k) => k !== 'recipe');

/** Names of the recipes in `dir` (default: the shipped ones), sorted. */
export function availableRecipes(dir = RECIPES_DIR): string[] {
  try {
    return readdirSync(dir)
      .filter((f) => f.endsWith('.yml') && NAME.test(f.slice(0, -4)))
      .map((f) => f.slice(0, -4))
      .sort();
  } catch {
    return [];
  }
}

export interface Recipe {
  /** As written in `recipe:`. */
  readonly ref: string;
  readonly file: string;
  /** How messages name the file. */
  readonly display: string;
  /** The recipe's settings, as written (recipes are not interpolated: `${…}` in them is for the remote shell). */
  readonly values: Record<string, unknown>;
  readonly spans: SourceSpans;
  /** Problems of the file itself (syntax, unknown keys), placed in it. */
  readonly issues: readonly ConfigIssue[];
}

export type RecipeLookup = { readonly recipe: Recipe } | { readonly problem: string };

/**
 * Reads recipes by reference, each file once per load. `display` names files the way the loader names
 * deploy.yml (relative to the working directory when below it).
 */
export function recipeReader(configDir: string, display: (path: string) => string, dir = RECIPES_DIR) {
  const cache = new Map<string, RecipeLookup>();
  return (ref: string): RecipeLookup => {
    let found = cache.get(ref);
    if (!found) {
      found = readRecipe(ref, configDir, display, dir);
      cache.set(ref, found);
    }
    return found;
  };
}

function readRecipe(ref: string, configDir: string, display: (path: string) => string, dir: string): RecipeLookup {
  const file = isRecipePath(ref) ? resolve(configDir, ref) : join(dir, `${ref}.yml`);
  if (!existsSync(file)) {
    if (isRecipePath(ref)) return { problem: `recipe file ${display(file)} does not exist` };
    const names = availableRecipes(dir);
    return {
      problem:
        `unknown recipe \`${ref}\`${didYouMean(ref, names)}; recipes: ${names.join(', ') || '(none)'}, ` +
        'or a path to your own .yml file (e.g. ./deploy/recipe.yml)',
    };
  }
  let bytes: Buffer;
  try {
    bytes = readFileSync(file);
  } catch (e) {
    return { problem: `cannot read recipe file ${display(file)}: ${(e as Error).message}` };
  }
  const shown = display(file);
  const decoded = decodeUtf8(bytes);
  if (!('text' in decoded)) {
    const issue = {
      file: shown,
      line: decoded.line,
      column: decoded.column,
      path: '',
      message: `not UTF-8: byte 0x${decoded.byte.toString(16).padStart(2, '0')} cannot be read as text`,
    };
    return { recipe: { ref, file, display: shown, values: {}, spans: toPlain(readYaml(''), (n) => n.value).spans, issues: [issue] } };
  }
  const text = decoded.text;
  const yaml = readYaml(text);
  const at = (offset: number, path: KeyPath | undefined, message: string): ConfigIssue => {
    const { line, col } = yaml.lines.linePos(offset);
    return { file: shown, line, column: col, path: path ? formatPath(path) : '', message };
  };
  if (yaml.syntaxErrors.length > 0) {
    const issues = yaml.syntaxErrors.map((e) => at(e.offset, e.path, e.message));
    return { recipe: { ref, file, display: shown, values: {}, spans: toPlain(yaml, (n) => n.value).spans, issues } };
  }
  const { value, spans, problems } = toPlain(yaml, (node) => node.value, {
    skip: (path) => path.length === 1 && String(path[0]).startsWith(EXTENSION_PREFIX),
  });
  const issues = problems.map((p) => at(p.offset, p.path, p.message));
  const place = (p: Problem): ConfigIssue => {
    const { line, column } = spans.position(p.path, p.at);
    return { file: shown, line, column, path: formatPath(p.path), message: p.message };
  };
  const values: Record<string, unknown> = {};
  if (value !== null && !isMapping(value)) {
    issues.push(place({ path: [], message: `expected a mapping of deploy.yml settings, found ${describeValue(value)}` }));
  } else if (isMapping(value)) {
    for (const [key, v] of Object.entries(value)) {
      if (key.startsWith(EXTENSION_PREFIX)) continue;
      if (RECIPE_KEYS.includes(key)) values[key] = v;
      else issues.push(place({ path: [key], at: 'key', message: recipeKeyMessage(key) }));
    }
  }
  return { recipe: { ref, file, display: shown, values, spans, issues } };
}

function recipeKeyMessage(key: string): string {
  if (key === 'stages' || key === 'hosts') return `a recipe cannot set \`${key}\`: hosts and stages belong to deploy.yml`;
  if (key === 'recipe') return 'a recipe cannot name another recipe';
  return unknownKeyMessage(key, RECIPE_KEYS);
}

/** Where a path of the merged settings was written: in the recipe, or in deploy.yml (a path of the user's value). */
export type Origin = { readonly recipe: true; readonly path: KeyPath } | { readonly recipe: false; readonly path: KeyPath };

export interface WithRecipe {
  readonly value: Record<string, unknown>;
  origin(path: KeyPath): Origin;
}

const isHookList = (path: KeyPath) =>
  path.length === 3 &&
  path[0] === 'hooks' &&
  (path[1] === 'before' || path[1] === 'after') &&
  (HOOK_POINTS as readonly unknown[]).includes(path[2]);

const hookItems = (v: unknown): unknown[] | undefined => (typeof v === 'string' ? [v] : Array.isArray(v) ? v : undefined);

interface Joined {
  /** Items of the recipe in front of the user's. */
  readonly count: number;
  /** A single task name written as a string has no index in its file. */
  readonly recipeString: boolean;
  readonly userString: boolean;
}

/**
 * The recipe under the user's settings (top level and stage already merged, `null`s kept): the user's keys win,
 * mappings merge key by key, lists and values replace, and `~` removes what the recipe set — except hook lists,
 * which run the recipe's tasks first, then the user's (`~` at a hook point drops the recipe's there).
 */
export function applyRecipe(recipe: Record<string, unknown>, user: Record<string, unknown>): WithRecipe {
  const fromRecipe = new Set<string>();
  const joined = new Map<string, Joined>();

  function merge(r: Record<string, unknown>, u: Record<string, unknown>, path: KeyPath): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const k of new Set([...Object.keys(r), ...Object.keys(u)])) {
      const p = [...path, k];
      const rv = r[k];
      const uv = u[k];
      if (!Object.hasOwn(u, k)) {
        if (rv === null || rv === undefined) continue;
        fromRecipe.add(pathKey(p));
        out[k] = rv;
      } else if (uv === null || uv === undefined) {
        // null in deploy.yml removes what the recipe sets: the key is left out.
      } else if (isHookList(p) && hookItems(rv) && hookItems(uv)) {
        const before = hookItems(rv)!;
        joined.set(pathKey(p), { count: before.length, recipeString: typeof rv === 'string', userString: typeof uv === 'string' });
        out[k] = [...before, ...hookItems(uv)!];
      } else if (isMapping(uv) && isMapping(rv) && sameKind(rv, uv)) {
        out[k] = merge(rv, uv, p);
      } else {
        out[k] = uv;
      }
    }
    return out;
  }

  const value = dropNullsDeep(merge(recipe, user, [])) as Record<string, unknown>;
  return {
    value,
    origin(path) {
      for (let n = 1; n <= path.length; n++) {
        const prefix = path.slice(0, n);
        if (fromRecipe.has(pathKey(prefix))) return { recipe: true, path };
        const j = joined.get(pathKey(prefix));
        const index = path[n];
        if (j && typeof index === 'number') {
          const rest = path.slice(n + 1);
          if (index < j.count) return { recipe: true, path: j.recipeString ? prefix : [...prefix, index, ...rest] };
          return { recipe: false, path: j.userString ? prefix : [...prefix, index - j.count, ...rest] };
        }
      }
      return { recipe: false, path };
    },
  };
}

const sameKind = (a: Record<string, unknown>, b: Record<string, unknown>) =>
  a.kind === undefined || b.kind === undefined || a.kind === b.kind;

function dropNullsDeep(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(dropNullsDeep);
  if (!isMapping(v)) return v;
  // A loop, not entries/fromEntries: an `env` may have tens of thousands of keys (issue 11).
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(v)) if (v[k] !== null) out[k] = dropNullsDeep(v[k]);
  return out;
}

/** A recipe's problem, placed in the recipe file and saying how to change it from deploy.yml. */
export function recipeIssue(recipe: Recipe, p: Problem, userFile: string): ConfigIssue {
  const { line, column } = recipe.spans.position(p.path, p.at);
  const name = isRecipePath(recipe.ref) ? recipe.display : `\`${recipe.ref}\``;
  return {
    file: recipe.display,
    line,
    column,
    path: formatPath(p.path),
    message: `${p.message} (set by recipe ${name}; override it in ${userFile})`,
  };
}

// ── Task modules ────────────────────────────────────────────────────────────────────────────────────────────────

/** Where `deploy` looks for task modules next to deploy.yml. */
export const TASK_MODULE_DIR = join('deploy', 'tasks');
const MODULE_EXTENSIONS = ['.js', '.mjs', '.cjs', '.ts', '.mts', '.cts'];

/**
 * The task modules of a project: every deploy/tasks/*.js|.mjs|.cjs next to deploy.yml (a .ts file only when no
 * compiled .js of the same name sits beside it), then `modules:` from deploy.yml — paths relative to deploy.yml,
 * or package names resolved from the project. Files are absolute paths; package names stay as written.
 */
export function taskModules(configDir: string, declared: readonly string[] = []): string[] {
  const dir = join(configDir, TASK_MODULE_DIR);
  let files: string[] = [];
  try {
    files = readdirSync(dir)
      .filter((f) => MODULE_EXTENSIONS.includes(extname(f)) && !f.endsWith('.d.ts'))
      .sort();
  } catch {
    files = [];
  }
  const js = (f: string) => ['.js', '.mjs', '.cjs'].includes(extname(f));
  const stems = new Set(files.filter(js).map((f) => basename(f, extname(f))));
  const found = files.filter((f) => js(f) || !stems.has(basename(f, extname(f)))).map((f) => join(dir, f));
  const listed = declared.map((m) => (isModulePath(m) ? resolve(configDir, m) : m));
  return [...new Set([...found, ...listed])];
}

/** `./x.js`, `../x.js`, `/abs/x.js`, `deploy/x.js` are files; `deploy-tasks-slack` or `@acme/tasks` are packages. */
export const isModulePath = (m: string) => m.startsWith('.') || isAbsolute(m) || MODULE_EXTENSIONS.includes(extname(m));

/**
 * `modules:` entries that cannot be loaded because there is nothing there: a file that does not exist, a package
 * that is not installed. Found while reading deploy.yml, so the message points at the entry.
 */
export function moduleProblems(configDir: string, modules: unknown, display: (path: string) => string): Problem[] {
  if (!Array.isArray(modules)) return [];
  return modules.flatMap((spec, i): Problem[] => {
    if (typeof spec !== 'string' || spec === '') return [];
    const path: KeyPath = ['modules', i];
    if (isModulePath(spec)) {
      const file = resolve(configDir, spec);
      return existsSync(file) ? [] : [{ path, message: `task module ${display(file)} does not exist (paths are relative to deploy.yml)` }];
    }
    return resolvePackage(spec, configDir) !== undefined
      ? []
      : [
          {
            path,
            message: `task module package \`${spec}\` is not installed; install it next to deploy.yml (\`npm install --save-dev ${spec}\`)`,
          },
        ];
  });
}

/** A package's entry file, resolved from the project: its `exports` (import or default) or `main`. */
export function resolvePackage(name: string, projectDir: string): string | undefined {
  const require = createRequire(join(projectDir, 'package.json'));
  try {
    return require.resolve(name);
  } catch {
    // An ESM-only package has no `require` entry; read its package.json instead.
  }
  for (let dir = projectDir; ; dir = dirname(dir)) {
    const pkg = join(dir, 'node_modules', name, 'package.json');
    if (existsSync(pkg)) {
      let meta: { exports?: unknown; main?: string };
      try {
        meta = JSON.parse(readFileSync(pkg, 'utf8')) as typeof meta;
      } catch {
        return undefined;
      }
      return join(dirname(pkg), entryOf(meta.exports) ?? meta.main ?? 'index.js');
    }
    if (dirname(dir) === dir) return undefined;
  }
}

function entryOf(exports: unknown): string | undefined {
  if (typeof exports === 'string') return exports;
  if (exports === null || typeof exports !== 'object') return undefined;
  const e = exports as Record<string, unknown>;
  const dot = '.' in e ? e['.'] : e;
  if (typeof dot === 'string') return dot;
  if (dot && typeof dot === 'object') {
    const d = dot as Record<string, unknown>;
    for (const k of ['import', 'default', 'node']) {
      const v = entryOf(d[k]);
      if (v) return v;
    }
  }
  return undefined;
}
