import { existsSync, readFileSync } from 'node:fs';
import { dirname, isAbsolute, join, relative, resolve } from 'node:path';
import type { z } from 'zod';
import { ConfigError, formatIssue, type ConfigIssue } from '../errors.js';
import { crossCheck } from './check.js';
import { parseDotEnv } from './dotenv.js';
import { interpolate, readPlain, type Lookup } from './interpolate.js';
import { errorMap, fromZod, type Problem } from './issues.js';
import { checkLayout } from './layout.js';
import { mergeStage } from './merge.js';
import { formatPath, isMapping, type KeyPath } from './path.js';
import { applyRecipe, moduleProblems, recipeIssue, recipeReader, taskModules, type RecipeLookup } from './recipe.js';
import { buildConfig } from './resolve.js';
import { plainEnv } from './sections/env.js';
import { EXTENSION_PREFIX, SETTING_KEYS, stageConfigShape, type StageSections } from './sections/settings.js';
import { didYouMean } from './suggest.js';
import type { Config } from './types.js';
import { decodeUtf8, readYaml, type ParsedYaml } from './yaml.js';
import type { YamlProblem } from './yaml-node.js';
import { toPlain, type ScalarReader, type SourceSpans } from './yaml-plain.js';

// The CLI reads a loaded Config and prints it from here too.
export { printableConfig } from './printable.js';

export const DEFAULT_CONFIG_FILE = 'deploy.yml';

export type Env = Readonly<Record<string, string | undefined>>;

export interface LoadOptions {
  /** deploy.yml, relative to `cwd` (default `deploy.yml`). */
  readonly file?: string;
  readonly stage: string;
  /** Variables for `${VAR}`; they win over the `.env` file next to deploy.yml (default `process.env`). */
  readonly env?: Env;
  /** Default `process.cwd()`; file names in messages are relative to it. */
  readonly cwd?: string;
}

/** Loads and validates deploy.yml for one stage: the top level and that stage; other stages are not interpolated. */
export function loadConfig(options: LoadOptions): Config {
  const [config] = load(options, options.stage);
  if (!config) throw new Error(`unreachable: stage ${options.stage} validated without a config`);
  return config;
}

/** Loads and validates every stage, reporting the problems of all of them at once (a whole-file check, e.g. in CI). */
export function loadAllStages(options: Omit<LoadOptions, 'stage'>): Config[] {
  return load(options, undefined);
}

/** Stage names in file order, without validating anything else. */
export function listStages(file = DEFAULT_CONFIG_FILE, cwd = process.cwd()): string[] {
  const { root } = readRaw(file, cwd);
  return isMapping(root) && isMapping(root.stages) ? Object.keys(root.stages) : [];
}

/** deploy.yml as plain data: aliases and merge keys resolved, `${VAR}`s left as written, nothing validated. */
export function loadRaw(file = DEFAULT_CONFIG_FILE, cwd = process.cwd()): unknown {
  return readRaw(file, cwd).root;
}

interface SourceFile {
  readonly path: string;
  /** How messages name the file: relative to the working directory when it is below it. */
  readonly display: string;
  readonly yaml: ParsedYaml;
}

/** Top-level `x-` keys only hold anchors: they are read where an alias uses them, never as themselves. */
const anchorsOnly = (path: KeyPath) => path.length === 1 && String(path[0]).startsWith(EXTENSION_PREFIX);

function readRaw(file: string, cwd: string): { root: unknown } {
  const source = readSource(file, cwd);
  const { value, problems } = toPlain(source.yaml, (node) => node.value, { skip: anchorsOnly });
  if (problems.length > 0) throw new ConfigError(problems.map((p) => atOffset(source, p)));
  return { root: value };
}

function readSource(file: string, cwd: string): SourceFile {
  const path = resolve(cwd, file);
  const display = displayName(path, cwd);
  const text = readText(path, display, `Run \`deploy init\` to create ${display}, or pass the right file with --config.`);
  const yaml = readYaml(text);
  const source = { path, display, yaml };
  if (yaml.syntaxErrors.length > 0) throw new ConfigError(yaml.syntaxErrors.map((e) => atOffset(source, e)));
  return source;
}

/** A UTF-8 text file; anything else is refused where its first stray byte is. */
function readText(path: string, display: string, hintIfMissing?: string): string {
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw ConfigError.single(display, 'file does not exist', hintIfMissing);
    throw ConfigError.single(display, `cannot read the file: ${(e as Error).message}`);
  }
  const decoded = decodeUtf8(bytes);
  if ('text' in decoded) return decoded.text;
  const byte = `0x${decoded.byte.toString(16).padStart(2, '0')}`;
  throw new ConfigError(
    [{ file: display, line: decoded.line, column: decoded.column, path: '', message: `not UTF-8: byte ${byte} cannot be read as text` }],
    `save ${display} as UTF-8 (an editor's "encoding" setting, or \`iconv -f latin1 -t utf-8\`)`,
  );
}

function displayName(path: string, cwd: string): string {
  const rel = relative(cwd, path);
  return rel === '' || rel.startsWith('..') || isAbsolute(rel) ? path : rel;
}

function readDotEnv(configPath: string, cwd: string): Readonly<Record<string, string>> {
  const path = join(dirname(configPath), '.env');
  const display = displayName(path, cwd);
  if (!existsSync(path)) return {};
  const { vars, problems } = parseDotEnv(readText(path, display));
  if (problems.length > 0) {
    throw new ConfigError(problems.map((p) => ({ file: display, line: p.line, column: 1, path: '', message: p.message })));
  }
  return vars;
}

/** Validates the top level and the chosen stage (or all stages), collecting every problem before throwing. */
function load(options: Omit<LoadOptions, 'stage'>, stage: string | undefined): Config[] {
  const cwd = options.cwd ?? process.cwd();
  const source = readSource(options.file ?? DEFAULT_CONFIG_FILE, cwd);
  const dotenv = readDotEnv(source.path, cwd);
  const env = options.env ?? process.env;
  const lookup: Lookup = (name) => env[name] ?? dotenv[name];

  // Other stages, and the `x-` anchors as such, are read as written; an anchor is interpolated where it is used.
  const inScope = (path: KeyPath) =>
    !String(path[0]).startsWith(EXTENSION_PREFIX) && (stage === undefined || path[0] !== 'stages' || path[1] === stage);
  const interpolationProblems: YamlProblem[] = [];
  const reader = interpolatingReader(lookup, inScope, interpolationProblems);
  const { value: root, spans, problems: yamlProblems } = toPlain(source.yaml, reader, { skip: anchorsOnly });
  const fatal = yamlProblems.filter((p) => p.fatal);
  if (fatal.length > 0)
    throw new ConfigError(
      sortUnique(
        fatal.map((p) => atOffset(source, p)),
        source.display,
      ),
    );

  const stages = isMapping(root) && isMapping(root.stages) ? root.stages : undefined;
  if (stage !== undefined && stages && !Object.hasOwn(stages, stage)) {
    const names = Object.keys(stages);
    throw ConfigError.single(
      source.display,
      `no stage \`${stage}\`${didYouMean(stage, names)}; stages: ${names.join(', ')}`,
      `Use one of these stages, or add \`${stage}\` under \`stages\` in ${source.display}.`,
    );
  }

  const issues: ConfigIssue[] = [
    ...[...yamlProblems, ...interpolationProblems].map((p) => atOffset(source, p)),
    ...checkLayout(root).map((p) => atPath(source, spans, p)),
  ];
  const configs: Config[] = [];
  if (isMapping(root) && stages) {
    const base = declareEmptyRoles(pick(root, SETTING_KEYS));
    const chosen = (stage === undefined ? Object.keys(stages) : [stage]).filter((name) => isMapping(stages[name]));
    const found = new StageIssues(chosen.length);
    const display = (path: string) => displayName(path, cwd);
    const recipes = recipeReader(dirname(source.path), display);
    for (const name of chosen) {
      const overrides = declareEmptyRoles(pick(stages[name] as Record<string, unknown>, [...SETTING_KEYS, 'hosts']));
      const result = validateStage(source, spans, base, overrides, name, recipes, display);
      found.add(name, result.issues);
      if (result.config) configs.push(result.config);
    }
    issues.push(...found.issues());
  }
  if (issues.length > 0) throw new ConfigError(sortUnique(issues, source.display));
  return configs;
}

/**
 * Reads string scalars with `${VAR}`s substituted, where `inScope`; problems are added to `problems`. A NUL byte
 * is refused in any value: no command line, path or environment can carry one.
 */
function interpolatingReader(lookup: Lookup, inScope: (path: KeyPath) => boolean, problems: YamlProblem[]): ScalarReader {
  const seen = new Set<number>();
  return (node, path) => {
    if (!inScope(path)) return node.value;
    const result = interpolate(node.value, lookup);
    const offset = node.offset;
    const errors = !result.ok ? result.errors : result.value.includes('\0') ? [NUL_MESSAGE] : [];
    // An aliased scalar is read once per alias; report it once.
    if (errors.length > 0 && !seen.has(offset)) {
      seen.add(offset);
      problems.push(...errors.map((message) => ({ offset, path, message })));
    }
    if (!result.ok) return node.value;
    return result.substituted && node.plain ? readPlain(result.value) : result.value;
  };
}

const NUL_MESSAGE = 'contains a NUL byte (`\\0`), which no command, path or environment variable can carry';

/**
 * A problem in a top-level key shows in every stage that inherits it and is reported once. When only some stages
 * have it (a stage's override makes the merged value invalid), the message names them.
 */
class StageIssues {
  readonly #found = new Map<string, { issue: ConfigIssue; stages: string[] }>();
  constructor(readonly stageCount: number) {}

  add(stage: string, issues: readonly ConfigIssue[]): void {
    for (const issue of issues) {
      const key = formatIssue(issue);
      const entry = this.#found.get(key) ?? { issue, stages: [] };
      entry.stages.push(stage);
      this.#found.set(key, entry);
    }
  }

  issues(): ConfigIssue[] {
    return [...this.#found.values()].map(({ issue, stages }) =>
      stages.length === this.stageCount || issue.path.startsWith('stages.')
        ? issue
        : { ...issue, message: `${issue.message} (in stage${stages.length > 1 ? 's' : ''} ${stages.join(', ')})` },
    );
  }
}

function validateStage(
  source: SourceFile,
  spans: SourceSpans,
  base: Record<string, unknown>,
  overrides: Record<string, unknown>,
  stage: string,
  recipes: (ref: string) => RecipeLookup,
  display: (path: string) => string,
): { config?: Config; issues: ConfigIssue[] } {
  const merged = mergeStage(base, overrides, stage, { keepNulls: true });
  const issues: ConfigIssue[] = [];
  const userIssue = (p: Problem) => atPath(source, spans, { ...p, path: merged.filePath(p.path) });
  const ref = merged.value.recipe;
  // A recipe the schema refuses (empty, control characters) is not looked for.
  const found = typeof ref === 'string' && ref !== '' && !/[\u0000-\u001f]/.test(ref) ? recipes(ref) : undefined;
  if (found && 'problem' in found) issues.push(userIssue({ path: ['recipe'], message: found.problem }));
  const recipe = found && 'recipe' in found ? found.recipe : undefined;
  if (recipe) issues.push(...recipe.issues);
  const layered = applyRecipe(recipe ? declareEmptyRoles(recipe.values) : {}, merged.value);
  const raw = layered.value;
  const modules = taskModules(dirname(source.path), stringList(raw.modules));

  const sections: Partial<Record<keyof StageSections, unknown>> = {};
  const problems: Problem[] = [];
  for (const key of Object.keys(stageConfigShape) as (keyof typeof stageConfigShape)[]) {
    const env = key === 'env' ? plainEnv(raw.env) : undefined;
    if (env !== undefined) {
      sections.env = env;
      continue;
    }
    // Parsed once per run: zod's compiled fast path costs more to build (new Function per object shape) than it saves.
    const r = (stageConfigShape[key] as z.ZodType).safeParse(raw[key], { error: errorMap, jitless: true });
    if (r.success) sections[key] = r.data;
    else problems.push(...fromZod(r.error.issues, raw[key], [key]));
  }
  problems.push(...crossCheck(raw, { moreTasks: modules.length > 0 }));
  problems.push(...moduleProblems(dirname(source.path), raw.modules, display));
  for (const p of problems) {
    const origin = layered.origin(p.path);
    issues.push(
      origin.recipe && recipe ? recipeIssue(recipe, { ...p, path: origin.path }, source.display) : userIssue({ ...p, path: origin.path }),
    );
  }
  if (issues.length > 0) return { issues };
  const taskSources = Object.fromEntries(
    Object.keys(isMapping(raw.tasks) ? raw.tasks : {}).flatMap((name) =>
      recipe && layered.origin(['tasks', name]).recipe ? [[name, recipe.file]] : [],
    ),
  );
  const extras = { recipeFile: recipe?.file, modules, taskSources };
  return { issues, config: buildConfig(source.path, stage, sections as StageSections, extras) };
}

const stringList = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []);

/** `roles: { worker: }` declares a role with its defaults, where elsewhere an empty value means "not set". */
function declareEmptyRoles(settings: Record<string, unknown>): Record<string, unknown> {
  const roles = settings.roles;
  if (!isMapping(roles)) return settings;
  return { ...settings, roles: Object.fromEntries(Object.entries(roles).map(([k, v]) => [k, v ?? {}])) };
}

function pick(o: Record<string, unknown>, keys: readonly string[]): Record<string, unknown> {
  return Object.fromEntries(Object.entries(o).filter(([k]) => keys.includes(k)));
}

function atOffset(source: SourceFile, p: YamlProblem): ConfigIssue {
  const { line, col } = source.yaml.lines.linePos(p.offset);
  return { file: source.display, line, column: col, path: p.path ? formatPath(p.path) : '', message: p.message };
}

function atPath(source: SourceFile, spans: SourceSpans, p: Problem): ConfigIssue {
  const { line, column } = spans.position(p.path, p.at);
  return { file: source.display, line, column, path: formatPath(p.path), message: p.message };
}

/** deploy.yml first, then recipes; in file order; the same problem found through several stages is reported once. */
function sortUnique(issues: ConfigIssue[], mainFile: string): ConfigIssue[] {
  const fileRank = (i: ConfigIssue) => (i.file === mainFile ? 0 : 1);
  const seen = new Set<string>();
  return issues
    .filter((i) => {
      const k = formatIssue(i);
      return seen.has(k) ? false : (seen.add(k), true);
    })
    .sort(
      (a, b) =>
        fileRank(a) - fileRank(b) || a.file.localeCompare(b.file) || (a.line ?? 0) - (b.line ?? 0) || (a.column ?? 0) - (b.column ?? 0),
    );
}
