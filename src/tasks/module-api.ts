/**
 * What a task module sees: its input per host, the builders it is given, and the shape of what it exports. These
 * types are the package's public API (src/index.ts); keep this file's imports to the few modules they name.
 */
import { paths, within, type Paths } from '../commands/paths.js';
import type { HostDef } from '../config/types.js';
import { and, cmd, or, pipe, raw, read, script, seq, write, type Command } from '../shell/command.js';
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
export const moduleApi = Object.freeze({
  cmd,
  read,
  write,
  script,
  and,
  or,
  seq,
  pipe,
  raw,
  quote,
  within,
  secret: (value: string, label?: string) => new Sensitive(value, label),
});
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

/** The per-host input of a module task. */
export function taskInput(
  app: string,
  stage: string,
  deployTo: string,
  host: HostDef,
  env: TaskInput['env'],
  release?: ReleaseRef,
): TaskInput {
  return { app, stage, host, paths: paths(deployTo), env, ...(release ? { release } : {}) };
}
