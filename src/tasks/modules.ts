import { existsSync } from 'node:fs';
import { extname } from 'node:path';
import { pathToFileURL } from 'node:url';
import { z } from 'zod';
import { paths, within, type Paths } from '../commands/paths.js';
import { syntaxErrorAt } from '../backends/syntax.js';
import { formatPath } from '../config/path.js';
import { isModulePath, resolvePackage, shortPath } from '../config/recipe.js';
import { roleName, TASK_NAME } from '../config/sections/primitives.js';
import type { HostDef } from '../config/types.js';
import { ConfigError, type ConfigIssue } from '../errors.js';
import { and, cmd, or, pipe, raw, Raw, read, script, seq, write, type Command } from '../shell/command.js';
import { quote } from '../shell/quote.js';
import { Sensitive } from '../shell/sensitive.js';
import type { ReleaseRef } from './env.js';

/** What a module task's `commands` is called with, once per host. */
export interface TaskInput {
  readonly app: string;
  readonly stage: string;
  readonly host: HostDef;
  /** The release the run works on (absent for `deploy task`, which runs in current/). */
  readonly release?: ReleaseRef;
  /** Remote paths of the deploy: root, releases, current, shared, release(id). */
  readonly paths: Paths;
  /** What every command gets exported: deploy.yml `env`, the host's `vars`, DEPLOY_*. Applied for you. */
  readonly env: Readonly<Record<string, string | Sensitive>>;
}

/** The builders a module gets: the same pure ones the built-in steps use (src/shell/command.ts). */
export const moduleApi = Object.freeze({ cmd, read, write, script, and, or, seq, pipe, raw, quote, within, secret: (value: string, label?: string) => new Sensitive(value, label) });
export type ModuleApi = typeof moduleApi;

/** A task defined in JavaScript. `run` is a shell snippet, like deploy.yml's; `commands` builds commands per host. */
export interface ModuleTaskDef {
  readonly description?: string;
  readonly roles?: readonly string[];
  readonly once?: boolean;
  readonly cwd?: string;
  readonly allowFailure?: boolean;
  readonly run?: string;
  readonly commands?: (input: TaskInput) => Command | readonly Command[];
}

/** A module's default (or `tasks`) export: the tasks by name, or a function of the builders returning them. */
export type TaskModule = Readonly<Record<string, ModuleTaskDef>> | ((api: ModuleApi) => Readonly<Record<string, ModuleTaskDef>>);

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
  .strictObject({
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
  }, { error: (iss) => (iss.code === 'invalid_type' ? 'expected a task: { description?, roles?, once?, cwd?, run | commands }' : undefined) })
  .refine((t) => (t.run === undefined) !== (t.commands === undefined), 'set exactly one of `run` (a shell snippet) or `commands` (a function)');

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
      if (other) throw ConfigError.single(shown, `task \`${task.name}\` is also defined by ${other}; rename one of them`, undefined, task.name);
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
    loaded = (await import(pathToFileURL(file).href)) as Record<string, unknown>;
  } catch (e) {
    throw importError(e as NodeJS.ErrnoException, file, shown);
  }
  const exported = loaded.default ?? loaded.tasks;
  if (exported === undefined) {
    throw ConfigError.single(shown, 'exports no tasks', 'export the tasks by name as `export default { … }` (or `export const tasks`), or a function (api) => ({ … })');
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
      parsed.error.issues.map((i): ConfigIssue => ({
        file: shown,
        path: formatPath(i.path.map((p) => (typeof p === 'symbol' ? String(p) : p))),
        message: i.code === 'invalid_key' ? (i.issues[0]?.message ?? i.message) : i.message,
      })),
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

/** Why a module did not import, for people: a TypeScript file on a Node that cannot strip types gets the way out. */
export function importError(err: NodeJS.ErrnoException, file: string, shown: string): ConfigError {
  if (err.code === 'ERR_UNKNOWN_FILE_EXTENSION' && ['.ts', '.mts'].includes(extname(file))) {
    return ConfigError.single(
      shown,
      `this Node (${process.version}) cannot import TypeScript`,
      `compile it to JavaScript next to it (e.g. \`npx tsc ${shown} --module nodenext --target es2022\`): deploy then loads ${shown.replace(/\.m?ts$/, '.js')} instead`,
    );
  }
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
    throw ConfigError.single(shown, `commands() of task \`${name}\` threw on ${input.host.name}: ${firstLine((e as Error).message ?? String(e))}`);
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

/** The per-host input of a module task. */
export function taskInput(app: string, stage: string, deployTo: string, host: HostDef, env: TaskInput['env'], release?: ReleaseRef): TaskInput {
  return { app, stage, host, paths: paths(deployTo), env, ...(release ? { release } : {}) };
}
