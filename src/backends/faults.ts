/**
 * Failpoints, a testing aid (docs/reliability.md): a Backend decorator that counts every remote operation per host
 * and makes the ones named in DEPLOY_FAULTS fail on the host or lose their connection. `fail@web1:12` is the 12th
 * exec or upload this run performs on web1, counted from 1: the order of operations on one host is deterministic
 * even though hosts run in parallel, so a listing run (DEPLOY_FAULTS_LOG) names every point there is.
 *
 * The faults really happen on the host: a failed command runs there and exits non-zero, a dropped connection is
 * dropped by the host's sshd session process being killed. The backend under test sees what it would see in life.
 */
import { appendFileSync, mkdtempSync, openSync, readSync, closeSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chain } from '../commands/chain.js';
import { RENEW_DESCRIPTION } from '../commands/lock.js';
import { ConfigError, ConnectionError, StepFailedError } from '../errors.js';
import { quote } from '../shell/quote.js';
import { describeCommand, script, seq, type Command } from '../shell/command.js';
import type { Backend, ExecOptions, ExecResult, SshTarget, UploadOptions } from './backend.js';

export const FAULT_KINDS = ['fail', 'drop', 'drop-after'] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

export interface Fault {
  readonly kind: FaultKind;
  readonly host: string;
  /** The host's nth remote operation of the run, from 1. */
  readonly n: number;
}

/** Exit status of an injected failure. */
export const INJECTED_EXIT_CODE = 97;

const FAULT = /^(fail|drop|drop-after)@([^\s:@,]+):([1-9][0-9]*)$/;

/** `fail@web1:12, drop@db1:7` → faults; anything else is an input error naming DEPLOY_FAULTS. */
export function parseFaults(text: string, source = 'DEPLOY_FAULTS'): Fault[] {
  const items = text
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const faults: Fault[] = [];
  const bad: string[] = [];
  for (const item of items) {
    const m = FAULT.exec(item);
    if (m) faults.push({ kind: m[1] as FaultKind, host: m[2]!, n: Number(m[3]) });
    else bad.push(item);
  }
  if (bad.length > 0) {
    throw ConfigError.single(
      source,
      `cannot read ${bad.map((b) => JSON.stringify(b)).join(', ')}: expected <kind>@<host>:<n>, kind one of ${FAULT_KINDS.join(', ')}, n from 1`,
      'e.g. DEPLOY_FAULTS=fail@web1:12,drop@db1:7 (docs/reliability.md)',
    );
  }
  const seen = new Set<string>();
  for (const f of faults) {
    const at = `${f.host}:${f.n}`;
    if (seen.has(at)) throw ConfigError.single(source, `two faults at ${at}`);
    seen.add(at);
  }
  return faults;
}

/** One line of DEPLOY_FAULTS_LOG. */
export interface FaultLogEntry {
  readonly time: string;
  readonly host: string;
  readonly n: number;
  readonly op: 'exec' | 'upload';
  readonly step: string | null;
  readonly description: string;
  readonly effect: 'read' | 'write';
  /** The fault injected into this operation, if any. */
  readonly injected?: FaultKind;
}

/** How an injected upload drop ended; logged on a line of its own after the operation's line. */
export interface FaultNote {
  readonly time: string;
  readonly host: string;
  readonly n: number;
  readonly note: string;
}

export interface FaultOptions {
  /**
   * The step of the operation about to start on a host, for callers that do not pass ExecOptions.step (the tasks
   * emit a `command` event naming the step just before each operation; see stepTracker).
   */
  readonly stepOf?: (host: string) => string | undefined;
  readonly log?: (line: FaultLogEntry | FaultNote) => void;
}

const DESCRIPTION_MAX = 200;

export class FaultBackend implements Backend {
  readonly #counts = new Map<string, number>();
  readonly #faults: ReadonlyMap<string, FaultKind>;

  constructor(
    readonly inner: Backend,
    faults: readonly Fault[],
    readonly options: FaultOptions = {},
  ) {
    this.#faults = new Map(faults.map((f) => [`${f.host}:${f.n}`, f.kind]));
  }

  exec(host: SshTarget, command: Command, options: ExecOptions = {}): Promise<ExecResult> {
    // Renewals come on a timer: counting them would move every later operation's number from run to run.
    if (command.description === RENEW_DESCRIPTION) return this.inner.exec(host, command, options);
    // A chain's commands count one by one, as when each was its own round trip; a fault goes into the one it names.
    if (command.chain) {
      let injected = false;
      const parts = command.chain.map((p) => ({
        ...p,
        commands: p.commands.map((c) => {
          const { n, kind } = this.#next(host, 'exec', p.step, describe(c), c.effect);
          injected ||= kind !== undefined;
          return kind ? faulty(kind, `${host.name}:${n}`, c) : c;
        }),
      }));
      return this.inner.exec(host, injected ? chain(parts) : command, options);
    }
    const { n, kind } = this.#next(host, 'exec', options.step, describe(command), command.effect);
    return this.inner.exec(host, kind ? faulty(kind, `${host.name}:${n}`, command) : command, options);
  }

  async upload(host: SshTarget, localPath: string, remotePath: string, options: UploadOptions = {}): Promise<void> {
    const { n, kind } = this.#next(host, 'upload', options.step, `upload ${localPath} → ${remotePath}`, 'write');
    const at = `${host.name}:${n}`;
    const step = options.step ?? 'upload';
    switch (kind) {
      case undefined:
        return this.inner.upload(host, localPath, remotePath, options);
      case 'fail': {
        // As a full disk does: the first part of the file arrives, then the write fails.
        await withPart(localPath, (part) => this.inner.upload(host, part, remotePath, { ...options, onProgress: undefined }));
        throw new StepFailedError(host.name, step, `cannot upload ${localPath} to ${remotePath}: injected failure at ${at}`);
      }
      case 'drop':
        return this.#uploadDropping(host, localPath, remotePath, options, at, n);
      case 'drop-after': {
        await this.inner.upload(host, localPath, remotePath, options);
        await this.inner.exec(host, dropCommand(at)).catch(() => undefined);
        this.#note(host, n, 'uploaded in full, then the connection was dropped');
        throw new ConnectionError(host.name, `${step}: connection lost while uploading to ${remotePath} (injected drop at ${at})`);
      }
    }
  }

  close(): Promise<void> {
    return this.inner.close();
  }

  /** Drops the connection from the host's side once the first bytes have arrived, while the upload goes on. */
  async #uploadDropping(
    host: SshTarget,
    localPath: string,
    remotePath: string,
    options: UploadOptions,
    at: string,
    n: number,
  ): Promise<void> {
    let dropping: Promise<unknown> | undefined;
    let sent = 0;
    let done = false;
    const upload = this.inner.upload(host, localPath, remotePath, {
      ...options,
      onProgress: (transferred, total) => {
        options.onProgress?.(transferred, total);
        if (transferred > 0 && !dropping) {
          sent = transferred;
          dropping = this.inner.exec(host, dropCommand(at)).catch(() => undefined);
        }
      },
    });
    try {
      await upload;
      done = true;
    } finally {
      await dropping;
      this.#note(
        host,
        n,
        !dropping
          ? 'the upload ended before any byte arrived; nothing was dropped'
          : done
            ? `the upload finished before the connection was dropped (${sent} bytes had arrived when the drop started)`
            : `the connection was dropped while uploading (${sent} bytes had arrived when the drop started)`,
      );
    }
  }

  #next(host: SshTarget, op: 'exec' | 'upload', step: string | undefined, description: string, effect: 'read' | 'write') {
    const n = (this.#counts.get(host.name) ?? 0) + 1;
    this.#counts.set(host.name, n);
    const kind = this.#faults.get(`${host.name}:${n}`);
    this.options.log?.({
      time: new Date().toISOString(),
      host: host.name,
      n,
      op,
      step: step ?? this.options.stepOf?.(host.name) ?? null,
      description,
      effect,
      ...(kind ? { injected: kind } : {}),
    });
    return { n, kind };
  }

  #note(host: SshTarget, n: number, note: string): void {
    this.options.log?.({ time: new Date().toISOString(), host: host.name, n, note });
  }
}

/** The command a fault replaces `command` with: one that fails, drops the connection, or does so after it ran. */
function faulty(kind: FaultKind, at: string, command: Command): Command {
  switch (kind) {
    case 'fail':
      return failCommand(at, command);
    case 'drop':
      return dropCommand(at, command);
    case 'drop-after':
      return seq([command, dropCommand(at, command)], {
        effect: command.effect,
        ...(command.description ? { description: command.description } : {}),
      });
  }
}

const describe = (command: Command): string => describeCommand(command, DESCRIPTION_MAX);

/** Runs on the host and fails there, saying where. */
export function failCommand(at: string, original?: Command): Command {
  return script(`echo ${quote(`deploy: injected failure at ${at}`)} >&2; exit ${INJECTED_EXIT_CODE}`, {
    effect: original?.effect ?? 'write',
    ...(original?.description ? { description: original.description } : {}),
  });
}

/**
 * SIGKILLs the nearest ancestor process named sshd: the session process of this command's connection. The host
 * then drops the connection, as when the network or sshd dies; other connections to the host are left alone.
 * It walks up /proc, so it works however deep the command runs (`$SHELL -c`, `sh -s`, a child shell).
 */
export function dropCommand(at: string, original?: Command): Command {
  const text = [
    'p=$$',
    'while [ "$p" -gt 1 ]; do',
    '  c=$(cat "/proc/$p/comm" 2>/dev/null) || break',
    '  case $c in sshd|sshd-session) kill -KILL "$p"; exit 99;; esac',
    `  p=$(sed 's/^.*) //' "/proc/$p/stat" | cut -d' ' -f2)`,
    'done',
    `echo ${quote(`deploy: injected drop at ${at} found no sshd process above it`)} >&2`,
    'exit 98',
  ].join('\n');
  return script(text, { effect: original?.effect ?? 'write', ...(original?.description ? { description: original.description } : {}) });
}

const PART_MAX = 64 * 1024;

/** Calls fn with a local file holding the first half (at most 64 KiB) of `file`, removed afterwards. */
async function withPart(file: string, fn: (part: string) => Promise<void>): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'deploy-fault-'));
  const part = join(dir, 'part');
  try {
    const fd = openSync(file, 'r');
    try {
      const buf = Buffer.alloc(PART_MAX);
      const got = readSync(fd, buf, 0, PART_MAX, 0);
      writeFileSync(part, buf.subarray(0, Math.floor(got / 2)));
    } finally {
      closeSync(fd);
    }
    await fn(part);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Remembers, per host, the step of the last `command` event: the step of the operation that follows it. */
export function stepTracker(): {
  sink: (e: { type: string; host?: string; step?: string }) => void;
  stepOf: (host: string) => string | undefined;
} {
  const steps = new Map<string, string>();
  return {
    sink: (e) => {
      if (e.type === 'command' && e.host && e.step) steps.set(e.host, e.step);
    },
    stepOf: (host) => steps.get(host),
  };
}

/**
 * The backend with failpoints when DEPLOY_FAULTS or DEPLOY_FAULTS_LOG is set, else `inner` itself. The log gets
 * one JSON line per operation, appended as it starts (so it survives a killed client).
 */
export function faultsFromEnv(
  inner: Backend,
  env: NodeJS.ProcessEnv,
  stepOf?: (host: string) => string | undefined,
): { backend: Backend; faults: Fault[] } {
  const spec = env.DEPLOY_FAULTS?.trim() ?? '';
  const logFile = env.DEPLOY_FAULTS_LOG?.trim() ?? '';
  if (!spec && !logFile) return { backend: inner, faults: [] };
  const faults = spec ? parseFaults(spec) : [];
  const log = logFile ? (line: FaultLogEntry | FaultNote) => appendFileSync(logFile, `${JSON.stringify(line)}\n`) : undefined;
  return { backend: new FaultBackend(inner, faults, { ...(stepOf ? { stepOf } : {}), ...(log ? { log } : {}) }), faults };
}
