/**
 * The package's public entry, for task module authors: `import { defineTasks } from 'deploy'` and the types of
 * what a module gets and what a run reports. Only types and `defineTasks` are exported: the command builders reach
 * a module as the argument of its exported function, so that a module never holds a second copy of them (the loader
 * accepts only commands made by its own builders).
 */
import type { TaskModule } from './tasks/module-api.js';

export type { ModuleApi, ModuleTaskDef, TaskInput, TaskModule } from './tasks/module-api.js';
export type { Command, CommandOptions, Effect, Raw, Token } from './shell/command.js';
export type { Sensitive } from './shell/sensitive.js';
export type { Paths } from './commands/paths.js';
export type { HostDef } from './config/types.js';
export type { ReleaseRef } from './tasks/env.js';
export type { DeployEvent, EventType, HostOutcome, HostSummary, Outcome, RunSummary } from './output/events.js';

/** Returns `tasks` unchanged; it is there for the types: a module written with it is checked as it is written. */
export function defineTasks<const T extends TaskModule>(tasks: T): T {
  return tasks;
}
