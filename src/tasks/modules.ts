import { createRequire } from 'node:module';
import { existsSync } from 'node:fs';
import { extname } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import * as z from 'zod';
import { syntaxErrorAt } from '../backends/syntax.js';
import { formatPath } from '../config/path.js';
import { isModulePath, resolvePackage } from '../config/recipe.js';
import { shortPath } from '../config/recipe-ref.js';
import { roleName, TASK_NAME } from '../config/sections/primitives.js';
import { ConfigError, type ConfigIssue } from '../errors.js';
import { Raw, script, type Command } from '../shell/command.js';
import { Sensitive } from '../shell/sensitive.js';
import { moduleApi, type ModuleApi, type ModuleTaskDef, type TaskInput } from './module-api.js';

export interface LoadedModuleTask {
  readonly name: string;
  readonly description?: string;
  readonly roles: readonly string[];
  readonly once: boolean;
  readonly cwd: string;
  readonly allowFailure: boolean;
  /** The module file. */
  readonly file: string;
  /** The package name, when the module came from one. */
  readonly module: string;
  readonly build: (input: TaskInput) => Command[];
}

const cwdText = 'expected `release`, `current` or an absolute path';
const taskShape = z
  .strictObject(
    {
      description: z.string({ error: 'expected a string' }).min(1, 'expected a non-empty string').optional(),
      roles: z.array(roleName(), { error: 'expected a list of role names' }).default([]),
      once: z.boolean({ error: 'expected true or false' }).default(false),
      cwd: z
        .string({ error: cwdText })
        .refine((d) => d === 'release' || d === 'current' || d.startsWith('/'), cwdText)
        .default('release'),
      allowFailure: z.boolean({ error: 'expected true or false' }).default(false),
      run: z.string({ error: 'expected a shell snippet (a string)' }).min(1, 'expected a non-empty shell snippet').optional(),
      commands: z
        .custom<NonNullable<ModuleTaskDef['commands']>>((v) => typeof v === 'function', 'expected a function (input) => commands')
        .optional(),
    },
    {
      error: (iss) => (iss.code === 'invalid_type' ? 'expected a task: { description?, roles?, once?, cwd?, run | commands }' : undefined),
    },
  )
  .refine(
    (t) => (t.run === undefined) !== (t.commands === undefined),
    'set exactly one of `run` (a shell snippet) or `commands` (a function)',
  );

const tasksShape = z.record(
  z.string().regex(TASK_NAME, 'expected a task name (lowercase letters, digits, `_`, `-`, `.` and `:`)'),
  taskShape,
  { error: (iss) => (iss.code === 'invalid_type' ? 'expected the tasks by name (an object), or a function returning them' : undefined) },
);

/** Imports every task module of the project and validates what it exports; errors name the file. */
export async function loadTaskModules(modules: readonly string[], projectDir: string): Promise<LoadedModuleTask[]> {
  const out: LoadedModuleTask[] = [];
  const seen = new Map<string, string>();
  for (const spec of modules) {
    const file = isModulePath(spec) ? spec : resolvePackage(spec, projectDir);
    if (file === undefined) {
      throw ConfigError.single(
        spec,
        `task module package \`${spec}\` is not installed in ${shortPath(projectDir)}`,
        `install it there (\`npm install --save-dev ${spec}\`), or fix \`modules\` in deploy.yml`,
      );
    }
    const shown = shortPath(file);
    for (const task of await loadModule(file, shown, isModulePath(spec) ? shown : spec)) {
      const other = seen.get(task.name);
      if (other)
        throw ConfigError.single(shown, `task \`${task.name}\` is also defined by ${other}; rename one of them`, undefined, task.name);
      seen.set(task.name, shown);
      out.push(task);
    }
  }
  return out;
}

async function loadModule(file: string, shown: string, module: string): Promise<LoadedModuleTask[]> {
  if (!existsSync(file)) throw ConfigError.single(shown, 'task module does not exist', 'check `modules` in deploy.yml');
  let loaded: Record<string, unknown>;
  try {
    loaded = TYPESCRIPT.includes(extname(file))
      ? await importTypeScript(file)
      : ((await importModule(pathToFileURL(file).href)) as Record<string, unknown>);
  } catch (e) {
    throw importError(e as NodeJS.ErrnoException, file, shown);
  }
  const exported = loaded.default ?? loaded.tasks;
  if (exported === undefined) {
    throw ConfigError.single(
      shown,
      'exports no tasks',
      'export the tasks by name as `export default { … }` (or `export const tasks`), or a function (api) => ({ … })',
    );
  }
  let tasks: unknown;
  try {
    tasks = typeof exported === 'function' ? await (exported as (api: ModuleApi) => unknown)(moduleApi) : exported;
  } catch (e) {
    throw ConfigError.single(shown, `the exported function threw: ${firstLine((e as Error).message ?? String(e))}`);
  }
  const parsed = tasksShape.safeParse(tasks);
  if (!parsed.success) {
    throw new ConfigError(
      parsed.error.issues.map(
        (i): ConfigIssue => ({
          file: shown,
          path: formatPath(i.path.map((p) => (typeof p === 'symbol' ? String(p) : p))),
          message: i.code === 'invalid_key' ? (i.issues[0]?.message ?? i.message) : i.message,
        }),
      ),
    );
  }
  return Object.entries(parsed.data).map(([name, t]) => ({
    name,
    ...(t.description !== undefined ? { description: t.description } : {}),
    roles: t.roles,
    once: t.once,
    cwd: t.cwd,
    allowFailure: t.allowFailure,
    file,
    module,
    build: (input: TaskInput) => commandsOf(name, t, input, shown),
  }));
}

const TYPESCRIPT = ['.ts', '.mts', '.cts'];

/** Handed to the CLI's script by bin.js (src/cli/boot.ts): its own import(), since code run from V8's code cache has none. */
declare const __deploy_import: ((url: string) => Promise<unknown>) | undefined;

const importModule = (url: string): Promise<unknown> => (typeof __deploy_import === 'function' ? __deploy_import(url) : import(url));
const requireHere = createRequire(import.meta.url);

/**
 * TypeScript modules load through jiti on every Node (20 cannot strip types), with `deploy` resolving to this
 * package's public entry, so that `import { defineTasks } from 'deploy'` works with deploy installed globally.
 * jiti stays outside the bundle: it is loaded only here, and only when a project has a TypeScript module.
 */
async function importTypeScript(file: string): Promise<Record<string, unknown>> {
  const { createJiti } = requireHere('jiti') as typeof import('jiti');
  const jiti = createJiti(import.meta.url, { alias: { deploy: publicEntry() }, interopDefault: false, moduleCache: false, fsCache: false });
  return (await jiti.import(file)) as Record<string, unknown>;
}

/** dist/index.js next to the bundled dist/cli/bin.js; src/index.ts when run from source (tests). */
function publicEntry(): string {
  const built = fileURLToPath(new URL('../index.js', import.meta.url));
  return existsSync(built) ? built : fileURLToPath(new URL('../index.ts', import.meta.url));
}

/** Why a module did not import, for people. */
export function importError(err: NodeJS.ErrnoException, file: string, shown: string): ConfigError {
  // Whatever the loader says (a bundler may word a syntax error its own way), Node itself tells where one is.
  const where = syntaxErrorAt(file) ?? thrownAt(err, file);
  const name = err.name && err.name !== 'Error' ? `${err.name}: ` : '';
  const message = `cannot load the task module: ${where && 'message' in where ? where.message : `${name}${firstLine(err.message ?? String(err))}`}`;
  return new ConfigError([{ file: shown, path: '', message, ...(where ? { line: where.line, column: where.column } : {}) }]);
}

/** The line and column in `file` where an error thrown while the module ran was raised, from its stack. */
function thrownAt(err: Error, file: string): { line: number; column: number } | undefined {
  const url = pathToFileURL(file).href;
  for (const frame of (err.stack ?? '').split('\n')) {
    // `    at fn (file:///x.mjs:2:5)` or `    at file:///x.mjs:2:5`
    const m = /^\s*at (?:.*? \()?(.+?):(\d+):(\d+)\)?$/.exec(frame);
    if (m && (m[1] === url || m[1] === file)) return { line: Number(m[2]), column: Number(m[3]) };
  }
  return undefined;
}

function commandsOf(name: string, t: z.output<typeof taskShape>, input: TaskInput, shown: string): Command[] {
  if (t.run !== undefined) return [script(t.run)];
  let result: unknown;
  try {
    result = t.commands!(input);
  } catch (e) {
    throw ConfigError.single(
      shown,
      `commands() of task \`${name}\` threw on ${input.host.name}: ${firstLine((e as Error).message ?? String(e))}`,
    );
  }
  const list = Array.isArray(result) ? result : [result];
  list.forEach((c, i) => {
    const problem = commandProblem(c);
    if (problem) {
      throw ConfigError.single(
        shown,
        `commands() of task \`${name}\` returned ${list.length > 1 || Array.isArray(result) ? `at [${i}] ` : ''}${problem}`,
        'build commands with the builders the module gets: export a function (api) => tasks and use api.script, api.write …',
      );
    }
  });
  return list as Command[];
}

function commandProblem(c: unknown): string | undefined {
  if (c === null || typeof c !== 'object' || !Array.isArray((c as Command).tokens)) return 'something that is not a command';
  const command = c as Command;
  if (command.effect !== 'read' && command.effect !== 'write') return 'a command without `effect` read or write';
  const bad = command.tokens.findIndex((t) => typeof t !== 'string' && !(t instanceof Raw) && !(t instanceof Sensitive));
  return bad < 0 ? undefined : `a command whose token ${bad} was not made by these builders`;
}

const firstLine = (s: string) => s.split('\n')[0] ?? s;
