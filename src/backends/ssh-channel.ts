/**
 * One command's SSH session channel: its output, exit status, kill on timeout or abort, and the pipelining of its
 * script behind the exec request. Works on ssh2's channel objects; the connection (ssh-connection.ts) opens them.
 */
import { constants as osConstants } from 'node:os';
import type { Client, ClientChannel } from 'ssh2';
import type { ExecOptions } from './backend.js';
import type { OutputCollector } from './output.js';

export type Ended =
  | { readonly kind: 'exit'; readonly code: number }
  | { readonly kind: 'timeout' }
  | { readonly kind: 'aborted' }
  | { readonly kind: 'lost' };

export interface ChannelRun {
  wait(timeoutMs: number, options: ExecOptions): Promise<Ended>;
}

/** How far a session channel has ended: its exit status (128+n for signal n), its close, the end of its stderr. */
export interface ChannelEnd {
  readonly code: number | undefined;
  readonly closed: boolean;
  /** Closed with all of its stderr in: nothing more of it will come. */
  readonly settled: boolean;
}

/**
 * Follows `channel` to its end, calling `changed` at its close and at the end of its stderr. Writing to a channel
 * that is going away fails; the close that follows says what happened, so its errors are swallowed.
 */
export function followEnd(channel: ClientChannel, changed: () => void): ChannelEnd {
  const end = { code: undefined as number | undefined, closed: false, stderrEnded: false };
  channel.on('error', () => undefined);
  channel.stderr.on('end', () => {
    end.stderrEnded = true;
    changed();
  });
  const onExit = (status?: number | null, signalName?: string) => {
    if (status === undefined) return;
    end.code ??= status ?? signalExitCode(signalName);
  };
  channel.on('exit', onExit);
  channel.on('close', (status?: number | null, signalName?: string) => {
    onExit(status, signalName);
    end.closed = true;
    if (channel.stderr.readableEnded) end.stderrEnded = true;
    changed();
  });
  return {
    get code() {
      return end.code;
    },
    get closed() {
      return end.closed;
    },
    get settled() {
      return end.closed && end.stderrEnded;
    },
  };
}

export function watchChannel(channel: ClientChannel, out: OutputCollector): ChannelRun {
  let onSettled = () => {};
  const end = followEnd(channel, () => onSettled());
  channel.on('data', (chunk: Buffer) => out.push('stdout', chunk));
  channel.stderr.on('data', (chunk: Buffer) => out.push('stderr', chunk));

  return {
    wait: (timeoutMs, options) =>
      new Promise<Ended>((resolve) => {
        let stopped: 'timeout' | 'aborted' | undefined;
        let unwatch = () => {};
        const finish = (force = false) => {
          if (!force && !end.settled) return;
          clearTimeout(timer);
          stopKilling();
          unwatch();
          if (stopped) resolve({ kind: stopped });
          else if (end.code === undefined) resolve({ kind: 'lost' });
          else resolve({ kind: 'exit', code: end.code });
        };
        const kill = (why: 'timeout' | 'aborted') => {
          if (stopped) return;
          stopped = why;
          stopKilling = killUntilClosed(
            channel,
            () => end.closed,
            () => finish(true),
          );
        };
        let stopKilling = () => {};
        const timer = timeoutMs > 0 ? setTimeout(() => kill('timeout'), timeoutMs) : undefined;
        onSettled = () => finish();
        if (options.signal?.aborted) kill('aborted');
        else if (options.signal) unwatch = whenAborted(options.signal, () => kill('aborted'));
        finish();
      }),
  };
}

/**
 * Kills the remote command's process group (`signal`, SIGKILL unless told), again every 250 ms until `closed()`
 * (the channel closed, or the command ended): sshd's killpg()
 * misses a command whose shell has not called setsid() yet. A peer that never confirms (dead, or an sshd without
 * `signal`) is given up on after 5 s: the channel is closed and `gaveUp` called; the connection's watchdog then
 * kills the command when the connection ends. Returns what stops the retries.
 */
export function killUntilClosed(channel: ClientChannel, closed: () => boolean, gaveUp: () => void, signal = 'KILL'): () => void {
  const started = Date.now();
  let retry: NodeJS.Timeout | undefined;
  const again = () => {
    if (closed()) return;
    if (Date.now() - started >= 5000) {
      channel.close();
      gaveUp();
      return;
    }
    killRemote(channel, signal);
    retry = setTimeout(again, 250);
    retry.unref();
  };
  again();
  return () => clearTimeout(retry);
}

/**
 * Sends `signal` to the remote command's process group (sshd killpg()s it). ssh2's Channel.signal() only
 * sends while our side is writable, and stdin is ended right after the script; so after that, the same request
 * goes through the channel's protocol object. Without the kill, sshd keeps the channel until the command exits.
 */
function killRemote(channel: ClientChannel, signal: string): void {
  try {
    if (channel.writable) {
      channel.signal(signal);
      return;
    }
    const internals = channel as unknown as {
      outgoing?: { id?: number; state?: string };
      _client?: { _protocol?: { signal?: (id: number, name: string) => void } };
    };
    const id = internals.outgoing?.id;
    const protocol = internals._client?._protocol;
    if (id !== undefined && internals.outgoing?.state !== 'closed' && typeof protocol?.signal === 'function') {
      protocol.signal(id, signal);
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
export function pipelineScripts(client: Client, scripts: Map<string, Pipelined>): void {
  const internals = client as unknown as {
    _protocol?: { exec?: (id: number, command: string, wantReply: boolean) => void };
    _chanMgr?: { _channels?: Record<string, unknown> };
  };
  const protocol = internals._protocol;
  const original = protocol?.exec;
  if (!protocol || typeof original !== 'function' || typeof internals._chanMgr?._channels !== 'object') return;
  protocol.exec = function (this: unknown, id: number, command: string, wantReply: boolean) {
    original.call(this, id, command, wantReply);
    const pipelined = scripts.get(command);
    if (pipelined === undefined) return;
    const channel = Object.values(internals._chanMgr?._channels ?? {}).find(
      (c): c is ClientChannel => typeof c === 'object' && c !== null && (c as { outgoing?: { id?: number } }).outgoing?.id === id,
    );
    if (!channel) return;
    scripts.delete(command);
    if (pipelined.keepOpen) channel.write(pipelined.script);
    else channel.end(pipelined.script);
  };
}

/** A script sent behind its exec request; `keepOpen`: more follows later (a runner), so stdin stays open. */
export interface Pipelined {
  readonly script: string;
  readonly keepOpen?: boolean;
}

export function signalExitCode(signalName: string | undefined): number {
  const name = signalName?.startsWith('SIG') ? signalName : `SIG${signalName}`;
  const n = signalName ? (osConstants.signals as Record<string, number>)[name] : undefined;
  return 128 + (n ?? 0);
}

export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
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
export function whenAborted(signal: AbortSignal, fn: () => void): () => void {
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
