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
import { ConnectionError, DeployError, InterruptedError, StepFailedError } from '../errors.js';
import { render, secretsOf } from '../shell/command.js';
import { fingerprint, keyTypeOf, knownHostsName, parseKnownHosts, preferredHostKeyAlgorithms, verifyHostKey, } from './known-hosts.js';
import { OutputCollector, TIMEOUT_EXIT_CODE, formatSeconds, timeoutNote } from './output.js';
import { execString, fence, stdinScript, tag, watchdogString } from './protocol.js';
import { Slots } from './slots.js';
let ssh2Loading;
/**
 * ssh2 takes ~35 ms to load. Loaded on first use, verbs that never connect do not pay for it, and a run loads it
 * while its first TCP connection is being accepted (sshd forks before it sends its banner).
 */
function loadSsh2() {
    ssh2Loading ??= import('ssh2').then((m) => (m.default ?? m));
    return ssh2Loading;
}
export class SshBackend {
    #connections = new Map();
    #files = new Map();
    #maxChannels;
    #channelRetries;
    #onUnknownHostKey;
    /** Tags this run's commands on the hosts (protocol.ts). */
    #run = randomBytes(5).toString('hex');
    #seq = 0;
    /** Connection key → tag numbers of this run's connections to it that were lost and not yet fenced. */
    #lost = new Map();
    constructor(options = {}) {
        this.#maxChannels = options.maxChannels ?? 4;
        this.#channelRetries = options.channelRetries ?? 6;
        this.#onUnknownHostKey = options.onUnknownHostKey;
    }
    async exec(host, command, options = {}) {
        const started = performance.now();
        if (options.signal?.aborted)
            throw interrupted(host, command, options.step);
        const conn = await this.#connection(host, options.step);
        return conn.exec(command, options, started);
    }
    async upload(host, localPath, remotePath, options = {}) {
        const step = options.step ?? 'upload';
        const size = await stat(localPath).then((s) => s.size, (err) => {
            throw new StepFailedError(host.name, step, `cannot upload ${localPath}: ${err.code ?? err.message}`);
        });
        if (options.signal?.aborted)
            throw uploadInterrupted(host, step, remotePath);
        const conn = await this.#connection(host, options.step);
        await conn.upload(localPath, remotePath, size, options, step);
    }
    /** Ends every connection (jump connections included). */
    async close() {
        const all = [...this.#connections.values()];
        this.#connections.clear();
        await Promise.all(all.map((p) => p.then((c) => c.end(), () => undefined)));
    }
    /** Open connections, for tests and diagnostics. */
    get openConnections() {
        return this.#connections.size;
    }
    #connection(target, step) {
        const key = connectionKey(target);
        let pending = this.#connections.get(key);
        if (!pending) {
            const seq = ++this.#seq;
            const p = this.#open(target, seq, (lost) => {
                if (this.#connections.get(key) === p)
                    this.#connections.delete(key);
                if (lost)
                    this.#lost.set(key, [...(this.#lost.get(key) ?? []), seq]);
            });
            pending = p;
            this.#connections.set(key, p);
            p.catch(() => {
                if (this.#connections.get(key) === p)
                    this.#connections.delete(key);
            });
        }
        return step === undefined ? pending : pending.catch((err) => Promise.reject(withStep(err, step)));
    }
    async #open(target, seq, onGone) {
        // Connecting starts first: the key files are read and ssh2 loads while sshd accepts and forks. Their errors
        // (no key, unreadable known_hosts) still come before connection errors, as when they were read first.
        const connecting = target.jump ? this.#viaJump(target, target.jump) : tcpConnect(target);
        connecting.catch(() => undefined);
        let ready;
        try {
            ready = await Promise.all([this.#knownHosts(target), this.#auth(target), loadSsh2()]);
        }
        catch (err) {
            connecting.then((s) => s.destroy(), () => undefined);
            throw err;
        }
        const [knownHosts, auth, ssh2] = ready;
        const sock = await connecting;
        let conn;
        try {
            const client = await handshake(ssh2, target, sock, knownHosts, auth, this.#onUnknownHostKey);
            conn = new Connection(target, client, new Slots(this.#maxChannels), this.#channelRetries, { run: this.#run, seq }, onGone);
        }
        catch (err) {
            sock.destroy();
            throw err;
        }
        conn.watch();
        const lost = this.#lost.get(connectionKey(target));
        if (lost) {
            await conn.fence(lost);
            this.#lost.delete(connectionKey(target));
        }
        return conn;
    }
    async #viaJump(target, jump) {
        let via;
        try {
            via = await this.#connection(jump);
        }
        catch (err) {
            throw new ConnectionError(target.name, `cannot reach jump host ${jump.name}: ${messageOf(err)}`, err instanceof DeployError ? err.hint : undefined);
        }
        return via.forwardOut(target);
    }
    async #knownHosts(target) {
        const entries = [];
        const found = [];
        for (const file of target.knownHosts) {
            const text = await this.#read(file, target);
            if (text === undefined)
                continue;
            found.push(file);
            entries.push(...parseKnownHosts(text.toString('utf8'), file).entries);
        }
        return { entries, files: target.knownHosts, found };
    }
    async #auth(target) {
        const methods = [];
        const tried = [];
        const skipped = [];
        const ssh2 = await loadSsh2();
        const addKey = async (file, quietIfMissing) => {
            const buf = await this.#read(file, target);
            if (buf === undefined) {
                if (!quietIfMissing)
                    skipped.push(`${file} (not found)`);
                return;
            }
            const parsed = ssh2.utils.parseKey(buf);
            if (parsed instanceof Error) {
                skipped.push(/encrypted|passphrase/i.test(parsed.message)
                    ? `${file} (has a passphrase: add it to ssh-agent)`
                    : `${file} (${parsed.message})`);
                return;
            }
            const key = Array.isArray(parsed) ? parsed[0] : parsed;
            if (!key.isPrivateKey()) {
                skipped.push(`${file} (a public key; name the private key file)`);
                return;
            }
            methods.push({ type: 'publickey', username: target.user, key });
            tried.push(file);
        };
        for (const f of target.identityFiles)
            await addKey(f, false);
        if (target.agent) {
            methods.push({ type: 'agent', username: target.user, agent: target.agent });
            tried.push(`ssh-agent ${target.agent}`);
        }
        for (const f of target.defaultIdentityFiles ?? [])
            await addKey(f, true);
        if (methods.length === 0) {
            throw new ConnectionError(target.name, `no SSH key to log in as ${target.user} with${skipped.length ? `: ${skipped.join(', ')}` : ''}`, 'Set ssh.identity_file in deploy.yml, or start ssh-agent and add a key (ssh-add).');
        }
        return { methods, tried, skipped };
    }
    /** File contents, undefined when missing; each file is read once per backend (a run). */
    async #read(path, target) {
        let p = this.#files.get(path);
        if (!p) {
            p = readFile(path).catch((err) => (err.code === 'ENOENT' ? undefined : err));
            this.#files.set(path, p);
        }
        const got = await p;
        if (got instanceof Error)
            throw new ConnectionError(target.name, `cannot read ${path}: ${got.code ?? got.message}`);
        return got;
    }
}
class Connection {
    target;
    client;
    slots;
    retries;
    id;
    closed;
    #isClosed = false;
    #ending = false;
    #lastError;
    #commands = 0;
    #onGone;
    /** Scripts waiting for their exec request to be sent, by exec string (each command's is unique). */
    #scripts = new Map();
    constructor(target, client, slots, retries, 
    /** Names this connection's commands on the host (protocol.ts). */
    id, onGone = () => { }) {
        this.target = target;
        this.client = client;
        this.slots = slots;
        this.retries = retries;
        this.id = id;
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
    #gone() {
        if (this.#isClosed)
            return;
        this.#isClosed = true;
        this.#onGone(!this.#ending);
    }
    /**
     * Starts this connection's watchdog session (protocol.ts). Not awaited: commands need not wait for it, and a
     * connection lost before it runs is fenced by the next one.
     */
    watch() {
        try {
            this.client.exec(watchdogString(this.id.run, this.id.seq), (err, channel) => {
                if (err)
                    return;
                channel.on('error', () => undefined);
                channel.resume();
                channel.stderr.resume();
            });
        }
        catch {
            // Not connected any more: the fence of the next connection covers it.
        }
    }
    async exec(command, options, started) {
        const host = this.target.name;
        const script = stdinScript(command);
        const release = await this.slots.acquire(options.signal).catch(() => {
            throw interrupted(this.target, command, options.step);
        });
        const request = execString(tag(this.id.run, this.id.seq, ++this.#commands));
        try {
            const timeoutMs = options.timeoutMs ?? this.target.commandTimeoutMs ?? 0;
            const out = new OutputCollector(secretsOf(command), options.onLine);
            let run;
            // Listeners go on inside the open callback: a fast command's output, exit status and close can
            // arrive in the same TCP read as the open confirmation, before any awaiting code runs.
            await this.#openChannel((cb) => {
                this.#scripts.set(request, script);
                this.client.exec(request, (err, channel) => {
                    if (!err) {
                        run = watchChannel(channel, out);
                        // Not sent behind the exec request (ssh2 internals not as expected): send it now.
                        if (this.#scripts.delete(request))
                            channel.end(script);
                    }
                    else {
                        this.#scripts.delete(request);
                    }
                    cb(err, channel);
                });
            }, options.step, options.signal);
            const ended = await run.wait(timeoutMs, options);
            if (ended.kind === 'aborted')
                throw interrupted(this.target, command, options.step);
            if (ended.kind === 'lost') {
                // The channel ended without an exit status: the connection is gone, even if ssh2 has not said so yet.
                this.#gone();
                this.client.destroy();
                throw new ConnectionError(host, `${stepPrefix(options.step)}connection lost while running ${describe(command)}${this.#cause()}`);
            }
            if (ended.kind === 'timeout')
                out.note('stderr', timeoutNote(host, timeoutMs));
            const { stdout, stderr } = out.finish();
            const durationMs = performance.now() - started;
            return ended.kind === 'timeout'
                ? { code: TIMEOUT_EXIT_CODE, stdout, stderr, durationMs, timedOut: true }
                : { code: ended.code, stdout, stderr, durationMs };
        }
        finally {
            this.#scripts.delete(request);
            release();
        }
    }
    /**
     * Kills what this run's lost connections `seqs` left running on the host and waits until it is gone; a
     * command that cannot be stopped makes the host unusable for this run.
     */
    async fence(seqs) {
        const host = this.target.name;
        let result;
        try {
            result = await this.exec(fence(this.id.run, seqs), { timeoutMs: 15_000 }, performance.now());
        }
        catch (err) {
            await this.end();
            throw err;
        }
        if (result.code !== 0) {
            await this.end();
            throw new ConnectionError(host, `cannot stop the commands the lost connection left running (exit ${result.code}): ${(result.stdout + result.stderr).trim().split('\n').slice(-3).join('; ')}`, `Nothing more runs on ${host} in this run. Look for processes tagged ${seqs.map((s) => `deploy:${this.id.run}:${s}:…`).join(', ')} there (ps -eo pid,pgid,args).`);
        }
    }
    /**
     * SFTP upload. It fails as soon as the connection closes, when it makes no progress for the stall timeout, and
     * when `options.signal` aborts; in each case the SFTP channel is closed, which stops the transfer.
     */
    async upload(localPath, remotePath, size, options, step) {
        const host = this.target.name;
        const release = await this.slots.acquire(options.signal).catch(() => {
            throw uploadInterrupted(this.target, step, remotePath);
        });
        const stallMs = options.stallTimeoutMs ?? stallTimeoutMs(this.target);
        try {
            const sftp = await this.#openChannel((cb) => this.client.sftp(cb), step, options.signal);
            try {
                await new Promise((resolve, reject) => {
                    let settled = false;
                    let stall;
                    let unwatch = () => { };
                    const settle = (err) => {
                        if (settled)
                            return;
                        settled = true;
                        clearTimeout(stall);
                        unwatch();
                        if (err)
                            reject(err);
                        else
                            resolve();
                    };
                    const arm = () => {
                        clearTimeout(stall);
                        stall = setTimeout(() => settle(new ConnectionError(host, `${step}: upload to ${remotePath} stalled: no progress for ${formatSeconds(stallMs)}`)), stallMs);
                    };
                    if (options.signal)
                        unwatch = whenAborted(options.signal, () => settle(uploadInterrupted(this.target, step, remotePath)));
                    void this.closed.then(() => settle(new ConnectionError(host, `${step}: connection lost while uploading to ${remotePath}${this.#cause()}`)));
                    arm();
                    sftp.fastPut(localPath, remotePath, {
                        ...(options.mode !== undefined ? { mode: options.mode } : {}),
                        step: (transferred) => {
                            arm();
                            options.onProgress?.(transferred, size);
                        },
                    }, (err) => settle(err ?? undefined));
                });
            }
            finally {
                sftp.end();
            }
            if (size === 0)
                options.onProgress?.(0, 0);
        }
        catch (err) {
            if (err instanceof DeployError)
                throw err;
            if (this.#isClosed) {
                throw new ConnectionError(host, `${step}: connection lost while uploading to ${remotePath}${this.#cause()}`);
            }
            throw new StepFailedError(host, step, `cannot upload ${localPath} to ${remotePath}: ${messageOf(err)}`);
        }
        finally {
            release();
        }
    }
    /**
     * A direct-tcpip channel from this host to `to`, used as the socket of a connection through a jump host.
     * Not retried: here a channel open failure means the jump host could not reach `to`.
     */
    async forwardOut(to) {
        try {
            return await new Promise((resolve, reject) => {
                try {
                    this.client.forwardOut('127.0.0.1', 0, to.address, to.port, (err, channel) => (err ? reject(err) : resolve(channel)));
                }
                catch (err) {
                    reject(err);
                }
            });
        }
        catch (err) {
            throw new ConnectionError(to.name, `jump host ${this.target.name} could not connect to ${to.address}:${to.port}: ${messageOf(err)}`, `Check that ${to.address}:${to.port} is reachable from ${this.target.name} and that its sshd allows TCP forwarding (AllowTcpForwarding).`);
        }
    }
    async end() {
        if (this.#isClosed)
            return;
        this.#ending = true;
        this.client.end();
        const timer = setTimeout(() => this.client.destroy(), 2000);
        await this.closed;
        clearTimeout(timer);
    }
    #cause() {
        return this.#lastError ? ` (${this.#lastError.message})` : '';
    }
    async #openChannel(open, step, signal) {
        for (let attempt = 0;; attempt++) {
            if (this.#isClosed) {
                throw new ConnectionError(this.target.name, `${stepPrefix(step)}connection is closed${this.#cause()}`);
            }
            try {
                return await new Promise((resolve, reject) => {
                    try {
                        open((err, channel) => (err ? reject(err) : resolve(channel)));
                    }
                    catch (err) {
                        reject(err);
                    }
                });
            }
            catch (err) {
                const refused = err instanceof Error && /channel open failure/i.test(err.message);
                if (!refused || attempt >= this.retries || this.#isClosed) {
                    throw new ConnectionError(this.target.name, `${stepPrefix(step)}cannot open an SSH session: ${messageOf(err)}${refused ? ` (${attempt + 1} attempts)` : ''}`, refused ? 'The host refused new sessions; is its sshd MaxSessions very low?' : undefined);
                }
                await sleep(10 * 2 ** attempt, signal);
            }
        }
    }
}
function watchChannel(channel, out) {
    let code;
    let closed = false;
    let stderrEnded = false;
    let onSettled = () => { };
    // Writing the script to a channel that is going away fails; the close that follows says what happened.
    channel.on('error', () => undefined);
    channel.on('data', (chunk) => out.push('stdout', chunk));
    channel.stderr.on('data', (chunk) => out.push('stderr', chunk));
    channel.stderr.on('end', () => {
        stderrEnded = true;
        onSettled();
    });
    const onExit = (status, signalName) => {
        if (status === undefined)
            return;
        code ??= status ?? signalExitCode(signalName);
    };
    channel.on('exit', onExit);
    channel.on('close', (status, signalName) => {
        onExit(status, signalName);
        closed = true;
        if (channel.stderr.readableEnded)
            stderrEnded = true;
        onSettled();
    });
    return {
        wait: (timeoutMs, options) => new Promise((resolve) => {
            let stopped;
            let unwatch = () => { };
            let retry;
            const finish = (force = false) => {
                if (!force && !(closed && stderrEnded))
                    return;
                clearTimeout(timer);
                clearTimeout(retry);
                unwatch();
                if (stopped)
                    resolve({ kind: stopped });
                else if (code === undefined)
                    resolve({ kind: 'lost' });
                else
                    resolve({ kind: 'exit', code });
            };
            // The signal is sent again until the command is gone: sshd's killpg() misses a command whose shell has not
            // called setsid() yet. A peer that never confirms (dead, or an sshd without `signal`) is given up on after
            // 5 s; the connection's watchdog then kills the command when the connection ends.
            const kill = (why) => {
                if (stopped)
                    return;
                stopped = why;
                const started = Date.now();
                const again = () => {
                    if (closed)
                        return;
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
            if (options.signal?.aborted)
                kill('aborted');
            else if (options.signal)
                unwatch = whenAborted(options.signal, () => kill('aborted'));
            finish();
        }),
    };
}
/**
 * Sends SIGKILL to the remote command's process group (sshd killpg()s it). ssh2's Channel.signal() only
 * sends while our side is writable, and stdin is ended right after the script; so after that, the same request
 * goes through the channel's protocol object. Without the kill, sshd keeps the channel until the command exits.
 */
function killRemote(channel) {
    try {
        if (channel.writable) {
            channel.signal('KILL');
            return;
        }
        const internals = channel;
        const id = internals.outgoing?.id;
        const protocol = internals._client?._protocol;
        if (id !== undefined && internals.outgoing?.state !== 'closed' && typeof protocol?.signal === 'function') {
            protocol.signal(id, 'KILL');
        }
    }
    catch {
        // The channel is already going away; close() still ends it.
    }
}
/**
 * Sends each command's script right behind its exec request, in the same write, instead of after the server's
 * reply: that saves a round trip per command. sshd handles the exec request before the data that follows it. ssh2
 * has no API for it, so this wraps its protocol's `exec`; when its internals are not as expected nothing is
 * wrapped and exec() sends the script once the reply is in.
 */
function pipelineScripts(client, scripts) {
    const internals = client;
    const protocol = internals._protocol;
    const original = protocol?.exec;
    if (!protocol || typeof original !== 'function' || typeof internals._chanMgr?._channels !== 'object')
        return;
    protocol.exec = function (id, command, wantReply) {
        original.call(this, id, command, wantReply);
        const script = scripts.get(command);
        if (script === undefined)
            return;
        const channel = Object.values(internals._chanMgr?._channels ?? {}).find((c) => typeof c === 'object' && c !== null && c.outgoing?.id === id);
        if (!channel)
            return;
        scripts.delete(command);
        channel.end(script);
    };
}
function signalExitCode(signalName) {
    const name = signalName?.startsWith('SIG') ? signalName : `SIG${signalName}`;
    const n = signalName ? osConstants.signals[name] : undefined;
    return 128 + (n ?? 0);
}
function tcpConnect(target) {
    const where = `${target.address}:${target.port}`;
    return new Promise((resolve, reject) => {
        const sock = net.connect({ host: target.address, port: target.port });
        sock.setNoDelay(true);
        const timer = setTimeout(() => {
            sock.destroy();
            reject(new ConnectionError(target.name, `connecting to ${where} timed out after ${formatSeconds(target.connectTimeoutMs)}`, 'Is the host up and reachable? ssh.connect_timeout in deploy.yml sets the limit.'));
        }, target.connectTimeoutMs);
        const onError = (err) => {
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
function socketError(target, err) {
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
function handshake(ssh2, target, sock, known, auth, onUnknownHostKey) {
    const name = knownHostsName(target.address, target.port, target.hostKeyAlias);
    let verdict;
    let offered;
    const client = new ssh2.Client();
    const config = {
        sock: sock,
        username: target.user,
        readyTimeout: target.connectTimeoutMs,
        keepaliveInterval: target.keepaliveIntervalMs,
        keepaliveCountMax: 3,
        algorithms: {
            serverHostKey: preferredHostKeyAlgorithms(known.entries, name),
        },
        hostVerifier: (key) => {
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
        const fail = (err) => {
            if (settled)
                return;
            settled = true;
            client.destroy();
            reject(err);
        };
        client.once('ready', () => {
            settled = true;
            resolve(client);
        });
        client.on('error', (err) => {
            if (verdict && offered && verdict.kind !== 'trusted' && !(verdict.kind === 'unknown' && !target.strictHostKeys)) {
                fail(hostKeyError(target, name, verdict, offered, known));
            }
            else if (err.level === 'client-authentication') {
                fail(new ConnectionError(target.name, `authentication as ${target.user} failed on ${target.address}:${target.port}; tried ${auth.tried.join(', ') || 'nothing'}` +
                    (auth.skipped.length ? `; skipped ${auth.skipped.join(', ')}` : ''), `Is the public key in ~${target.user}/.ssh/authorized_keys on ${target.name}? Set ssh.identity_file in deploy.yml to pick the key.`));
            }
            else if (err.level === 'client-timeout') {
                fail(new ConnectionError(target.name, `SSH handshake with ${target.address}:${target.port} timed out after ${formatSeconds(target.connectTimeoutMs)}`));
            }
            else {
                fail(new ConnectionError(target.name, `SSH connection to ${target.address}:${target.port} failed: ${err.message}`));
            }
        });
        client.on('close', () => fail(new ConnectionError(target.name, `${target.address}:${target.port} closed the connection during the SSH handshake`)));
        client.connect(config);
    });
}
function hostKeyError(target, name, verdict, offered, known) {
    const type = keyTypeOf(offered);
    const got = `${type} key ${fingerprint(offered)}`;
    const file = known.files[0] ?? '~/.ssh/known_hosts';
    const keyscan = `ssh-keyscan ${target.port === 22 ? '' : `-p ${target.port} `}-t ${type} ${target.address} >> ${file}` +
        (target.hostKeyAlias ? ` (then replace the host name on that line with ${target.hostKeyAlias})` : '');
    switch (verdict.kind) {
        case 'revoked':
            return new ConnectionError(target.name, `host key verification failed: ${name} offered the REVOKED ${got} (@revoked at ${verdict.entry.file}:${verdict.entry.line}); refusing to connect`, 'A revoked key means the host or its key is compromised; ask whoever runs the host.');
        case 'changed': {
            const was = verdict.expected.map((e) => `${e.keyType} ${fingerprint(e.key)} (${e.file}:${e.line})`).join(', ');
            return new ConnectionError(target.name, `host key verification failed: the host key of ${name} has CHANGED; it offered ${got}, known_hosts has ${was}. ` +
                'Someone may be intercepting the connection (man-in-the-middle), or the host was rebuilt', `If the change is expected, verify the new fingerprint out of band, then: ssh-keygen -R '${name}' -f ${verdict.expected[0].file} && ${keyscan}`);
        }
        default: {
            const files = known.found.length ? known.found.join(', ') : `none of ${known.files.join(', ') || '(no files)'} exist`;
            return new ConnectionError(target.name, `host key verification failed: ${name} is unknown (not in known_hosts: ${files}); it offered ${got}`, `If this is the right host, compare that fingerprint with the host's own (ssh-keygen -lf /etc/ssh/ssh_host_${type.replace(/^ssh-|-.*$/g, '')}_key.pub on its console), then add it: ${keyscan}`);
        }
    }
}
function connectionKey(t) {
    const self = `${t.name}=${t.user}@${t.address}:${t.port}`;
    return t.jump ? `${self} via ${connectionKey(t.jump)}` : self;
}
function stepPrefix(step) {
    return step ? `${step}: ` : '';
}
function withStep(err, step) {
    if (!(err instanceof ConnectionError) || err.message.startsWith(`${err.host}: ${step}: `))
        return err;
    return new ConnectionError(err.host, `${step}: ${err.message.slice(err.host.length + 2)}`, err.hint);
}
function describe(command) {
    if (command.description)
        return command.description;
    const text = render(command);
    return text.length > 120 ? `${text.slice(0, 117)}...` : text;
}
function interrupted(target, command, step) {
    return new InterruptedError(`${target.name}: ${stepPrefix(step)}interrupted while running ${describe(command)}`);
}
function uploadInterrupted(target, step, remotePath) {
    return new InterruptedError(`${target.name}: ${step}: interrupted while uploading to ${remotePath}`);
}
/** An upload that makes no progress this long fails: three connect timeouts (30 s by default). */
export const stallTimeoutMs = (target) => 3 * target.connectTimeoutMs;
function messageOf(err) {
    return err instanceof Error ? err.message : String(err);
}
function sleep(ms, signal) {
    return new Promise((resolve) => {
        const timer = setTimeout(done, ms);
        const unwatch = signal ? whenAborted(signal, done) : () => { };
        function done() {
            clearTimeout(timer);
            unwatch();
            resolve();
        }
    });
}
const abortWatchers = new WeakMap();
/**
 * Calls `fn` when `signal` aborts; returns the undo. Every command in flight watches the run's one signal, so each
 * signal gets a single 'abort' listener that fans out: one listener per command would pass Node's limit of 10
 * with more than 10 hosts and print a MaxListenersExceededWarning on every larger deploy.
 */
function whenAborted(signal, fn) {
    let watchers = abortWatchers.get(signal);
    if (!watchers) {
        const all = new Set();
        watchers = all;
        abortWatchers.set(signal, all);
        signal.addEventListener('abort', () => {
            const now = [...all];
            all.clear();
            for (const f of now)
                f();
        }, { once: true });
    }
    const mine = watchers;
    const once = () => fn();
    mine.add(once);
    return () => {
        mine.delete(once);
    };
}
//# sourceMappingURL=ssh.js.map