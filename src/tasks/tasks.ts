import { dirname } from 'node:path';
import { paths } from '../commands/paths.js';
import { isRecipePath, shortPath } from '../config/recipe-ref.js';
import { HOOK_POINTS, type Config, type HookPoint, type HostDef, type TaskDef } from '../config/types.js';
import { didYouMean } from '../config/suggest.js';
import { ConfigError, DeployError, ExitCode, StepFailedError, type ConfigIssue } from '../errors.js';
import type { DeployEvent, EventSink } from '../output/events.js';
import { hostsWithRole, primaryHost } from '../hosts/roles.js';
import { cmd, script, type Command } from '../shell/command.js';
import type { RunContext } from './context.js';
import { commandEnv, type ReleaseRef } from './env.js';
import { taskInput, type TaskInput } from './module-api.js';
import { runSteps, type PartEnd, type StepPlan } from './chain.js';

/** Where a task is defined: deploy.yml, a recipe, or a task module (a file, maybe of a package). */
export type TaskOrigin =
  | { readonly kind: 'config'; readonly file: string }
  | { readonly kind: 'recipe'; readonly file: string; readonly recipe: string }
  | { readonly kind: 'module'; readonly file: string; readonly module: string };

/** A task of any origin, as runTask and `deploy tasks` see it. */
export interface RegisteredTask extends Pick<TaskDef, 'roles' | 'once' | 'cwd'> {
  readonly name: string;
  readonly description?: string;
  readonly allowFailure: boolean;
  readonly origin: TaskOrigin;
  /** The commands for one host; the task's cwd and the run's env are applied to them afterwards. */
  commands(input: TaskInput): readonly Command[];
}

export type TaskRegistry = ReadonlyMap<string, RegisteredTask>;

// Keyed by the frozen Config: a run imports its task modules once.
const registries = new WeakMap<Config, Promise<TaskRegistry>>();

/**
 * Every task of a config: deploy.yml's and its recipe's, then those of its task modules (imported here). A module
 * task may replace a recipe's of the same name, not one of deploy.yml. Hooks naming a module's task are checked
 * here, since the config loader cannot import modules.
 */
export function taskRegistry(config: Config): Promise<TaskRegistry> {
  let found = registries.get(config);
  if (!found) {
    found = buildRegistry(config);
    registries.set(config, found);
  }
  return found;
}

async function buildRegistry(config: Config): Promise<TaskRegistry> {
  const tasks = new Map<string, RegisteredTask>();
  for (const [name, t] of Object.entries(config.tasks)) {
    const origin: TaskOrigin =
      t.source && config.recipe
        ? { kind: 'recipe', file: t.source, recipe: isRecipePath(config.recipe) ? shortPath(t.source) : config.recipe }
        : { kind: 'config', file: config.file };
    tasks.set(name, {
      name,
      ...(t.description !== undefined ? { description: t.description } : {}),
      roles: t.roles,
      once: t.once,
      cwd: t.cwd,
      allowFailure: t.allowFailure ?? false,
      origin,
      commands: () => [script(t.run)],
    });
  }
  // The module loader (and zod, which checks what a module declares) is imported only for a config that has modules.
  const modules = config.modules?.length ? await (await import('./modules.js')).loadTaskModules(config.modules, dirname(config.file)) : [];
  for (const m of modules) {
    if (tasks.get(m.name)?.origin.kind === 'config') {
      throw ConfigError.single(
        shortPath(m.file),
        `task \`${m.name}\` is also defined in ${shortPath(config.file)}; rename one of them`,
        undefined,
        m.name,
      );
    }
    tasks.set(m.name, {
      name: m.name,
      ...(m.description !== undefined ? { description: m.description } : {}),
      roles: m.roles,
      once: m.once,
      cwd: m.cwd,
      allowFailure: m.allowFailure,
      origin: { kind: 'module', file: m.file, module: m.module },
      commands: m.build,
    });
  }
  const issues = hookIssues(config, tasks);
  if (issues.length > 0) throw new ConfigError(issues);
  return tasks;
}

function hookIssues(config: Config, tasks: TaskRegistry): ConfigIssue[] {
  const names = [...tasks.keys()];
  // deploy.yml's own tasks are checked for this when it is read (config/check.ts); a module's only once imported.
  const early = (config.hooks.before.deploy ?? []).flatMap((name): ConfigIssue[] => {
    const t = tasks.get(name);
    const onCode = t !== undefined && (t.roles.length === 0 || t.roles.some((r) => config.roles[r]?.code));
    if (t?.origin.kind !== 'module' || t.cwd !== 'release' || !onCode) return [];
    return [
      {
        file: shortPath(t.origin.file),
        path: name,
        message: `runs in the new release (\`cwd: 'release'\`, the default), which does not exist yet before \`deploy\` (hooks.before.deploy in ${shortPath(config.file)}); give the task \`cwd: 'current'\` or an absolute path, or hook it before \`transfer\``,
      },
    ];
  });
  return [
    ...early,
    ...(['before', 'after'] as const).flatMap((when) =>
      HOOK_POINTS.flatMap((point) =>
        (config.hooks[when][point] ?? [])
          .filter((name) => !tasks.has(name))
          .map((name) => ({
            file: shortPath(config.file),
            path: `hooks.${when}.${point}`,
            message: `unknown task \`${name}\`${didYouMean(name, names)}; define it under \`tasks\` or in a task module (tasks: ${names.join(', ') || 'none'})`,
          })),
      ),
    ),
  ];
}

/** Imports the task modules and checks the hooks before a run touches any host. */
export async function loadTasks(ctx: RunContext): Promise<void> {
  await taskRegistry(ctx.config);
}

/** The hosts a task runs on, within the run's selection. */
export function taskHosts(ctx: RunContext, task: Pick<TaskDef, 'roles' | 'once'>): HostDef[] {
  const pool = task.roles.length === 0 ? [...ctx.hosts] : ctx.hosts.filter((h) => h.roles.some((r) => task.roles.includes(r)));
  if (!task.once) return pool;
  const first = task.roles[0];
  const one = first ? (primaryHost(hostsWithRole(pool, first), first) ?? pool[0]) : pool[0];
  return one ? [one] : [];
}

/**
 * Where a task runs; hosts that hold no code have no release to stand in, so they start in the login dir. After an
 * outcome (`failed`, `rolled_back`) the release may be gone, or never made: `release` means deploy_to there.
 */
function taskDir(ctx: RunContext, host: HostDef, task: Pick<TaskDef, 'cwd'>, release?: ReleaseRef, outcome = false): string | undefined {
  const p = paths(ctx.config.deployTo);
  const holdsCode = host.roles.some((r) => ctx.config.roles[r]?.code);
  if (!holdsCode && (task.cwd === 'current' || task.cwd === 'release')) return undefined;
  if (task.cwd === 'current') return p.current;
  if (task.cwd === 'release') return outcome ? p.root : (release?.dir ?? p.current);
  return task.cwd;
}

/** How a hook point runs its tasks. */
export interface HookRun {
  /** Only these hosts (a per-batch point: the batch); a task with none of its roles among them is skipped. */
  readonly hosts?: readonly HostDef[];
  /** More environment: the outcome, for `failed` and `rolled_back`. */
  readonly env?: Readonly<Record<string, string>>;
  /** An outcome point: `cwd: release` means deploy_to. */
  readonly outcome?: boolean;
}

/** Runs a task by name — from deploy.yml, its recipe or a task module — on its hosts. */
export async function runTask(ctx: RunContext, name: string, release?: ReleaseRef, o: HookRun = {}): Promise<void> {
  const plan = await taskPlan(ctx, name, release, o);
  if (plan) await runSteps(ctx, [plan]);
}

/** A task as a step (runSteps); undefined when no host runs it (a warning says so outside a per-batch point). */
export async function taskPlan(ctx: RunContext, name: string, release?: ReleaseRef, o: HookRun = {}): Promise<StepPlan | undefined> {
  const tasks = await taskRegistry(ctx.config);
  const task = tasks.get(name);
  if (!task) {
    const known = [...tasks.keys()];
    throw ConfigError.single(
      shortPath(ctx.config.file),
      `unknown task "${name}"${didYouMean(name, known)}; tasks: ${known.join(', ') || '(none defined)'}`,
      'see `deploy tasks`',
    );
  }
  const hosts = taskHosts(o.hosts ? { ...ctx, hosts: o.hosts } : ctx, task);
  if (hosts.length === 0 && o.hosts) return undefined;
  if (hosts.length === 0) {
    ctx.emit({ type: 'warning', message: `task ${name}: no selected host has roles ${task.roles.join(', ')}; skipped` });
    return undefined;
  }
  const { config } = ctx;
  return {
    step: `task:${name}`,
    hosts,
    // A task that runs once stands for every host: it waits for all of them to finish what comes before.
    alone: task.once,
    commands: (host) => {
      const env = { ...commandEnv(config, host, release), ...o.env };
      const dir = taskDir(ctx, host, task, release, o.outcome);
      return task.commands(taskInput(config.app, config.stage, config.deployTo, host, env, release)).map((c) =>
        cmd(c.tokens, {
          effect: c.effect,
          description: c.description ?? task.description ?? `task ${name}`,
          ...((c.cwd ?? dir) ? { cwd: c.cwd ?? dir } : {}),
          env: { ...env, ...c.env },
        }),
      );
    },
    ...(task.allowFailure
      ? {
          goOn: (run: RunContext, host: HostDef, end: PartEnd) => {
            // What it said on stderr is its message; a task that says nothing there shows the end of its stdout.
            const output = end.stderr.join('\n').trim() || end.stdout.join('\n').trim();
            run.emit({
              type: 'warning',
              host: host.name,
              message: `task ${name} failed (exit ${end.code}); going on (allow_failure)${output ? `:\n${output}` : ''}`,
            });
          },
        }
      : {}),
  };
}

export async function runHooks(
  ctx: RunContext,
  when: 'before' | 'after',
  point: HookPoint,
  release?: ReleaseRef,
  o: HookRun = {},
): Promise<void> {
  await runSteps(ctx, await hookPlans(ctx, when, point, release, o));
}

/** The tasks of a hook point as steps, in order. */
export async function hookPlans(
  ctx: RunContext,
  when: 'before' | 'after',
  point: HookPoint,
  release?: ReleaseRef,
  o: HookRun = {},
): Promise<StepPlan[]> {
  const plans: StepPlan[] = [];
  for (const name of ctx.config.hooks[when][point] ?? []) {
    const plan = await taskPlan(ctx, name, release, o);
    if (plan) plans.push(plan);
  }
  return plans;
}

/** Runs `fn` between the before and after hooks of `point`. */
export async function hooked<T>(
  ctx: RunContext,
  point: HookPoint,
  release: ReleaseRef | undefined,
  fn: () => Promise<T>,
  o: HookRun = {},
): Promise<T> {
  await runHooks(ctx, 'before', point, release, o);
  const result = await fn();
  await runHooks(ctx, 'after', point, release, o);
  return result;
}

/** What a run went through, for the outcome hooks: the step that failed first, and whether hosts were switched back. */
export interface RunTrace {
  /** The run's context, with an emit that watches the events. */
  readonly ctx: RunContext;
  /** The step that failed first (a host or step ending not ok), else the last one started. */
  failedStep(): string | undefined;
  readonly switchedBack: () => boolean;
}

export function traceRun(ctx: RunContext): RunTrace {
  let failed: string | undefined;
  let last: string | undefined;
  let back = false;
  const watch = (e: DeployEvent) => {
    if (e.type === 'step:start') last = e.step;
    else if ((e.type === 'host:end' || e.type === 'step:end') && !e.ok) failed ??= e.step;
    else if (e.type === 'switchback') back = true;
  };
  const emit: EventSink = (e) => (watch(e), ctx.emit(e));
  return { ctx: { ...ctx, emit }, failedStep: () => failed ?? last, switchedBack: () => back };
}

export type OutcomeName = 'failed' | 'switched-back' | 'interrupted' | 'rolled-back';

export interface RunOutcome {
  readonly verb: 'deploy' | 'rollback';
  readonly outcome: OutcomeName;
  readonly error?: unknown;
  readonly step?: string;
  /** The release the run made or went to, if it got that far. */
  readonly release?: ReleaseRef;
}

/** How a failure ends the run: `interrupted`, `switched-back` (exit 6) or `failed`. */
export function outcomeOf(error: unknown): OutcomeName {
  const code = error instanceof DeployError ? error.exitCode : ExitCode.internal;
  return code === ExitCode.interrupted ? 'interrupted' : code === ExitCode.switchedBack ? 'switched-back' : 'failed';
}

/** The environment `failed` and `rolled_back` tasks see, on top of every command's. */
export function outcomeEnv(o: RunOutcome): Record<string, string> {
  const error = o.error;
  const step = o.step ?? (error instanceof StepFailedError ? error.step : undefined);
  return {
    DEPLOY_VERB: o.verb,
    DEPLOY_OUTCOME: o.outcome,
    ...(error !== undefined
      ? {
          DEPLOY_ERROR: error instanceof Error ? error.message : String(error),
          DEPLOY_EXIT_CODE: String(error instanceof DeployError ? error.exitCode : ExitCode.internal),
        }
      : {}),
    ...(step ? { DEPLOY_FAILED_STEP: step } : {}),
  };
}

/**
 * Runs the tasks hooked after an outcome point. They run to the end whatever came before (an interrupt, a lost
 * lock): they never throw; what failed is returned, to be told after the run's own failure.
 */
export async function runOutcomeHooks(ctx: RunContext, point: 'failed' | 'rolled_back', o: RunOutcome): Promise<string[]> {
  const names = ctx.config.hooks.after[point] ?? [];
  if (names.length === 0) return [];
  const calm: RunContext = { ...ctx, signal: undefined };
  const problems: string[] = [];
  for (const name of names) {
    try {
      await runTask(calm, name, o.release, { env: outcomeEnv(o), outcome: true });
    } catch (e) {
      problems.push(`task ${name} (hooks.after.${point}) failed: ${e instanceof Error ? e.message : String(e)}`);
    }
  }
  for (const message of problems) ctx.emit({ type: 'warning', message });
  return problems;
}
