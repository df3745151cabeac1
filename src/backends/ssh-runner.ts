/**
 * A connection's runner: one session whose bash runs the connection's commands one after another, each written to
 * its stdin (protocol.ts runnerScript) as a job of its own and ended by a mark with its exit status on both
 * streams. A command it runs costs the host a fork, where a session of its own costs sshd's fork and a login
 * shell. One command at a time. A timeout or an abort sends the runner TERM, which kills the job's group; the
 * runner then marks the job's end and takes the next command. A runner whose session ended (lost, no bash, or
 * deaf to TERM for 5 s) runs nothing more.
 */
import type { ClientChannel } from 'ssh2';
import type { ExecOptions } from './backend.js';
import type { OutputCollector, Stream } from './output.js';
import { NO_RUNNER_EXIT, RAN_MARK } from './protocol.js';
import { followEnd, killUntilClosed, whenAborted, type ChannelEnd, type Ended } from './ssh-channel.js';

const NEWLINE = 0x0a;
const MARK_START = 0x1e;

interface Job {
  readonly out: OutputCollector;
  code?: number;
  stderrMarked?: boolean;
  done?: (ended: Ended) => void;
  ended?: Ended;
}

export class Runner {
  readonly #mark: Buffer;
  readonly #held: Record<Stream, Buffer> = { stdout: Buffer.alloc(0), stderr: Buffer.alloc(0) };
  #job: Job | undefined;
  readonly #end: ChannelEnd;
  /** It did not answer a kill: closed by us, and given no more commands. */
  #deaf = false;
  /** A mark came: the runner read and ran a command (so a session that ends with exit 97 afterwards is no NO_RUNNER). */
  #ran = false;

  constructor(
    readonly channel: ClientChannel,
    nonce: string,
    onClosed: () => void,
  ) {
    this.#mark = Buffer.from(`${RAN_MARK}${nonce} `);
    let told = false;
    this.#end = followEnd(channel, () => {
      this.#settleClosed();
      if (this.#end.closed && !told) {
        told = true;
        onClosed();
      }
    });
    channel.on('data', (chunk: Buffer) => this.#data('stdout', chunk));
    channel.stderr.on('data', (chunk: Buffer) => this.#data('stderr', chunk));
  }

  /** The host has no bash: the runner's session ended with NO_RUNNER_EXIT before it ran anything. */
  get unavailable(): boolean {
    return this.#end.closed && !this.#ran && this.#end.code === NO_RUNNER_EXIT;
  }

  /** Open and running nothing: it can take a command. */
  get idle(): boolean {
    return !this.#end.closed && !this.#deaf && this.#job === undefined;
  }

  /**
   * Takes a command: its output goes to `out` from now on. `script` is written to the runner's stdin, unless it
   * went behind the exec request that opened the runner.
   */
  begin(out: OutputCollector, script?: string): void {
    if (!this.idle) throw new Error('runner: busy or closed');
    this.#job = { out };
    if (script !== undefined) this.channel.write(script);
  }

  /** How the command ended: its marks came (exit), or the runner's session ended, or the timeout or an abort killed it. */
  wait(timeoutMs: number, options: ExecOptions): Promise<Ended> {
    const job = this.#job;
    if (!job) throw new Error('runner: no command');
    return new Promise<Ended>((resolve) => {
      let stopped: 'timeout' | 'aborted' | undefined;
      let unwatch = () => {};
      let stopKilling = () => {};
      const finish = (ended: Ended) => {
        clearTimeout(timer);
        stopKilling();
        unwatch();
        if (this.#job === job) this.#job = undefined;
        resolve(stopped ? { kind: stopped } : ended);
      };
      // TERM makes the runner kill the job's group; the job's marks then end it. Given up on after 5 s: the channel
      // is closed, and the runner is not used again.
      const kill = (why: 'timeout' | 'aborted') => {
        if (stopped || job.ended) return;
        stopped = why;
        stopKilling = killUntilClosed(
          this.channel,
          () => this.#end.closed || job.ended !== undefined,
          () => {
            this.#deaf = true;
            finish({ kind: why });
          },
          'TERM',
        );
      };
      const timer = timeoutMs > 0 ? setTimeout(() => kill('timeout'), timeoutMs) : undefined;
      if (job.ended) return finish(job.ended);
      job.done = finish;
      if (options.signal?.aborted) kill('aborted');
      else if (options.signal) unwatch = whenAborted(options.signal, () => kill('aborted'));
    });
  }

  /** No more commands: the runner's bash reads the end of its input and exits. */
  end(): void {
    try {
      this.channel.end();
    } catch {
      // Already going away.
    }
  }

  #finish(job: Job, ended: Ended): void {
    if (job.ended) return;
    job.ended = ended;
    job.done?.(ended);
  }

  /** What a stream carries up to its mark is the job's; a mark on each stream ends it; what comes after is dropped. */
  #data(stream: Stream, chunk: Buffer): void {
    let buf = this.#held[stream].length > 0 ? Buffer.concat([this.#held[stream], chunk]) : chunk;
    const marked = (j: Job) => (stream === 'stdout' ? j.code !== undefined : j.stderrMarked === true);
    for (;;) {
      const job = this.#job && !this.#job.ended && !marked(this.#job) ? this.#job : undefined;
      const at = buf.indexOf(this.#mark);
      const eol = at < 0 ? -1 : buf.indexOf(NEWLINE, at);
      if (at < 0 || eol < 0) {
        // Hold back what may be the start of a mark whose end has not come yet.
        const start = markStart(buf, this.#mark);
        const keep = start >= 0 ? start : buf.length;
        if (keep > 0) job?.out.push(stream, buf.subarray(0, keep));
        this.#held[stream] = Buffer.from(buf.subarray(keep));
        return;
      }
      if (at > 0) job?.out.push(stream, buf.subarray(0, at));
      const code = Number(buf.subarray(at + this.#mark.length, eol).toString('latin1'));
      buf = buf.subarray(eol + 1);
      this.#ran = true;
      if (job) {
        if (stream === 'stdout') job.code = Number.isInteger(code) ? code : 1;
        else job.stderrMarked = true;
        if (job.code !== undefined && job.stderrMarked) this.#finish(job, { kind: 'exit', code: job.code });
      }
    }
  }

  /** The session ended: the job it was running ends with it (its exit status, or lost without one). */
  #settleClosed(): void {
    if (!this.#end.settled) return;
    const job = this.#job;
    if (!job || job.ended) return;
    for (const stream of ['stdout', 'stderr'] as const) {
      if (this.#held[stream].length > 0) job.out.push(stream, this.#held[stream]);
      this.#held[stream] = Buffer.alloc(0);
    }
    this.#finish(job, this.#end.code === undefined ? { kind: 'lost' } : { kind: 'exit', code: this.#end.code });
  }
}

/** Where the end of `buf` may be a mark still coming (a prefix of it, or it and a few digits); else -1. */
function markStart(buf: Buffer, mark: Buffer): number {
  const start = buf.lastIndexOf(MARK_START);
  if (start < 0) return -1;
  const tail = buf.subarray(start);
  if (tail.length <= mark.length) return mark.subarray(0, tail.length).equals(tail) ? start : -1;
  const digits = tail.subarray(mark.length);
  return tail.subarray(0, mark.length).equals(mark) && digits.length <= 3 && /^[0-9]*$/.test(digits.toString('latin1')) ? start : -1;
}
