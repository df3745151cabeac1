/**
 * Local steps (git ls-remote, tar, the user's build command) through execa with argv arrays; execa's
 * `shell` option is never used. The one deliberate shell is Backend.exec, which runs a Command the way a remote
 * host does (protocol.ts): `sh` sources the script from its stdin, in a session of its own, and a timeout or an
 * abort kills its process group. Results follow the SSH backend: non-zero exits are results, output is untrimmed
 * and masked, a timeout gives code 124.
 */
import { spawn } from 'node:child_process';
import { chmod, copyFile, stat } from 'node:fs/promises';
import { constants as osConstants } from 'node:os';
import { InterruptedError, StepFailedError } from '../errors.js';
import { secretsOf, type Command } from '../shell/command.js';
import { Sensitive } from '../shell/sensitive.js';
import type { Backend, ExecOptions, ExecResult, SshTarget, UploadOptions } from './backend.js';
import { OutputCollector, TIMEOUT_EXIT_CODE, timeoutNote } from './output.js';
import { execString, nameOf, stdinScript, tag } from './protocol.js';

export interface LocalRunOptions extends ExecOptions {
  /** Written to the program's stdin, which then closes; absent: stdin is /dev/null. */
  readonly stdin?: string | Buffer;
  readonly cwd?: string;
  /** Added to the inherited environment. */
  readonly env?: Readonly<Record<string, string | Sensitive>>;
  /** More values to mask in output; Sensitive argv and env values are masked anyway. */
  readonly secrets?: readonly string[];
}

/** execa is loaded on the first local program: `--help` and `plan` never start one. */
let execaLoading: Promise<typeof import('execa')> | undefined;
const loadExeca = () => (execaLoading ??= import('execa'));

export class LocalBackend implements Backend {
  #commands = 0;
  /** How this machine is named in messages. */
  constructor(readonly name = 'local') {}

  /** Runs one program with its arguments; Sensitive arguments are passed revealed and masked in output. */
  async run(argv: ReadonlyArray<string | Sensitive>, options: LocalRunOptions = {}): Promise<ExecResult> {
    const [file, ...args] = argv.map((a) => (a instanceof Sensitive ? a.reveal() : a));
    if (file === undefined) throw new Error('LocalBackend.run: empty argv');
    const envEntries = Object.entries(options.env ?? {});
    const secrets = [
      ...(options.secrets ?? []),
      ...argv.filter((a): a is Sensitive => a instanceof Sensitive).map((a) => a.reveal()),
      ...envEntries
        .map(([, v]) => v)
        .filter((v): v is Sensitive => v instanceof Sensitive)
        .map((v) => v.reveal()),
    ];
    const shown = argv.map((a) => (a instanceof Sensitive ? String(a) : a)).join(' ');
    const started = performance.now();
    const out = new OutputCollector(secrets, options.onLine);
    const timeoutMs = options.timeoutMs ?? 0;
    const { execa } = await loadExeca();
    const subprocess = execa(file, args, {
      reject: false,
      buffer: false,
      stripFinalNewline: false,
      ...(options.stdin !== undefined ? { input: options.stdin } : { stdin: 'ignore' as const }),
      ...(options.cwd !== undefined ? { cwd: options.cwd } : {}),
      env: Object.fromEntries(envEntries.map(([k, v]) => [k, v instanceof Sensitive ? v.reveal() : v])),
      ...(timeoutMs > 0 ? { timeout: timeoutMs } : {}),
      ...(options.signal ? { cancelSignal: options.signal } : {}),
      forceKillAfterDelay: 2000,
    });
    subprocess.stdout?.on('data', (chunk: Buffer) => out.push('stdout', chunk));
    subprocess.stderr?.on('data', (chunk: Buffer) => out.push('stderr', chunk));
    const result = await subprocess;
    const where = options.step ? `${this.name}: ${options.step}` : this.name;
    if (result.isCanceled) throw new InterruptedError(`${where}: interrupted while running ${shown}`);
    let code: number;
    if (result.timedOut) {
      out.note('stderr', timeoutNote(this.name, timeoutMs));
      code = TIMEOUT_EXIT_CODE;
    } else if (result.exitCode !== undefined) {
      code = result.exitCode;
    } else if (result.signal) {
      code = 128 + ((osConstants.signals as Record<string, number>)[result.signal] ?? 0);
    } else {
      // Could not start at all (ENOENT, EACCES): report it the way a shell would.
      out.note('stderr', `deploy: cannot run ${file}: ${result.originalMessage || result.shortMessage}`);
      code = /ENOENT/.test(String(result.originalMessage ?? result.shortMessage)) ? 127 : 126;
    }
    const { stdout, stderr } = out.finish();
    return {
      code,
      stdout,
      stderr,
      durationMs: performance.now() - started,
      ...(result.timedOut ? { timedOut: true } : {}),
    };
  }

  /** The deliberate shell: a Command run as a remote host runs it; `host` gives the default timeout. */
  async exec(host: SshTarget, command: Command, options: ExecOptions = {}): Promise<ExecResult> {
    const script = stdinScript(command);
    const timeoutMs = options.timeoutMs ?? host.commandTimeoutMs ?? 0;
    const where = options.step ? `${this.name}: ${options.step}` : this.name;
    if (options.signal?.aborted) throw new InterruptedError(`${where}: interrupted while running ${nameOf(command, options)}`);
    const started = performance.now();
    const out = new OutputCollector(secretsOf(command), options.onLine);
    // A session of its own, as sshd gives each command: its process group can be killed without this process.
    const child = spawn('sh', ['-c', execString(tag('local', process.pid, ++this.#commands))], {
      detached: true,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    child.stdout.on('data', (chunk: Buffer) => out.push('stdout', chunk));
    child.stderr.on('data', (chunk: Buffer) => out.push('stderr', chunk));
    child.stdin.on('error', () => undefined);
    child.stdin.end(script);
    let stopped: 'timeout' | 'aborted' | undefined;
    const stop = (why: 'timeout' | 'aborted') => {
      stopped ??= why;
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        // already gone
      }
    };
    const timer = timeoutMs > 0 ? setTimeout(() => stop('timeout'), timeoutMs) : undefined;
    const onAbort = () => stop('aborted');
    options.signal?.addEventListener('abort', onAbort, { once: true });
    const ended = await new Promise<{ code: number | null; signal: NodeJS.Signals | null } | Error>((resolve) => {
      child.once('error', resolve);
      child.once('close', (code, signal) => resolve({ code, signal }));
    });
    clearTimeout(timer);
    options.signal?.removeEventListener('abort', onAbort);
    if (stopped === 'aborted') throw new InterruptedError(`${where}: interrupted while running ${nameOf(command, options)}`);
    if (ended instanceof Error) throw new StepFailedError(this.name, options.step ?? 'exec', `cannot run sh: ${ended.message}`);
    if (stopped === 'timeout') out.note('stderr', timeoutNote(this.name, timeoutMs));
    const { stdout, stderr } = out.finish();
    const code =
      stopped === 'timeout'
        ? TIMEOUT_EXIT_CODE
        : (ended.code ?? 128 + ((osConstants.signals as Record<string, number>)[ended.signal ?? ''] ?? 0));
    return { code, stdout, stderr, durationMs: performance.now() - started, ...(stopped === 'timeout' ? { timedOut: true } : {}) };
  }

  /** A local copy (deploying to this machine). */
  async upload(host: SshTarget, localPath: string, remotePath: string, options: UploadOptions = {}): Promise<void> {
    const step = options.step ?? 'upload';
    try {
      const { size } = await stat(localPath);
      await copyFile(localPath, remotePath);
      if (options.mode !== undefined) await chmod(remotePath, options.mode);
      options.onProgress?.(size, size);
    } catch (err) {
      const e = err as NodeJS.ErrnoException;
      throw new StepFailedError(host.name, step, `cannot copy ${localPath} to ${remotePath}: ${e.code ?? e.message}`);
    }
  }

  async close(): Promise<void> {}
}
