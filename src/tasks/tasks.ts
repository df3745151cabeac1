import { paths } from '../commands/paths.js';
import type { HookPoint, HostDef, TaskDef } from '../config/types.js';
import { ConfigError } from '../errors.js';
import { hostsWithRole, primaryHost } from '../hosts/roles.js';
import { script } from '../shell/command.js';
import type { RunContext } from './context.js';
import { commandEnv, type ReleaseRef } from './env.js';
import { exec, onHosts } from './runner.js';

/** The hosts a task runs on, within the run's selection. */
export function taskHosts(ctx: RunContext, task: TaskDef): HostDef[] {
  const pool = task.roles.length === 0 ? [...ctx.hosts] : ctx.hosts.filter((h) => h.roles.some((r) => task.roles.includes(r)));
  if (!task.once) return pool;
  const first = task.roles[0];
  const one = first ? (primaryHost(hostsWithRole(pool, first), first) ?? pool[0]) : pool[0];
  return one ? [one] : [];
}

/** Where a task runs; hosts that hold no code have no release to stand in, so they start in the login dir. */
function taskDir(ctx: RunContext, host: HostDef, task: TaskDef, release?: ReleaseRef): string | undefined {
  const p = paths(ctx.config.deployTo);
  const holdsCode = host.roles.some((r) => ctx.config.roles[r]?.code);
  if (!holdsCode && (task.cwd === 'current' || task.cwd === 'release')) return undefined;
  if (task.cwd === 'current') return p.current;
  if (task.cwd === 'release') return release?.dir ?? p.current;
  return task.cwd;
}

/** Runs a custom task from deploy.yml `tasks`, by name. */
export async function runTask(ctx: RunContext, name: string, release?: ReleaseRef): Promise<void> {
  const task = ctx.config.tasks[name];
  if (!task) {
    const known = Object.keys(ctx.config.tasks);
    throw ConfigError.single(ctx.config.file, `unknown task "${name}"; tasks: ${known.join(', ') || '(none defined)'}`);
  }
  const step = `task:${name}`;
  const hosts = taskHosts(ctx, task);
  if (hosts.length === 0) {
    ctx.emit({ type: 'warning', message: `task ${name}: no selected host has roles ${task.roles.join(', ')}; skipped` });
    return;
  }
  await onHosts(ctx, step, hosts, (host) =>
    exec(ctx, step, host, script(task.run, { cwd: taskDir(ctx, host, task, release), env: commandEnv(ctx.config, host, release), description: task.description ?? `task ${name}` })),
  );
}

export async function runHooks(ctx: RunContext, when: 'before' | 'after', point: HookPoint, release?: ReleaseRef): Promise<void> {
  for (const name of ctx.config.hooks[when][point] ?? []) await runTask(ctx, name, release);
}

/** Runs `fn` between the before and after hooks of `point`. */
export async function hooked<T>(ctx: RunContext, point: HookPoint, release: ReleaseRef | undefined, fn: () => Promise<T>): Promise<T> {
  await runHooks(ctx, 'before', point, release);
  const result = await fn();
  await runHooks(ctx, 'after', point, release);
  return result;
}
