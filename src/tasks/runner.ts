import type { ExecResult } from '../backends/backend.js';
import type { HostDef } from '../config/types.js';
import { DeployError, ExitCode, StepFailedError } from '../errors.js';
import { render, type Command } from '../shell/command.js';
import type { Fact } from '../facts/fact.js';
import type { RunContext } from './context.js';

export const TAIL_LINES = 20;

/**
 * A command that had nothing to do prints `deploy:skipped <reason>` (e.g. `deploy:skipped no migrate script in
 * package.json`): its step is reported as skipped, with the reason, instead of ok.
 */
export const SKIPPED = 'deploy:skipped';
const SKIPPED_LINE = new RegExp(`^${SKIPPED}\\s+(\\S.*?)\\s*$`);

/** The reason of a `deploy:skipped <reason>` line, or undefined. */
export function skippedReason(line: string): string | undefined {
  return SKIPPED_LINE.exec(line)?.[1];
}

export interface ExecStepOptions {
  /** A non-zero exit is returned instead of thrown. */
  readonly allowFail?: boolean;
  readonly timeoutMs?: number;
}

export function targetOf(ctx: RunContext, host: HostDef) {
  const t = ctx.targets.get(host.name);
  if (!t) throw new DeployError(`no connection settings for host ${host.name}`);
  return t;
}

/**
 * Bookkeeping that must not stop the run (after a failure, or once live): runs whatever Ctrl-C did, never throws.
 * `why` says what went wrong — `exit N` (with the last stderr line when `tail`), or the connection's error.
 */
export async function bestEffort(
  ctx: RunContext,
  step: string,
  host: HostDef,
  command: Command,
  o: { tail?: boolean } = {},
): Promise<{ result?: ExecResult; why?: string }> {
  try {
    const result = await exec({ ...ctx, signal: undefined }, step, host, command, { allowFail: true });
    if (result.code === 0) return { result };
    const last = o.tail ? result.stderr.trim().split('\n').at(-1) : undefined;
    return { result, why: `exit ${result.code}${last ? `: ${last}` : ''}` };
  } catch (e) {
    return { why: e instanceof Error ? e.message : String(e) };
  }
}

/** Runs one command on one host as part of a step, reporting it; a failure names host, step and output tail. */
export async function exec(
  ctx: RunContext,
  step: string,
  host: HostDef,
  command: Command,
  options: ExecStepOptions = {},
): Promise<ExecResult> {
  if (ctx.signal?.aborted) throw new DeployError('interrupted', ExitCode.interrupted);
  const dryRun = ctx.mode !== 'real' && command.effect === 'write';
  ctx.emit({ type: 'command', step, host: host.name, command: render(command), effect: command.effect, dryRun });
  const tail: string[] = [];
  const result = await ctx.backend.exec(targetOf(ctx, host), command, {
    step,
    timeoutMs: options.timeoutMs ?? ctx.config.ssh.commandTimeout * 1000,
    signal: ctx.signal,
    onLine: (stream, line) => {
      tail.push(line);
      if (tail.length > TAIL_LINES) tail.shift();
      ctx.emit({ type: 'output', step, host: host.name, stream, line });
      const reason = stream === 'stdout' ? skippedReason(line) : undefined;
      if (reason !== undefined) ctx.emit({ type: 'skipped', step, host: host.name, reason });
    },
  });
  ctx.emit({ type: 'command:exit', step, host: host.name, code: result.code, durationMs: result.durationMs });
  if (result.code !== 0 && !options.allowFail) throw stepFailure(host.name, step, command, result.code, tail);
  return result;
}

/** A command's non-zero exit as the step's failure on its host, with the last lines it printed. */
export const stepFailure = (host: string, step: string, command: Command, code: number, tail: readonly string[]): StepFailedError =>
  new StepFailedError(
    host,
    step,
    `command failed with exit code ${code}: ${command.description ?? render(command)}`,
    tail.length ? tail.join('\n') : undefined,
  );

/** Failures of several hosts in one step, reported together. */
export class HostsFailedError extends DeployError {
  constructor(
    readonly step: string,
    readonly failures: ReadonlyMap<string, Error>,
  ) {
    const lines = [...failures].map(([h, e]) => `  ${e.message.startsWith(`${h}: `) ? e.message : `${h}: ${e.message}`}${hintOf(e)}`);
    super(`${step} failed on ${failures.size} host(s):\n${lines.join('\n')}`, worstExitCode([...failures.values()]));
  }
}

function hintOf(e: Error): string {
  return e instanceof DeployError && e.hint ? `\n${e.hint.replace(/^/gm, '    | ')}` : '';
}

function worstExitCode(errors: Error[]): ExitCode {
  const codes = errors.map((e) => (e instanceof DeployError ? e.exitCode : ExitCode.internal));
  if (codes.includes(ExitCode.interrupted)) return ExitCode.interrupted;
  if (codes.includes(ExitCode.connection)) return ExitCode.connection;
  return codes.every((c) => c === ExitCode.stepFailed) ? ExitCode.stepFailed : (codes[0] ?? ExitCode.internal);
}

/**
 * Runs `fn` on every host, at most `ssh.parallel` at once. Every host runs to completion even when another
 * fails, so all failures of the step are reported together.
 */
export async function onHosts<T>(
  ctx: RunContext,
  step: string,
  hosts: readonly HostDef[],
  fn: (host: HostDef) => Promise<T>,
): Promise<Map<string, T>> {
  const results = new Map<string, T>();
  const failures = new Map<string, Error>();
  const started = Date.now();
  ctx.emit({ type: 'step:start', step, hosts: hosts.map((h) => h.name) });
  const queue = [...hosts];
  const worker = async () => {
    for (let host = queue.shift(); host; host = queue.shift()) {
      const t0 = Date.now();
      ctx.emit({ type: 'host:start', step, host: host.name });
      try {
        results.set(host.name, await fn(host));
        ctx.emit({ type: 'host:end', step, host: host.name, ok: true, durationMs: Date.now() - t0 });
      } catch (e) {
        const err = e instanceof Error ? e : new Error(String(e));
        failures.set(host.name, err);
        const tail = err instanceof DeployError && err.hint ? err.hint.split('\n') : undefined;
        ctx.emit({ type: 'host:end', step, host: host.name, ok: false, durationMs: Date.now() - t0, error: err.message, tail });
      }
    }
  };
  const width = Math.max(1, Math.min(ctx.config.ssh.parallel, hosts.length));
  await Promise.all(Array.from({ length: width }, worker));
  ctx.emit({ type: 'step:end', step, ok: failures.size === 0, durationMs: Date.now() - started });
  if (failures.size > 0) throw new HostsFailedError(step, failures);
  return new Map(hosts.filter((h) => results.has(h.name)).map((h) => [h.name, results.get(h.name) as T]));
}

/** Runs a read-only probe and parses it. In `plan` mode nothing runs and the parser sees empty output. */
export async function probe<T>(ctx: RunContext, step: string, host: HostDef, f: Fact<T>): Promise<T> {
  const result = await exec(ctx, step, host, f.command);
  return f.parse(result.stdout);
}

/** Uploads one local file to a host as part of a step, reporting progress. */
export async function upload(ctx: RunContext, step: string, host: HostDef, localPath: string, remotePath: string): Promise<void> {
  const dryRun = ctx.mode !== 'real';
  ctx.emit({ type: 'command', step, host: host.name, command: `upload ${localPath} → ${remotePath}`, effect: 'write', dryRun });
  let lastReport = 0;
  await ctx.backend.upload(targetOf(ctx, host), localPath, remotePath, {
    step,
    ...(ctx.signal ? { signal: ctx.signal } : {}),
    onProgress: (transferred, total) => {
      const now = Date.now();
      if (transferred === total || now - lastReport > 250) {
        lastReport = now;
        ctx.emit({ type: 'upload', host: host.name, transferred, total });
      }
    },
  });
}
