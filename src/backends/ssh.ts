/**
 * The SSH backend: the only module that imports ssh2. ssh2 is used directly rather than through node-ssh:
 * we need the raw channel (exit signal, kill on timeout, channel-open retry), our own TCP socket
 * (TCP_NODELAY: ~5 ms instead of ~45 ms per command) and forwardOut for jump hosts, none of which node-ssh adds.
 *
 * One connection per host, opened on first use and shared by every command of the run. Each connection opens
 * at most `maxChannels` sessions at once (sshd's MaxSessions is 10 and frees a slot slightly after the client
 * sees the exit, so 4 leaves headroom); further commands wait in FIFO order, and a refused channel open is
 * retried with doubling backoff.
 *
 * Commands go to the host as protocol.ts describes: a fixed command that makes the login shell source its stdin,
 * the script on that stdin (sent right behind the exec request, so no round trip waits for it). A timeout or an abort kills the command's process
 * group (a `signal` request: sshd killpg()s the session); each connection's watchdog session kills its commands
 * when the connection goes away. When a connection was lost, the next connection to that host first kills
 * whatever the lost one left running (the fence), before any other command runs there.
 */
import { randomBytes } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import net from 'node:net';
import { constants as osConstants } from 'node:os';
import type { Duplex } from 'node:stream';
import type { AnyAuthMethod, Client, ClientChannel, ConnectConfig, ParsedKey, SFTPWrapper } from 'ssh2';
import { ConnectionError, DeployError, InterruptedError, StepFailedError } from '../errors.js';
import { render, secretsOf, type Command } from '../shell/command.js';
import type { Backend, ExecOptions, ExecResult, SshTarget, UploadOptions } from './backend.js';
import {
  fingerprint,
  keyTypeOf,
  knownHostsName,
  parseKnownHosts,
  preferredHostKeyAlgorithms,
  verifyHostKey,
  type HostKeyVerdict,
  type KnownHostEntry,
} from './known-hosts.js';
import { OutputCollector, TIMEOUT_EXIT_CODE, formatSeconds, timeoutNote } from './output.js';
import { execString, fence, stdinScript, tag, watchdogString } from './protocol.js';
import { Slots } from './slots.js';

type Ssh2 = typeof import('ssh2');
let ssh2Loading: Promise<Ssh2> | undefined;

/**
 * ssh2 takes ~35 ms to load. Loaded on first use, verbs that never connect do not pay for it, and a run loads it
 * while its first TCP connection is being accepted (sshd forks before it sends its banner).
 */
function loadSsh2(): Promise<Ssh2> {
  ssh2Loading ??= import('ssh2').then((m) => ((m as { default?: Ssh2 }).default ?? m) as Ssh2);
  return ssh2Loading;
}

export interface SshBackendOptions {
  /** Sessions open at once on one connection. Default 4. */
  readonly maxChannels?: number;
  /** Retries of a refused channel open (10 ms, doubling). Default 6. */
  readonly channelRetries?: number;
  /** Told each time a host absent from known_hosts is accepted (`strictHostKeys: false`), with its key's fingerprint. */
  readonly onUnknownHostKey?: (target: SshTarget, key: string) => void;
  /** Retries of a connection that sshd dropped before its banner (MaxStartups). Default 6: ~16 s in all. */
  readonly connectRetries?: number;
  /** First wait before such a retry, doubling (with jitter) up to 5 s. Default 250 ms. */
  readonly connectBackoffMs?: number;
  /** Told before each such retry. */
  readonly onConnectRetry?: (target: SshTarget, message: string) => void;
}

export class SshBackend implements Backend {
  readonly #connections = new Map<string, Promise<Connection>>();
  readonly #files = new Map<string, Promise<Buffer | Error | undefined>>();
  readonly #maxChannels: number;
  readonly #channelRetries: number;
  readonly #onUnknownHostKey: SshBackendOptions['onUnknownHostKey'];
  readonly #connectRetries: number;
  readonly #connectBackoffMs: number;
  readonly #onConnectRetry: SshBackendOptions['onConnectRetry'];
  /** Tags this run's commands on the hosts (protocol.ts). */
  readonly #run = randomBytes(5).toString('hex');
  #seq = 0;
  /** Connection key → tag numbers of this run's connections to it that were lost and not yet fenced. */
  readonly #lost = new Map<string, number[]>();

  constructor(options: SshBackendOptions = {}) {
    this.#maxChannels = options.maxChannels ?? 4;
    this.#channelRetries = options.channelRetries ?? 6;
    this.#onUnknownHostKey = options.onUnknownHostKey;
    this.#connectRetries = options.connectRetries ?? 6;
    this.#connectBackoffMs = options.connectBackoffMs ?? 250;
    this.#onConnectRetry = options.onConnectRetry;
  }

  async exec(host: SshTarget, command: Command, options: ExecOptions = {}): Promise<ExecResult> {
    const started = performance.now();
    if (options.signal?.aborted) throw interrupted(host, command, options.step);
    const conn = await this.#connection(host, options.step);
    return conn.exec(command, options, started);
  }

  async upload(host: SshTarget, localPath: string, remotePath: string, options: UploadOptions = {}): Promise<void> {
    const step = options.step ?? 'upload';
    const size = await stat(localPath).then(
      (s) => s.size,
      (err: NodeJS.ErrnoException) => {
        throw new StepFailedError(host.name, step, `cannot upload ${localPath}: ${err.code ?? err.message}`);
      },
    );
    if (options.signal?.aborted) throw uploadInterrupted(host, step, remotePath);
    const conn = await this.#connection(host, options.step);
    await conn.upload(localPath, remotePath, size, options, step);
  }

  /** Ends every connection (jump connections included). */
  async close(): Promise<void> {
    const all = [...this.#connections.values()];
    this.#connections.clear();
    await Promise.all(
      all.map((p) =>
        p.then(
          (c) => c.end(),
          () => undefined,
        ),
      ),
    );
  }

  /** Open connections, for tests and diagnostics. */
  get openConnections(): number {
    return this.#connections.size;
  }

  #connection(target: SshTarget, step?: string): Promise<Connection> {
    const key = connectionKey(target);
    let pending = this.#connections.get(key);
    if (!pending) {
      const seq = ++this.#seq;
      const p: Promise<Connection> = this.#open(target, seq, (lost) => {
        if (this.#connections.get(key) === p) this.#connections.delete(key);
        if (lost) this.#lost.set(key, [...(this.#lost.get(key) ?? []), seq]);
      });
      pending = p;
      this.#connections.set(key, p);
      p.catch(() => {
        if (this.#connections.get(key) === p) this.#connections.delete(key);
      });
    }
    return step === undefined ? pending : pending.catch((err: unknown) => Promise.reject(withStep(err, step)));
  }

  async #open(target: SshTarget, seq: number, onGone: (lost: boolean) => void): Promise<Connection> {
    // Connecting starts first: the key files are read and ssh2 loads while sshd accepts and forks. Their errors
    // (no key, unreadable known_hosts) still come before connection errors, as when they were read first.
    const connecting = target.jump ? this.#viaJump(target, target.jump) : tcpConnect(target);
    connecting.catch(() => undefined);
    let ready: [KnownHosts, Auth, Ssh2];
    try {
      ready = await Promise.all([this.#knownHosts(target), this.#auth(target), loadSsh2()]);
    } catch (err) {
      connecting.then(
        (s) => s.destroy(),
        () => undefined,
      );
      throw err;
    }
    const [knownHosts, auth, ssh2] = ready;
    let sock = await connecting;
    let conn: Connection;
    for (let attempt = 0; ; attempt++) {
      try {
        const client = await handshake(ssh2, target, sock, knownHosts, auth, this.#onUnknownHostKey);
        conn = new Connection(target, client, new Slots(this.#maxChannels), this.#channelRetries, { run: this.#run, seq }, onGone);
        break;
      } catch (err) {
        sock.destroy();
        // sshd over MaxStartups accepts and closes before its banner: busy, not down. Anything else is final.
        if (!(err instanceof DroppedError) || attempt >= this.#connectRetries) throw err;
        const ms = Math.min(5000, this.#connectBackoffMs * 2 ** attempt) * (0.5 + Math.random() / 2);
        this.#onConnectRetry?.(
          target,
          `${err.message.slice(target.name.length + 2)}; retry ${attempt + 1} of ${this.#connectRetries} in ${formatSeconds(ms)}`,
        );
        await sleep(ms);
        sock = await (target.jump ? this.#viaJump(target, target.jump) : tcpConnect(target));
      }
    }
    conn.watch();
    const lost = this.#lost.get(connectionKey(target));
    if (lost) {
      await conn.fence(lost);
      this.#lost.delete(connectionKey(target));
    }
    return conn;
  }

  async #viaJump(target: SshTarget, jump: SshTarget): Promise<Duplex> {
    let via: Connection;
    try {
      via = await this.#connection(jump);
    } catch (err) {
      throw new ConnectionError(
        target.name,
        `cannot reach jump host ${jump.name}: ${messageOf(err)}`,
        err instanceof DeployError ? err.hint : undefined,
      );
    }
    return via.forwardOut(target);
  }

  async #knownHosts(target: SshTarget): Promise<KnownHosts> {
    const entries: KnownHostEntry[] = [];
    const found: string[] = [];
    for (const file of target.knownHosts) {
      const text = await this.#read(file, target);
      if (text === undefined) continue;
      found.push(file);
      entries.push(...parseKnownHosts(text.toString('utf8'), file).entries);
    }
    return { entries, files: target.knownHosts, found };
  }

  async #auth(target: SshTarget): Promise<Auth> {
    const methods: AnyAuthMethod[] = [];
    const tried: string[] = [];
    const skipped: string[] = [];
    const ssh2 = await loadSsh2();
    const addKey = async (file: string, quietIfMissing: boolean) => {
      const buf = await this.#read(file, target);
      if (buf === undefined) {
        if (!quietIfMissing) skipped.push(`${file} (not found)`);
        return;
      }
      const parsed = ssh2.utils.parseKey(buf) as ParsedKey | ParsedKey[] | Error;
      if (parsed instanceof Error) {
        skipped.push(
          /encrypted|passphrase/i.test(parsed.message) ? `${file} (has a passphrase: add it to ssh-agent)` : `${file} (${parsed.message})`,
        );
        return;
      }
      const key = Array.isArray(parsed) ? parsed[0]! : parsed;
      if (!key.isPrivateKey()) {
        skipped.push(`${file} (a public key; name the private key file)`);
        return;
      }
      methods.push({ type: 'publickey', username: target.user, key });
      tried.push(file);
    };
    for (const f of target.identityFiles) await addKey(f, false);
    if (target.agent) {
      methods.push({ type: 'agent', username: target.user, agent: target.agent });
      tried.push(`ssh-agent ${target.agent}`);
    }
    for (const f of target.defaultIdentityFiles ?? []) await addKey(f, true);
    if (methods.length === 0) {
      throw new ConnectionError(
        target.name,
        `no SSH key to log in as ${target.user} with${skipped.length ? `: ${skipped.join(', ')}` : ''}`,
        'Set ssh.identity_file in deploy.yml, or start ssh-agent and add a key (ssh-add).',
      );
    }
    return { methods, tried, skipped };
  }

  /** File contents, undefined when missing; each file is read once per backend (a run). */
  async #read(path: string, target: SshTarget): Promise<Buffer | undefined> {
    let p = this.#files.get(path);
    if (!p) {
      p = readFile(path).catch((err: NodeJS.ErrnoException) => (err.code === 'ENOENT' ? undefined : err));
      this.#files.set(path, p);
    }
    const got = await p;
    if (got instanceof Error)
      throw new ConnectionError(target.name, `cannot read ${path}: ${(got as NodeJS.ErrnoException).code ?? got.message}`);
    return got;
  }
}

interface KnownHosts {
  readonly entries: readonly KnownHostEntry[];
  readonly files: readonly string[];
  readonly found: readonly string[];
}

interface Auth {
  readonly methods: AnyAuthMethod[];
  readonly tried: readonly string[];
  readonly skipped: readonly string[];
}

class Connection {
  readonly closed: Promise<void>;
  #isClosed = false;
  #ending = false;
  #lastError: Error | undefined;
  #commands = 0;
  readonly #onGone: (lost: boolean) => void;
  /** Scripts waiting for their exec request to be sent, by exec string (each command's is unique). */
  readonly #scripts = new Map<string, string>();

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
        channel.on('error', () => undefined);
        channel.resume();
        channel.stderr.resume();
      });
    } catch {
      // Not connected any more: the fence of the next connection covers it.
    }
  }

  async exec(command: Command, options: ExecOptions, started: number): Promise<ExecResult> {
    const host = this.target.name;
    const script = stdinScript(command);
    const release = await this.slots.acquire(options.signal).catch(() => {
      throw interrupted(this.target, command, options.step);
    });
    const request = execString(tag(this.id.run, this.id.seq, ++this.#commands));
    try {
      const timeoutMs = options.timeoutMs ?? this.target.commandTimeoutMs ?? 0;
      const out = new OutputCollector(secretsOf(command), options.onLine);
      let run: ChannelRun | undefined;
      // Listeners go on inside the open callback: a fast command's output, exit status and close can
      // arrive in the same TCP read as the open confirmation, before any awaiting code runs.
      await this.#openChannel<ClientChannel>(
        (cb) => {
          this.#scripts.set(request, script);
          this.client.exec(request, (err, channel) => {
            if (!err) {
              run = watchChannel(channel, out);
              // Not sent behind the exec request (ssh2 internals not as expected): send it now.
              if (this.#scripts.delete(request)) channel.end(script);
            } else {
              this.#scripts.delete(request);
            }
            cb(err, channel);
          });
        },
        options.step,
        options.signal,
      );
      const ended = await run!.wait(timeoutMs, options);
      if (ended.kind === 'aborted') throw interrupted(this.target, command, options.step);
      if (ended.kind === 'lost') {
        // The channel ended without an exit status: the connection is gone, even if ssh2 has not said so yet.
        this.#gone();
        this.client.destroy();
        throw new ConnectionError(host, `${stepPrefix(options.step)}connection lost while running ${describe(command)}${this.#cause()}`);
      }
      if (ended.kind === 'timeout') out.note('stderr', timeoutNote(host, timeoutMs));
      const { stdout, stderr } = out.finish();
      const durationMs = performance.now() - started;
      return ended.kind === 'timeout'
        ? { code: TIMEOUT_EXIT_CODE, stdout, stderr, durationMs, timedOut: true }
        : { code: ended.code, stdout, stderr, durationMs };
    } finally {
      this.#scripts.delete(request);
      release();
    }
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
    try {
      const sftp = await this.#openChannel<SFTPWrapper>((cb) => this.client.sftp(cb), step, options.signal);
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
              step: (transferred) => {
                arm();
                options.onProgress?.(transferred, size);
              },
            },
            (err) => settle(err ?? undefined),
          );
        });
      } finally {
        sftp.end();
      }
      if (size === 0) options.onProgress?.(0, 0);
    } catch (err) {
      if (err instanceof DeployError) throw err;
      if (this.#isClosed) {
        throw new ConnectionError(host, `${step}: connection lost while uploading to ${remotePath}${this.#cause()}`);
      }
      throw new StepFailedError(host, step, `cannot upload ${localPath} to ${remotePath}: ${messageOf(err)}`);
    } finally {
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
    this.client.end();
    const timer = setTimeout(() => this.client.destroy(), 2000);
    await this.closed;
    clearTimeout(timer);
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

type Ended =
  | { readonly kind: 'exit'; readonly code: number }
  | { readonly kind: 'timeout' }
  | { readonly kind: 'aborted' }
  | { readonly kind: 'lost' };

interface ChannelRun {
  wait(timeoutMs: number, options: ExecOptions): Promise<Ended>;
}

function watchChannel(channel: ClientChannel, out: OutputCollector): ChannelRun {
  let code: number | undefined;
  let closed = false;
  let stderrEnded = false;
  let onSettled = () => {};
  // Writing the script to a channel that is going away fails; the close that follows says what happened.
  channel.on('error', () => undefined);
  channel.on('data', (chunk: Buffer) => out.push('stdout', chunk));
  channel.stderr.on('data', (chunk: Buffer) => out.push('stderr', chunk));
  channel.stderr.on('end', () => {
    stderrEnded = true;
    onSettled();
  });
  const onExit = (status?: number | null, signalName?: string) => {
    if (status === undefined) return;
    code ??= status ?? signalExitCode(signalName);
  };
  channel.on('exit', onExit);
  channel.on('close', (status?: number | null, signalName?: string) => {
    onExit(status, signalName);
    closed = true;
    if (channel.stderr.readableEnded) stderrEnded = true;
    onSettled();
  });

  return {
    wait: (timeoutMs, options) =>
      new Promise<Ended>((resolve) => {
        let stopped: 'timeout' | 'aborted' | undefined;
        let unwatch = () => {};
        let retry: NodeJS.Timeout | undefined;
        const finish = (force = false) => {
          if (!force && !(closed && stderrEnded)) return;
          clearTimeout(timer);
          clearTimeout(retry);
          unwatch();
          if (stopped) resolve({ kind: stopped });
          else if (code === undefined) resolve({ kind: 'lost' });
          else resolve({ kind: 'exit', code });
        };
        // The signal is sent again until the command is gone: sshd's killpg() misses a command whose shell has not
        // called setsid() yet. A peer that never confirms (dead, or an sshd without `signal`) is given up on after
        // 5 s; the connection's watchdog then kills the command when the connection ends.
        const kill = (why: 'timeout' | 'aborted') => {
          if (stopped) return;
          stopped = why;
          const started = Date.now();
          const again = () => {
            if (closed) return;
            if (Date.now() - started >= 5000) {
              channel.close();
              finish(true);
              return;
            }
            killRemote(channel);
            retry = setTimeout(again, 250);
            retry.unref();
          };
          again();
        };
        const timer = timeoutMs > 0 ? setTimeout(() => kill('timeout'), timeoutMs) : undefined;
        onSettled = () => finish();
        if (options.signal?.aborted) kill('aborted');
        else if (options.signal) unwatch = whenAborted(options.signal, () => kill('aborted'));
        finish();
      }),
  };
}

/**
 * Sends SIGKILL to the remote command's process group (sshd killpg()s it). ssh2's Channel.signal() only
 * sends while our side is writable, and stdin is ended right after the script; so after that, the same request
 * goes through the channel's protocol object. Without the kill, sshd keeps the channel until the command exits.
 */
function killRemote(channel: ClientChannel): void {
  try {
    if (channel.writable) {
      channel.signal('KILL');
      return;
    }
    const internals = channel as unknown as {
      outgoing?: { id?: number; state?: string };
      _client?: { _protocol?: { signal?: (id: number, name: string) => void } };
    };
    const id = internals.outgoing?.id;
    const protocol = internals._client?._protocol;
    if (id !== undefined && internals.outgoing?.state !== 'closed' && typeof protocol?.signal === 'function') {
      protocol.signal(id, 'KILL');
    }
  } catch {
    // The channel is already going away; close() still ends it.
  }
}

/**
 * Sends each command's script right behind its exec request, in the same write, instead of after the server's
 * reply: that saves a round trip per command. sshd handles the exec request before the data that follows it. ssh2
 * has no API for it, so this wraps its protocol's `exec`; when its internals are not as expected nothing is
 * wrapped and exec() sends the script once the reply is in.
 */
function pipelineScripts(client: Client, scripts: Map<string, string>): void {
  const internals = client as unknown as {
    _protocol?: { exec?: (id: number, command: string, wantReply: boolean) => void };
    _chanMgr?: { _channels?: Record<string, unknown> };
  };
  const protocol = internals._protocol;
  const original = protocol?.exec;
  if (!protocol || typeof original !== 'function' || typeof internals._chanMgr?._channels !== 'object') return;
  protocol.exec = function (this: unknown, id: number, command: string, wantReply: boolean) {
    original.call(this, id, command, wantReply);
    const script = scripts.get(command);
    if (script === undefined) return;
    const channel = Object.values(internals._chanMgr?._channels ?? {}).find(
      (c): c is ClientChannel => typeof c === 'object' && c !== null && (c as { outgoing?: { id?: number } }).outgoing?.id === id,
    );
    if (!channel) return;
    scripts.delete(command);
    channel.end(script);
  };
}

function signalExitCode(signalName: string | undefined): number {
  const name = signalName?.startsWith('SIG') ? signalName : `SIG${signalName}`;
  const n = signalName ? (osConstants.signals as Record<string, number>)[name] : undefined;
  return 128 + (n ?? 0);
}

function tcpConnect(target: SshTarget): Promise<net.Socket> {
  const where = `${target.address}:${target.port}`;
  return new Promise((resolve, reject) => {
    const sock = net.connect({ host: target.address, port: target.port });
    sock.setNoDelay(true);
    const timer = setTimeout(() => {
      sock.destroy();
      reject(
        new ConnectionError(
          target.name,
          `connecting to ${where} timed out after ${formatSeconds(target.connectTimeoutMs)}`,
          'Is the host up and reachable? ssh.connect_timeout in deploy.yml sets the limit.',
        ),
      );
    }, target.connectTimeoutMs);
    const onError = (err: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      sock.destroy();
      reject(socketError(target, err));
    };
    sock.once('error', onError);
    sock.once('connect', () => {
      clearTimeout(timer);
      sock.removeListener('error', onError);
      resolve(sock);
    });
  });
}

/**
 * The server closed a connection it had accepted before its SSH banner: what sshd does over MaxStartups (after
 * writing `Exceeded MaxStartups`). The server is busy, not down.
 */
class DroppedError extends ConnectionError {
  constructor(target: SshTarget) {
    super(
      target.name,
      `${target.address}:${target.port} closed the connection before the SSH banner (sshd busy: MaxStartups?)`,
      'Too many connections were waiting for authentication there: lower ssh.parallel, or raise MaxStartups in its sshd_config.',
    );
  }
}

function socketError(target: SshTarget, err: NodeJS.ErrnoException): ConnectionError {
  const where = `${target.address}:${target.port}`;
  switch (err.code) {
    case 'ECONNREFUSED':
      return new ConnectionError(target.name, `connection refused by ${where}`, `Is sshd running on ${where}?`);
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return new ConnectionError(target.name, `cannot resolve host name ${target.address}`);
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return new ConnectionError(target.name, `${where} is unreachable`);
    default:
      return new ConnectionError(target.name, `cannot connect to ${where}: ${err.code ?? err.message}`);
  }
}

function handshake(
  ssh2: Ssh2,
  target: SshTarget,
  sock: Duplex,
  known: KnownHosts,
  auth: Auth,
  onUnknownHostKey: SshBackendOptions['onUnknownHostKey'],
): Promise<Client> {
  const name = knownHostsName(target.address, target.port, target.hostKeyAlias);
  let verdict: HostKeyVerdict | undefined;
  let offered: Buffer | undefined;
  const client = new ssh2.Client();
  const config: ConnectConfig = {
    sock: sock as ConnectConfig['sock'],
    username: target.user,
    readyTimeout: target.connectTimeoutMs,
    keepaliveInterval: target.keepaliveIntervalMs,
    keepaliveCountMax: 3,
    algorithms: {
      serverHostKey: preferredHostKeyAlgorithms(known.entries, name) as NonNullable<
        NonNullable<ConnectConfig['algorithms']>['serverHostKey']
      >,
    },
    hostVerifier: (key: Buffer) => {
      offered = key;
      verdict = verifyHostKey(known.entries, name, key);
      if (verdict.kind === 'unknown' && !target.strictHostKeys) {
        onUnknownHostKey?.(target, `${keyTypeOf(key)} key ${fingerprint(key)}`);
        return true;
      }
      return verdict.kind === 'trusted';
    },
    authHandler: auth.methods,
    ...(target.forwardAgent && target.agent ? { agent: target.agent, agentForward: true } : {}),
  };
  return new Promise((resolve, reject) => {
    let settled = false;
    const fail = (err: ConnectionError) => {
      if (settled) return;
      settled = true;
      client.destroy();
      reject(err);
    };
    client.once('ready', () => {
      settled = true;
      resolve(client);
    });
    client.on('error', (err: Error & { level?: string }) => {
      if (verdict && offered && verdict.kind !== 'trusted' && !(verdict.kind === 'unknown' && !target.strictHostKeys)) {
        fail(hostKeyError(target, name, verdict, offered, known));
      } else if (err.level === 'client-authentication') {
        fail(
          new ConnectionError(
            target.name,
            `authentication as ${target.user} failed on ${target.address}:${target.port}; tried ${auth.tried.join(', ') || 'nothing'}` +
              (auth.skipped.length ? `; skipped ${auth.skipped.join(', ')}` : ''),
            `Is the public key in ~${target.user}/.ssh/authorized_keys on ${target.name}? Set ssh.identity_file in deploy.yml to pick the key.`,
          ),
        );
      } else if (err.level === 'client-timeout') {
        fail(
          new ConnectionError(
            target.name,
            `SSH handshake with ${target.address}:${target.port} timed out after ${formatSeconds(target.connectTimeoutMs)}`,
          ),
        );
      } else if ((client as { _remoteVer?: string })._remoteVer === undefined) {
        // Reset or closed before the server's identification line ('Connection lost before handshake').
        fail(new DroppedError(target));
      } else {
        fail(new ConnectionError(target.name, `SSH connection to ${target.address}:${target.port} failed: ${err.message}`));
      }
    });
    client.on('close', () =>
      fail(
        (client as { _remoteVer?: string })._remoteVer === undefined
          ? new DroppedError(target)
          : new ConnectionError(target.name, `${target.address}:${target.port} closed the connection during the SSH handshake`),
      ),
    );
    client.connect(config);
  });
}

function hostKeyError(target: SshTarget, name: string, verdict: HostKeyVerdict, offered: Buffer, known: KnownHosts): ConnectionError {
  const type = keyTypeOf(offered);
  const got = `${type} key ${fingerprint(offered)}`;
  const file = known.files[0] ?? '~/.ssh/known_hosts';
  const keyscan =
    `ssh-keyscan ${target.port === 22 ? '' : `-p ${target.port} `}-t ${type} ${target.address} >> ${file}` +
    (target.hostKeyAlias ? ` (then replace the host name on that line with ${target.hostKeyAlias})` : '');
  switch (verdict.kind) {
    case 'revoked':
      return new ConnectionError(
        target.name,
        `host key verification failed: ${name} offered the REVOKED ${got} (@revoked at ${verdict.entry.file}:${verdict.entry.line}); refusing to connect`,
        'A revoked key means the host or its key is compromised; ask whoever runs the host.',
      );
    case 'changed': {
      const was = verdict.expected.map((e) => `${e.keyType} ${fingerprint(e.key)} (${e.file}:${e.line})`).join(', ');
      return new ConnectionError(
        target.name,
        `host key verification failed: the host key of ${name} has CHANGED; it offered ${got}, known_hosts has ${was}. ` +
          'Someone may be intercepting the connection (man-in-the-middle), or the host was rebuilt',
        `If the change is expected, verify the new fingerprint out of band, then: ssh-keygen -R '${name}' -f ${verdict.expected[0]!.file} && ${keyscan}`,
      );
    }
    default: {
      const files = known.found.length ? known.found.join(', ') : `none of ${known.files.join(', ') || '(no files)'} exist`;
      return new ConnectionError(
        target.name,
        `host key verification failed: ${name} is unknown (not in known_hosts: ${files}); it offered ${got}`,
        `If this is the right host, compare that fingerprint with the host's own (ssh-keygen -lf /etc/ssh/ssh_host_${type.replace(/^ssh-|-.*$/g, '')}_key.pub on its console), then add it: ${keyscan}`,
      );
    }
  }
}

function connectionKey(t: SshTarget): string {
  const self = `${t.name}=${t.user}@${t.address}:${t.port}`;
  return t.jump ? `${self} via ${connectionKey(t.jump)}` : self;
}

function stepPrefix(step: string | undefined): string {
  return step ? `${step}: ` : '';
}

function withStep(err: unknown, step: string): unknown {
  if (!(err instanceof ConnectionError) || err.message.startsWith(`${err.host}: ${step}: `)) return err;
  return new ConnectionError(err.host, `${step}: ${err.message.slice(err.host.length + 2)}`, err.hint);
}

function describe(command: Command): string {
  if (command.description) return command.description;
  const text = render(command);
  return text.length > 120 ? `${text.slice(0, 117)}...` : text;
}

function interrupted(target: SshTarget, command: Command, step: string | undefined): InterruptedError {
  return new InterruptedError(`${target.name}: ${stepPrefix(step)}interrupted while running ${describe(command)}`);
}

function uploadInterrupted(target: SshTarget, step: string, remotePath: string): InterruptedError {
  return new InterruptedError(`${target.name}: ${step}: interrupted while uploading to ${remotePath}`);
}

/** An upload that makes no progress this long fails: three connect timeouts (30 s by default). */
export const stallTimeoutMs = (target: SshTarget): number => 3 * target.connectTimeoutMs;

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    const unwatch = signal ? whenAborted(signal, done) : () => {};
    function done() {
      clearTimeout(timer);
      unwatch();
      resolve();
    }
  });
}

const abortWatchers = new WeakMap<AbortSignal, Set<() => void>>();

/**
 * Calls `fn` when `signal` aborts; returns the undo. Every command in flight watches the run's one signal, so each
 * signal gets a single 'abort' listener that fans out: one listener per command would pass Node's limit of 10
 * with more than 10 hosts and print a MaxListenersExceededWarning on every larger deploy.
 */
function whenAborted(signal: AbortSignal, fn: () => void): () => void {
  let watchers = abortWatchers.get(signal);
  if (!watchers) {
    const all = new Set<() => void>();
    watchers = all;
    abortWatchers.set(signal, all);
    signal.addEventListener(
      'abort',
      () => {
        const now = [...all];
        all.clear();
        for (const f of now) f();
      },
      { once: true },
    );
  }
  const mine = watchers;
  const once = () => fn();
  mine.add(once);
  return () => {
    mine.delete(once);
  };
}
