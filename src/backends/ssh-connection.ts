/**
 * One SSH connection to a host, shared by every command of the run: sessions capped by slots, a refused channel
 * open retried, the connection's watchdog, the fence after a lost connection, exec and SFTP upload.
 */
import { randomBytes } from 'node:crypto';
import type { Duplex } from 'node:stream';
import type { Client, ClientChannel, SFTPWrapper } from 'ssh2';
import { CommandLostError, ConnectionError, DeployError, InterruptedError, StepFailedError } from '../errors.js';
import { secretsOf, type Command } from '../shell/command.js';
import type { ExecOptions, ExecResult, SshTarget, UploadOptions } from './backend.js';
import { OutputCollector, TIMEOUT_EXIT_CODE, formatSeconds, timeoutNote } from './output.js';
import { WATCHDOG_CLEAN, execString, fence, nameOf, runnerScript, runnerString, stdinScript, tag, watchdogString } from './protocol.js';
import { pipelineScripts, sleep, watchChannel, whenAborted, type ChannelRun, type Pipelined } from './ssh-channel.js';
import { runDirOps } from './ssh-dirs.js';
import { Runner } from './ssh-runner.js';
import type { Slots } from './slots.js';

/**
 * SFTP write size: four full SSH packets (OpenSSH's 32 KiB) less a write request's own 29 bytes, where the
 * default (32 KiB of data) sends every write as a full packet and a 29-byte one.
 */
const UPLOAD_CHUNK = 4 * 32_768 - 29;

export class Connection {
  readonly closed: Promise<void>;
  #isClosed = false;
  #ending = false;
  #lastError: Error | undefined;
  #commands = 0;
  /** Commands and uploads under way. */
  #busy = 0;
  /** A command ended without its exit status (killed, given up on, lost): it may still run on the host. */
  #unsure = false;
  #watchdog: ClientChannel | undefined;
  readonly #onGone: (lost: boolean) => void;
  /** Scripts waiting for their exec request to be sent, by exec string (each command's is unique). */
  readonly #scripts = new Map<string, Pipelined>();
  /** The session that runs this connection's commands one after another (ssh-runner.ts); opened by the first. */
  #runner: Runner | undefined;
  /** A runner is being opened: commands meanwhile get sessions of their own. */
  #runnerOpening = false;
  /** The host has no bash for a runner: every command gets a session. */
  #noRunner = false;
  /** Names this connection's runner's marks (protocol.ts runnerScript). */
  readonly #nonce = randomBytes(6).toString('hex');
  /** The SFTP channel, opened on first use and kept: the release dir is made on it, then the upload goes through it. */
  #sftp: Promise<SftpChannel> | undefined;
  /** The host has no SFTP: a command's DirOps go through the shell. */
  #noSftp = false;

  constructor(
    readonly target: SshTarget,
    readonly client: Client,
    readonly slots: Slots,
    readonly retries: number,
    /** Names this connection's commands on the host (protocol.ts). */
    readonly id: { readonly run: string; readonly seq: number },
    onGone: (lost: boolean) => void = () => {},
  ) {
    this.#onGone = onGone;
    this.closed = new Promise((resolve) => {
      client.on('close', () => {
        this.#gone();
        resolve();
      });
    });
    client.on('error', (err) => {
      this.#lastError = err;
    });
    pipelineScripts(client, this.#scripts);
  }

  /** Closed, by us (end) or not (lost); tells the backend once, as soon as it is known. */
  #gone(): void {
    if (this.#isClosed) return;
    this.#isClosed = true;
    this.#onGone(!this.#ending);
  }

  /**
   * Starts this connection's watchdog session (protocol.ts). Not awaited: commands need not wait for it, and a
   * connection lost before it runs is fenced by the next one.
   */
  watch(): void {
    try {
      this.client.exec(watchdogString(this.id.run, this.id.seq), (err, channel) => {
        if (err) return;
        this.#watchdog = channel;
        channel.once('close', () => {
          this.#watchdog = undefined;
        });
        channel.on('error', () => undefined);
        channel.resume();
        channel.stderr.resume();
      });
    } catch {
      // Not connected any more: the fence of the next connection covers it.
    }
  }

  async exec(command: Command, options: ExecOptions, started: number): Promise<ExecResult> {
    if (command.dirs && !this.#noSftp) {
      const done = await this.#dirs(command, options, started);
      if (done) return done;
    }
    // A host without bash has no runner: it said so before running anything, so the command runs in a session.
    return (await this.#exec(command, options, started)) ?? (await this.#exec(command, options, started))!;
  }

  /** Runs `command` in the runner or a session; undefined when the runner it opened found no bash (#noRunner). */
  async #exec(command: Command, options: ExecOptions, started: number): Promise<ExecResult | undefined> {
    const host = this.target.name;
    const release = await this.slots.acquire(options.signal).catch(() => {
      throw interrupted(this.target, command, options);
    });
    let request: string | undefined;
    this.#busy++;
    try {
      const timeoutMs = options.timeoutMs ?? this.target.commandTimeoutMs ?? 0;
      const out = new OutputCollector(secretsOf(command), options.onLine);
      const forRunner = this.#noRunner ? undefined : runnerScript(command, this.#nonce);
      const runner = this.#runner;
      let run: ChannelRun;
      if (runner?.idle && forRunner !== undefined) {
        runner.begin(out, forRunner);
        run = runner;
      } else {
        // The first command opens the runner; while the runner is busy (a lock renewal beside a step), a session.
        const opensRunner = !runner && !this.#runnerOpening && forRunner !== undefined;
        const commandTag = tag(this.id.run, this.id.seq, ++this.#commands);
        request = opensRunner ? runnerString(commandTag) : execString(commandTag);
        run = await this.#open(
          request,
          opensRunner ? { script: forRunner, keepOpen: true } : { script: stdinScript(command) },
          out,
          options,
        );
      }
      const ended = await run.wait(timeoutMs, options);
      if (run instanceof Runner && run.unavailable) {
        this.#noRunner = true;
        return undefined;
      }
      if (ended.kind !== 'exit') this.#unsure = true;
      if (ended.kind === 'aborted') throw interrupted(this.target, command, options);
      if (ended.kind === 'lost') {
        // The channel ended without an exit status: the connection is gone, even if ssh2 has not said so yet.
        this.#gone();
        this.client.destroy();
        throw new CommandLostError(
          host,
          `${stepPrefix(options.step)}connection lost while running ${nameOf(command, options)}${this.#cause()}`,
        );
      }
      if (ended.kind === 'timeout') out.note('stderr', timeoutNote(host, timeoutMs));
      const { stdout, stderr } = out.finish();
      const durationMs = performance.now() - started;
      return ended.kind === 'timeout'
        ? { code: TIMEOUT_EXIT_CODE, stdout, stderr, durationMs, timedOut: true }
        : { code: ended.code, stdout, stderr, durationMs };
    } finally {
      this.#busy--;
      if (request !== undefined) this.#scripts.delete(request);
      release();
    }
  }

  /**
   * Opens a session for `request` with its script sent behind it: a runner when the script keeps stdin open, else
   * a command's own session. Listeners go on inside the open callback: a fast command's output, exit status and
   * close can arrive in the same TCP read as the open confirmation, before any awaiting code runs.
   */
  async #open(request: string, pipelined: Pipelined, out: OutputCollector, options: ExecOptions): Promise<ChannelRun> {
    const opensRunner = pipelined.keepOpen === true;
    if (opensRunner) this.#runnerOpening = true;
    let run: ChannelRun | undefined;
    try {
      await this.#openChannel<ClientChannel>(
        (cb) => {
          this.#scripts.set(request, pipelined);
          this.client.exec(request, (err, channel) => {
            if (err) {
              this.#scripts.delete(request);
              return cb(err, channel);
            }
            // Not sent behind the exec request (ssh2 internals not as expected): send it now.
            const unsent = this.#scripts.delete(request);
            if (opensRunner) {
              const runner = new Runner(channel, this.#nonce, () => {
                if (this.#runner === runner) this.#runner = undefined;
              });
              this.#runner = runner;
              runner.begin(out, unsent ? pipelined.script : undefined);
              run = runner;
            } else {
              run = watchChannel(channel, out);
              if (unsent) channel.end(pipelined.script);
            }
            cb(err, channel);
          });
        },
        options.step,
        options.signal,
      );
    } finally {
      if (opensRunner) this.#runnerOpening = false;
    }
    return run!;
  }

  /**
   * A command's DirOps over the SFTP channel (ssh-dirs.ts); undefined when the command's text must run instead.
   * A timeout closes the channel, which fails what is pending: the text then runs, under the same timeout.
   */
  async #dirs(command: Command, options: ExecOptions, started: number): Promise<ExecResult | undefined> {
    if (options.signal?.aborted) return undefined;
    const release = await this.slots.acquire(options.signal).catch(() => {
      throw interrupted(this.target, command, options);
    });
    this.#busy++;
    let timer: NodeJS.Timeout | undefined;
    try {
      let channel: SftpChannel;
      try {
        channel = await this.#sftpChannel(options.step, options.signal);
      } catch (err) {
        if (this.#isClosed || !(err instanceof ConnectionError)) throw err;
        this.#noSftp = true;
        return undefined;
      }
      const timeoutMs = options.timeoutMs ?? this.target.commandTimeoutMs ?? 0;
      if (timeoutMs > 0) timer = setTimeout(() => this.#dropSftp(channel), timeoutMs);
      // A channel that closes fails what it had pending, but never answers a request sent after: stop at its close.
      const gone = Promise.race([channel.closed, this.closed]).then(() => 'shell' as const);
      if ((await Promise.race([runDirOps(channel.sftp, command.dirs!), gone])) === 'shell') return undefined;
      return { code: 0, stdout: '', stderr: '', durationMs: performance.now() - started };
    } finally {
      clearTimeout(timer);
      this.#busy--;
      release();
    }
  }

  #sftpChannel(step: string | undefined, signal: AbortSignal | undefined): Promise<SftpChannel> {
    if (!this.#sftp) {
      const opening: Promise<SftpChannel> = this.#openChannel<SFTPWrapper>((cb) => this.client.sftp(cb), step, signal).then((sftp) => ({
        sftp,
        opening,
        closed: new Promise<void>((resolve) => sftp.once('close', () => resolve())),
      }));
      this.#sftp = opening;
      const forget = () => {
        if (this.#sftp === opening) this.#sftp = undefined;
      };
      opening.then((channel) => channel.closed.then(forget), forget);
    }
    return this.#sftp;
  }

  /** Closes the SFTP channel (what it was doing fails); the next use opens another. */
  #dropSftp(channel: SftpChannel): void {
    if (this.#sftp === channel.opening) this.#sftp = undefined;
    channel.sftp.end();
  }

  /**
   * Kills what this run's lost connections `seqs` left running on the host and waits until it is gone; a
   * command that cannot be stopped makes the host unusable for this run.
   */
  async fence(seqs: readonly number[]): Promise<void> {
    const host = this.target.name;
    let result: ExecResult;
    try {
      result = await this.exec(fence(this.id.run, seqs), { timeoutMs: 15_000 }, performance.now());
    } catch (err) {
      await this.end();
      throw err;
    }
    if (result.code !== 0) {
      await this.end();
      throw new ConnectionError(
        host,
        `cannot stop the commands the lost connection left running (exit ${result.code}): ${(result.stdout + result.stderr).trim().split('\n').slice(-3).join('; ')}`,
        `Nothing more runs on ${host} in this run. Look for processes tagged ${seqs.map((s) => `deploy:${this.id.run}:${s}:…`).join(', ')} there (ps -eo pid,pgid,args).`,
      );
    }
  }

  /**
   * SFTP upload. It fails as soon as the connection closes, when it makes no progress for the stall timeout, and
   * when `options.signal` aborts; in each case the SFTP channel is closed, which stops the transfer.
   */
  async upload(localPath: string, remotePath: string, size: number, options: UploadOptions, step: string) {
    const host = this.target.name;
    const release = await this.slots.acquire(options.signal).catch(() => {
      throw uploadInterrupted(this.target, step, remotePath);
    });
    const stallMs = options.stallTimeoutMs ?? stallTimeoutMs(this.target);
    this.#busy++;
    try {
      const channel = await this.#sftpChannel(step, options.signal);
      const sftp = channel.sftp;
      try {
        await new Promise<void>((resolve, reject) => {
          let settled = false;
          let stall: NodeJS.Timeout | undefined;
          let unwatch = () => {};
          const settle = (err?: Error) => {
            if (settled) return;
            settled = true;
            clearTimeout(stall);
            unwatch();
            if (err) reject(err);
            else resolve();
          };
          const arm = () => {
            clearTimeout(stall);
            stall = setTimeout(
              () =>
                settle(new ConnectionError(host, `${step}: upload to ${remotePath} stalled: no progress for ${formatSeconds(stallMs)}`)),
              stallMs,
            );
          };
          if (options.signal) unwatch = whenAborted(options.signal, () => settle(uploadInterrupted(this.target, step, remotePath)));
          void this.closed.then(() =>
            settle(new ConnectionError(host, `${step}: connection lost while uploading to ${remotePath}${this.#cause()}`)),
          );
          arm();
          sftp.fastPut(
            localPath,
            remotePath,
            {
              ...(options.mode !== undefined ? { mode: options.mode } : {}),
              chunkSize: UPLOAD_CHUNK,
              step: (transferred) => {
                arm();
                options.onProgress?.(transferred, size);
              },
            },
            (err) => settle(err ?? undefined),
          );
        });
      } catch (err) {
        // Stops a transfer that is still going (a stall, an abort).
        this.#dropSftp(channel);
        throw err;
      }
      if (size === 0) options.onProgress?.(0, 0);
    } catch (err) {
      if (err instanceof DeployError) throw err;
      if (this.#isClosed) {
        throw new ConnectionError(host, `${step}: connection lost while uploading to ${remotePath}${this.#cause()}`);
      }
      throw new StepFailedError(host, step, `cannot upload ${localPath} to ${remotePath}: ${messageOf(err)}`);
    } finally {
      this.#busy--;
      release();
    }
  }

  /**
   * A direct-tcpip channel from this host to `to`, used as the socket of a connection through a jump host.
   * Not retried: here a channel open failure means the jump host could not reach `to`.
   */
  async forwardOut(to: SshTarget): Promise<Duplex> {
    try {
      return await new Promise<ClientChannel>((resolve, reject) => {
        try {
          this.client.forwardOut('127.0.0.1', 0, to.address, to.port, (err, channel) => (err ? reject(err) : resolve(channel)));
        } catch (err) {
          reject(err);
        }
      });
    } catch (err) {
      throw new ConnectionError(
        to.name,
        `jump host ${this.target.name} could not connect to ${to.address}:${to.port}: ${messageOf(err)}`,
        `Check that ${to.address}:${to.port} is reachable from ${this.target.name} and that its sshd allows TCP forwarding (AllowTcpForwarding).`,
      );
    }
  }

  async end(): Promise<void> {
    if (this.#isClosed) return;
    this.#ending = true;
    this.#runner?.end();
    if (this.#busy === 0 && !this.#unsure) await this.#endWatchdog();
    this.client.end();
    const timer = setTimeout(() => this.client.destroy(), 2000);
    await this.closed;
    clearTimeout(timer);
  }

  /**
   * Tells the watchdog that nothing of this connection runs any more, and waits (briefly) for it to end: sshd drops
   * what it has not yet written to a session's stdin when the connection ends.
   */
  async #endWatchdog(): Promise<void> {
    const dog = this.#watchdog;
    if (!dog) return;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, 1000);
      dog.once('close', () => {
        clearTimeout(timer);
        resolve();
      });
      try {
        dog.end(`${WATCHDOG_CLEAN}\n`);
      } catch {
        resolve();
      }
    });
  }

  #cause(): string {
    return this.#lastError ? ` (${this.#lastError.message})` : '';
  }

  async #openChannel<T>(
    open: (cb: (err: Error | undefined, channel: T) => void) => void,
    step: string | undefined,
    signal?: AbortSignal,
  ): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      if (this.#isClosed) {
        throw new ConnectionError(this.target.name, `${stepPrefix(step)}connection is closed${this.#cause()}`);
      }
      try {
        return await new Promise<T>((resolve, reject) => {
          try {
            open((err, channel) => (err ? reject(err) : resolve(channel)));
          } catch (err) {
            reject(err);
          }
        });
      } catch (err) {
        const refused = err instanceof Error && /channel open failure/i.test(err.message);
        // A session refused as the connection dies is a lost connection, not a refusal: ssh2 says "Unable to exec".
        if (!refused && !this.#isClosed) await Promise.race([this.closed, new Promise((r) => setTimeout(r, 500).unref())]);
        if (this.#isClosed)
          throw new ConnectionError(this.target.name, `${stepPrefix(step)}connection lost while starting a command${this.#cause()}`);
        if (!refused || attempt >= this.retries) {
          throw new ConnectionError(
            this.target.name,
            `${stepPrefix(step)}cannot open an SSH session: ${messageOf(err)}${refused ? ` (${attempt + 1} attempts)` : ''}`,
            refused ? 'The host refused new sessions; is its sshd MaxSessions very low?' : undefined,
          );
        }
        await sleep(10 * 2 ** attempt, signal);
      }
    }
  }
}

interface SftpChannel {
  readonly sftp: SFTPWrapper;
  /** The promise the connection keeps for it. */
  readonly opening: Promise<SftpChannel>;
  readonly closed: Promise<void>;
}

export function stepPrefix(step: string | undefined): string {
  return step ? `${step}: ` : '';
}

export function interrupted(target: SshTarget, command: Command, options: ExecOptions): InterruptedError {
  return new InterruptedError(`${target.name}: ${stepPrefix(options.step)}interrupted while running ${nameOf(command, options)}`);
}

export function uploadInterrupted(target: SshTarget, step: string, remotePath: string): InterruptedError {
  return new InterruptedError(`${target.name}: ${step}: interrupted while uploading to ${remotePath}`);
}

/** An upload that makes no progress this long fails: three connect timeouts (30 s by default). */
export const stallTimeoutMs = (target: SshTarget): number => 3 * target.connectTimeoutMs;

export function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
