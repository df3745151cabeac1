/**
 * Shell completion: the candidates for the word under the cursor, from the verbs and flags of the CLI (as data) and
 * the names in deploy.yml. Pure but for reading deploy.yml (and its recipe) unvalidated: completion must work on a
 * file that does not validate yet, and never prints an error.
 */
import { join, resolve } from 'node:path';
import { loadRaw } from '../config/load.js';
import { isMapping } from '../config/path.js';
import { availableRecipes, RECIPES_DIR } from '../config/recipe.js';
import { isRecipePath } from '../config/recipe-ref.js';

export interface OptionSpec {
  /** `-H`, `--hosts`. */
  readonly flags: readonly string[];
  readonly takesValue: boolean;
}

export interface VerbSpec {
  readonly name: string;
  /** Positional arguments by name (`stage`, `host`, `name` …), in order; the last may be variadic. */
  readonly args: readonly string[];
  readonly options: readonly OptionSpec[];
}

export interface CliSpec {
  readonly verbs: readonly VerbSpec[];
  /** The verb a leading stage means (`deploy staging` is `deploy deploy staging`). */
  readonly defaultVerb: string;
  /** Options of the program itself (`--help`, `--version`). */
  readonly programOptions: readonly string[];
}

export interface StageNames {
  readonly name: string;
  readonly hosts: readonly string[];
  readonly roles: readonly string[];
}

/** What deploy.yml names, as written. */
export interface ProjectNames {
  readonly stages: readonly StageNames[];
  readonly roles: readonly string[];
  readonly tasks: readonly string[];
  readonly recipes: readonly string[];
}

export const NO_NAMES: ProjectNames = { stages: [], roles: [], tasks: [], recipes: [] };

const strings = (xs: unknown): string[] => (Array.isArray(xs) ? xs.filter((x): x is string => typeof x === 'string') : []);
const keys = (m: unknown): string[] => (isMapping(m) ? Object.keys(m) : []);

/** The names deploy.yml (and the recipe it names) declares; nothing when the file cannot be read. */
export function projectNames(file: string, cwd: string): ProjectNames {
  const recipes = availableRecipes();
  let root: unknown;
  try {
    root = loadRaw(file, cwd);
  } catch {
    return { ...NO_NAMES, recipes };
  }
  if (!isMapping(root)) return { ...NO_NAMES, recipes };
  const stages = Object.entries(isMapping(root.stages) ? root.stages : {}).map(([name, s]): StageNames => {
    const hosts = isMapping(s) && Array.isArray(s.hosts) ? s.hosts.filter(isMapping) : [];
    return {
      name,
      hosts: hosts.flatMap((h) => (typeof h.name === 'string' ? [h.name] : [])),
      roles: unique([...keys(isMapping(s) ? s.roles : undefined), ...hosts.flatMap((h) => strings(h.roles))]),
    };
  });
  const stageTasks = Object.values(isMapping(root.stages) ? root.stages : {}).flatMap((s) => keys(isMapping(s) ? s.tasks : undefined));
  return {
    stages,
    roles: unique([...keys(root.roles), ...stages.flatMap((s) => s.roles)]),
    tasks: unique([...keys(root.tasks), ...stageTasks, ...recipeTasks(root.recipe, resolve(cwd, file, '..'))]),
    recipes,
  };
}

function recipeTasks(recipe: unknown, configDir: string): string[] {
  if (typeof recipe !== 'string') return [];
  const file = isRecipePath(recipe) ? resolve(configDir, recipe) : join(RECIPES_DIR, `${recipe}.yml`);
  try {
    const raw = loadRaw(file, configDir);
    return isMapping(raw) ? keys(raw.tasks) : [];
  } catch {
    return [];
  }
}

const unique = (xs: readonly string[]): string[] => [...new Set(xs)];

/** The config file the words name (`-c x.yml`, `--config=x.yml`), else deploy.yml. */
export function configFileOf(words: readonly string[]): string {
  for (let i = 0; i < words.length - 1; i++) {
    const w = words[i]!;
    if ((w === '-c' || w === '--config') && i + 1 < words.length - 1) return words[i + 1]!;
    if (w.startsWith('--config=')) return w.slice('--config='.length);
  }
  return 'deploy.yml';
}

/**
 * bash splits words at `:` and `=` (COMP_WORDBREAKS): `notify:ch` arrives as `notify`, `:`, `ch`. Glues them back,
 * and says how much of the glued last word bash already considers typed (to strip from the candidates).
 */
export function glueBashWords(words: readonly string[]): { words: string[]; typed: number } {
  const out: string[] = [];
  let glue = false;
  for (const w of words) {
    if ((w === ':' || w === '=') && out.length > 0) {
      out[out.length - 1] += w;
      glue = true;
    } else if (glue) {
      out[out.length - 1] += w;
      glue = false;
    } else {
      out.push(w);
    }
  }
  if (out.length === 0) out.push('');
  return { words: out, typed: out[out.length - 1]!.length - (words[words.length - 1] ?? '').length };
}

type ValueKind = 'stages' | 'hosts' | 'roles' | 'recipes' | 'tasks' | 'none';

const OPTION_VALUES: Record<string, ValueKind> = { '--hosts': 'hosts', '--host': 'hosts', '--roles': 'roles', '--recipe': 'recipes' };
const ARG_VALUES: Record<string, ValueKind> = { stage: 'stages', host: 'hosts', name: 'tasks', from: 'stages', to: 'stages' };
/** Values that are lists: `--hosts web1,web2`. */
const LISTS = new Set(['--hosts', '--roles']);

/**
 * Candidates for the last word of `words` (the words after `deploy`, the last one being completed, maybe empty),
 * filtered by what is typed. No candidates for a value that is a file (`-c`): the shell then completes file names.
 */
export function completions(words: readonly string[], spec: CliSpec, names: ProjectNames): string[] {
  const current = words[words.length - 1] ?? '';
  const before = words.slice(0, -1);
  let verb: VerbSpec | undefined;
  const positional: string[] = [];
  let pending: string | undefined;
  const defaultVerb = spec.verbs.find((v) => v.name === spec.defaultVerb);
  const optionOf = (v: VerbSpec | undefined, flag: string) => (v ?? defaultVerb)?.options.find((o) => o.flags.includes(flag));
  for (const w of before) {
    if (pending !== undefined) {
      pending = undefined;
      continue;
    }
    if (w.startsWith('-') && w !== '-') {
      const o = optionOf(verb, w);
      if (o?.takesValue && !w.includes('=')) pending = o.flags.find((f) => f.startsWith('--')) ?? w;
      continue;
    }
    if (verb === undefined) {
      verb = spec.verbs.find((v) => v.name === w && v.name !== spec.defaultVerb);
      if (verb === undefined) {
        verb = defaultVerb;
        positional.push(w);
      }
      continue;
    }
    positional.push(w);
  }
  const stage = names.stages.find((s) => s.name === positional[0]);
  const values = (kind: ValueKind): string[] => {
    if (kind === 'stages') return names.stages.map((s) => s.name);
    if (kind === 'hosts') return stage ? [...stage.hosts] : unique(names.stages.flatMap((s) => s.hosts));
    if (kind === 'roles') return stage ? unique([...stage.roles, ...names.roles.filter((r) => stage.roles.includes(r))]) : [...names.roles];
    if (kind === 'recipes') return [...names.recipes];
    if (kind === 'tasks') return [...names.tasks];
    return [];
  };
  const optionValue = (flag: string, typed: string, prefix = ''): string[] => {
    const kind = OPTION_VALUES[flag] ?? 'none';
    if (!LISTS.has(flag)) return matching(values(kind), typed).map((c) => prefix + c);
    const done = typed.slice(0, typed.lastIndexOf(',') + 1);
    const chosen = new Set(done.split(',').filter(Boolean));
    return matching(
      values(kind).filter((v) => !chosen.has(v)),
      typed.slice(done.length),
    ).map((c) => prefix + done + c);
  };

  if (pending !== undefined) return optionValue(pending, current);
  if (current.startsWith('--') && current.includes('=')) {
    const flag = current.slice(0, current.indexOf('='));
    return optionValue(flag, current.slice(flag.length + 1), `${flag}=`);
  }
  if (current.startsWith('-')) {
    const flags = (verb ?? defaultVerb)?.options.flatMap((o) => o.flags.filter((f) => f.startsWith('--'))) ?? [];
    return matching(unique([...flags, '--help', ...(verb === undefined ? spec.programOptions : [])]), current);
  }
  if (verb === undefined)
    return matching([...spec.verbs.filter((v) => v.name !== spec.defaultVerb).map((v) => v.name), ...values('stages')], current);
  const args = verb.args;
  const arg = args[positional.length] ?? (args.length > 0 && args[args.length - 1]!.endsWith('...') ? args[args.length - 1] : undefined);
  return arg === undefined ? [] : matching(values(ARG_VALUES[arg] ?? 'none'), current);
}

const matching = (candidates: readonly string[], typed: string): string[] => candidates.filter((c) => c.startsWith(typed));
