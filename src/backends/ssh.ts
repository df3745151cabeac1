/**
 * The SSH backend, over ssh2 directly rather than node-ssh: we need the raw channel (exit signal, kill on timeout,
 * channel-open retry), our own TCP socket (TCP_NODELAY: ~5 ms instead of ~45 ms per command) and forwardOut for
 * jump hosts, none of which node-ssh adds. This file and its parts are the only modules that import ssh2:
 * ssh-connect.ts (socket, handshake, host keys, login keys), ssh-connection.ts (one connection: exec, upload, fence),
 * ssh-channel.ts (one command's session channel).
 *
 * One connection per host, opened on first use and shared by every command of the run. Each connection opens
 * at most `maxChannels` sessions at once (sshd's MaxSessions is 10 and frees a slot slightly after the client
 * sees the exit, so 4 leaves headroom); further commands wait in FIFO order, and a refused channel open is
 * retried with doubling backoff.
 *
 * Commands go to the host as protocol.ts describes: a fixed, secret-free exec request, the script on its stdin
 * (sent right behind the request, so no round trip waits for it). The first command opens the connection's runner
 * (ssh-runner.ts), a `sh` that then runs each later command from its stdin, a fork instead of a session; a command
 * started while it is busy gets a session of its own. A timeout or an abort kills the command's process group (a
 * `signal` request: sshd killpg()s the session; a runner goes with its command); each connection's
 * watchdog session kills its commands when the connection goes away. When a connection was lost, the next
 * connection to that host first kills whatever the lost one left running (the fence), before any other command
 * runs there. A command's DirOps go over the connection's SFTP channel (ssh-dirs.ts), kept open for the upload.
 */
import { randomBytes } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import type { Duplex } from 'node:stream';
import { ConnectionError, DeployError, NotConnectedError, StepFailedError } from '../errors.js';
import type { Command } from '../shell/command.js';
import type { Backend, ExecOptions, ExecResult, SshTarget, UploadOptions } from './backend.js';
import { formatSeconds } from './output.js';
import { Slots } from './slots.js';
import { sleep } from './ssh-channel.js';
import {
  DroppedError,
  authMethods,
  handshake,
  loadSsh2,
  readKnownHosts,
  tcpConnect,
  type Auth,
  type KnownHosts,
  type Ssh2,
} from './ssh-connect.js';
import { Connection, interrupted, messageOf, uploadInterrupted } from './ssh-connection.js';

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
    if (options.signal?.aborted) throw interrupted(host, command, options);
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
    return pending.catch((err: unknown) => Promise.reject(notConnected(err, step)));
  }

  async #open(target: SshTarget, seq: number, onGone: (lost: boolean) => void): Promise<Connection> {
    // Connecting starts first: the key files are read and ssh2 loads while sshd accepts and forks. Their errors
    // (no key, unreadable known_hosts) still come before connection errors, as when they were read first.
    const read = (path: string) => this.#read(path, target);
    const connecting = target.jump ? this.#viaJump(target, target.jump) : tcpConnect(target);
    connecting.catch(() => undefined);
    let ready: [KnownHosts, Auth, Ssh2];
    try {
      ready = await Promise.all([readKnownHosts(target, read), authMethods(target, read), loadSsh2()]);
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

function connectionKey(t: SshTarget): string {
  const self = `${t.name}=${t.user}@${t.address}:${t.port}`;
  return t.jump ? `${self} via ${connectionKey(t.jump)}` : self;
}

/** A connection that could not be made, named as such and with the step that needed it. */
function notConnected(err: unknown, step: string | undefined): unknown {
  if (!(err instanceof ConnectionError)) return err;
  const said = err.message.slice(err.host.length + 2);
  const message = step === undefined || said.startsWith(`${step}: `) ? said : `${step}: ${said}`;
  return err instanceof NotConnectedError && message === said ? err : new NotConnectedError(err.host, message, err.hint);
}
