import type { ExecResult } from '../backends/backend.js';
import { CHAIN_MARK, chain } from '../commands/chain.js';
import { splitChainOutput } from '../facts/chain.js';
import type { HostDef } from '../config/types.js';
import { DeployError } from '../errors.js';
import type { DeployEvent } from '../output/events.js';
import { describeCommand, render, type ChainPart, type Command } from '../shell/command.js';
import type { RunContext } from './context.js';
import { exec, HostsFailedError, onHosts, skippedReason, stepFailure, TAIL_LINES, targetOf } from './runner.js';

type Stream = 'stdout' | 'stderr';
type Sink = (event: DeployEvent) => void;

/** How the last command of a part that ran ended. */
export interface PartEnd {
  readonly command: Command;
  readonly code: number;
  /** Its last lines of output, both streams, as they came. */
  readonly tail: readonly string[];
  /** Its last lines of each stream. */
  readonly stdout: readonly string[];
  readonly stderr: readonly string[];
}

/**
 * Runs a chain (commands/chain.ts) on one host in one round trip and reports each of its commands as `exec` does
 * — `command`, its output lines, `command:exit` — to its part's sink, in order, as the marks arrive. Returns, per
 * part, the results of the commands that ran. Non-zero exits are results; a lost connection or an interrupt
 * throws, naming the step that was running.
 */
export async function execChain(
  ctx: RunContext,
  host: HostDef,
  command: Command,
  o: { sinkOf?: (part: number) => Sink; onPartStart?: (part: number) => void; onPartEnd?: (part: number, end: PartEnd) => void } = {},
): Promise<ExecResult[][]> {
  const parts = command.chain;
  if (!parts) throw new Error('execChain: not a chain');
  const flat = parts.flatMap((p, part) => p.commands.map((c) => ({ part, command: c })));
  const partOf = (i: number) => flat[i]!.part;
  const sink = (i: number): Sink => o.sinkOf?.(partOf(i)) ?? ctx.emit;
  const stepOf = (i: number) => parts[partOf(i)]!.step;
  /** The command the chain runs after `i` exited with `code`; -1: none, the chain ends. */
  const next = (i: number, code: number): number => {
    if (code === 0) return i + 1 < flat.length ? i + 1 : -1;
    return parts[partOf(i)]!.goOn ? flat.findIndex((f) => f.part > partOf(i)) : -1;
  };
  const ran: { i: number; code: number; durationMs: number; timedOut?: boolean }[] = [];
  const cursor: Record<Stream, number> = { stdout: 0, stderr: 0 };
  const marks = new Map<number, { code?: number; stderr?: boolean; at: number }>();
  const held = new Map<number, { stream: Stream; text: string }[]>();
  let current = 0;
  let began = 0;
  let tails = { both: [] as string[], stdout: [] as string[], stderr: [] as string[] };
  const keep = (lines: string[], text: string) => {
    lines.push(text);
    if (lines.length > TAIL_LINES) lines.shift();
  };
  const report = (i: number, stream: Stream, text: string) => {
    keep(tails.both, text);
    keep(tails[stream], text);
    sink(i)({ type: 'output', step: stepOf(i), host: host.name, stream, line: text });
    const reason = stream === 'stdout' ? skippedReason(text) : undefined;
    if (reason !== undefined) sink(i)({ type: 'skipped', step: stepOf(i), host: host.name, reason });
  };
  const begin = (i: number) => {
    const first = ran.length === 0 || partOf(ran.at(-1)!.i) !== partOf(i);
    if (first) o.onPartStart?.(partOf(i));
    current = i;
    began = performance.now();
    tails = { both: [], stdout: [], stderr: [] };
    const c = flat[i]!.command;
    sink(i)({ type: 'command', step: stepOf(i), host: host.name, command: render(c), effect: c.effect, dryRun: false });
    for (const h of held.get(i) ?? []) report(i, h.stream, h.text);
    held.delete(i);
  };
  const exited = (i: number, code: number, durationMs: number, timedOut?: boolean) => {
    ran.push({ i, code, durationMs, ...(timedOut ? { timedOut } : {}) });
    sink(i)({ type: 'command:exit', step: stepOf(i), host: host.name, code, durationMs });
    const n = next(i, code);
    if (n < 0 || partOf(n) !== partOf(i))
      o.onPartEnd?.(partOf(i), { command: flat[i]!.command, code, tail: tails.both, stdout: tails.stdout, stderr: tails.stderr });
    current = n;
    if (n >= 0) begin(n);
  };
  // Once both streams carry the current command's mark, it has exited.
  const settle = () => {
    for (let m = marks.get(current); current >= 0 && m?.code !== undefined && m.stderr; m = marks.get(current)) {
      marks.delete(current);
      exited(current, m.code, Math.round(m.at - began));
    }
  };
  const onLine = (stream: Stream, text: string) => {
    const i = cursor[stream];
    if (i < 0) return;
    const at = text.indexOf(CHAIN_MARK);
    const own = at < 0 ? text : text.slice(0, at);
    if (at !== 0) {
      if (i === current) report(i, stream, own);
      else held.set(i, [...(held.get(i) ?? []), { stream, text: own }]);
    }
    if (at < 0) return;
    const code = Number(text.slice(at + CHAIN_MARK.length + 1));
    const m = marks.get(i) ?? { at: 0 };
    if (stream === 'stdout') m.code = code;
    else m.stderr = true;
    m.at = Math.max(m.at, performance.now());
    marks.set(i, m);
    cursor[stream] = next(i, code);
    settle();
  };
  begin(0);
  const r = await ctx.backend.exec(targetOf(ctx, host), command, {
    get step() {
      return stepOf(Math.max(current, 0));
    },
    timeoutMs: flat.length * ctx.config.ssh.commandTimeout * 1000,
    ...(ctx.signal ? { signal: ctx.signal } : {}),
    onLine,
    // An error names the command whose end had not come, and what the host may have gone on with: it had them all.
    what: () => {
      const at = Math.max(current, 0);
      const later = flat.slice(at + 1);
      const steps = [...new Set(later.map((f) => parts[f.part]!.step))].filter((s) => s !== stepOf(at));
      const more = steps.length > 0 ? steps : later.map((f) => describeCommand(f.command));
      return `${describeCommand(flat[at]!.command)}${more.length > 0 ? ` (sent with what follows in one round trip, so maybe run too: ${more.join(', ')})` : ''}`;
    },
  });
  // No mark: the script was killed in that command, or failed outside it (an injected fault).
  if (current >= 0) exited(current, r.code, Math.round(performance.now() - began), r.timedOut);
  const out = splitChainOutput(r.stdout);
  const err = splitChainOutput(r.stderr);
  const results: ExecResult[][] = parts.map(() => []);
  ran.forEach(({ i, code, durationMs, timedOut }, k) => {
    results[partOf(i)]!.push({ code, stdout: out[k] ?? '', stderr: err[k] ?? '', durationMs, ...(timedOut ? { timedOut } : {}) });
  });
  return results;
}

/**
 * Runs a chain's parts on one host in one round trip, inside the caller's step; the first failed command throws.
 * A plan or dry run shows (or runs) them one by one, as commands of their own.
 */
export async function chained(ctx: RunContext, host: HostDef, parts: readonly ChainPart[]): Promise<ExecResult[][]> {
  if (ctx.mode !== 'real') {
    const results: ExecResult[][] = [];
    for (const part of parts) {
      const done: ExecResult[] = [];
      results.push(done);
      for (const c of part.commands) {
        const r = await exec(ctx, part.step, host, c, { allowFail: part.goOn === true });
        done.push(r);
        if (r.code !== 0) break;
      }
    }
    return results;
  }
  let failure: Error | undefined;
  const results = await execChain(ctx, host, chain(parts), {
    onPartEnd: (p, end) => {
      if (end.code !== 0 && !parts[p]!.goOn) failure ??= stepFailure(host.name, parts[p]!.step, end.command, end.code, end.tail);
    },
  });
  if (failure) throw failure;
  return results;
}

/** One step of several run back to back (runSteps): on each of its hosts, its commands in order. */
export interface StepPlan {
  readonly step: string;
  readonly hosts: readonly HostDef[];
  /** The commands it runs on a host, in order; a failure stops the rest. */
  readonly commands: (host: HostDef) => readonly Command[];
  /** Runs on the host before the commands (an upload); a step that has it starts a new round trip. */
  readonly before?: (ctx: RunContext, host: HostDef) => Promise<void>;
  /** A failed command does not fail the step: the rest of its commands on that host are skipped, and this is told. */
  readonly goOn?: (ctx: RunContext, host: HostDef, end: PartEnd) => void;
  /** Clean-up on a host where the step failed (before it is reported). */
  readonly onError?: (ctx: RunContext, host: HostDef) => Promise<void>;
  /** It runs by itself: its hosts wait for every host to finish the steps before it (a task that runs once). */
  readonly alone?: boolean;
}

/**
 * Runs steps in order. Consecutive steps that can share a round trip do (in a real run): each host runs its
 * part of them as one chain and goes on to the next step without waiting for the other hosts; a failed host stops
 * there. Every step is still reported as itself and in order — its start, each host's commands, output and end,
 * its end — with the events of a step that hosts reach early held until the step before it has ended. When a
 * step failed on any host, the first such step's error is thrown once every host has stopped.
 */
export async function runSteps(ctx: RunContext, steps: readonly StepPlan[]): Promise<void> {
  for (const group of groups(ctx, steps)) {
    if (group.length === 1) await runAlone(ctx, group[0]!);
    else await runChained(ctx, group);
  }
}

function groups(ctx: RunContext, steps: readonly StepPlan[]): StepPlan[][] {
  const out: StepPlan[][] = [];
  for (const s of steps) {
    const last = out.at(-1);
    if (ctx.mode === 'real' && last && !s.alone && !s.before && !last[0]!.alone) last.push(s);
    else out.push([s]);
  }
  return out;
}

async function runAlone(ctx: RunContext, s: StepPlan): Promise<void> {
  await onHosts(ctx, s.step, s.hosts, async (h) => {
    try {
      if (s.before) await s.before(ctx, h);
      for (const c of s.commands(h)) {
        const r = await exec(ctx, s.step, h, c, { allowFail: s.goOn !== undefined });
        if (r.code !== 0 && s.goOn) {
          const [stdout, stderr] = [lastLines(r.stdout), lastLines(r.stderr)];
          return s.goOn(ctx, h, { command: c, code: r.code, tail: [...stdout, ...stderr].slice(-TAIL_LINES), stdout, stderr });
        }
      }
    } catch (e) {
      if (ctx.mode === 'real') await s.onError?.(ctx, h);
      throw e;
    }
  });
}

const lastLines = (text: string): string[] =>
  text
    .split('\n')
    .slice(0, text.endsWith('\n') ? -1 : undefined)
    .slice(-TAIL_LINES);

/** The steps' events in step order, whatever order the hosts reach them in. */
class Sequence {
  #at = 0;
  readonly #held: DeployEvent[][];
  readonly #waiting: Set<string>[];
  readonly #failures: Map<string, Error>[];
  readonly #stopped = new Set<string>();
  readonly #times: { first?: number; last?: number }[];

  constructor(
    private readonly ctx: RunContext,
    private readonly steps: readonly StepPlan[],
  ) {
    this.#held = steps.map(() => []);
    this.#waiting = steps.map((s) => new Set(s.hosts.map((h) => h.name)));
    this.#failures = steps.map(() => new Map());
    this.#times = steps.map(() => ({}));
    this.#open();
  }

  sink(i: number): Sink {
    return (e) => (i === this.#at ? this.ctx.emit(e) : this.#held[i]!.push(e));
  }

  started(i: number, host: string): number {
    const t = Date.now();
    this.#times[i]!.first ??= t;
    this.sink(i)({ type: 'host:start', step: this.steps[i]!.step, host });
    return t;
  }

  ended(i: number, host: string, since: number, error?: Error): void {
    const now = Date.now();
    this.#times[i]!.last = now;
    const base = { type: 'host:end', step: this.steps[i]!.step, host, durationMs: now - since } as const;
    if (!error) this.sink(i)({ ...base, ok: true });
    else {
      this.#failures[i]!.set(host, error);
      this.#stopped.add(host);
      const tail = error instanceof DeployError && error.hint ? error.hint.split('\n') : undefined;
      this.sink(i)({ ...base, ok: false, error: error.message, ...(tail ? { tail } : {}) });
    }
    this.#done(i, host);
  }

  /** The host stops before step `from`: it runs none of the steps from there on. */
  stop(from: number, host: string): void {
    this.#stopped.add(host);
    for (let i = from; i < this.steps.length; i++) this.#done(i, host);
  }

  /** The first step that failed, as onHosts would have thrown it. */
  failure(): HostsFailedError | undefined {
    const i = this.#failures.findIndex((f) => f.size > 0);
    return i < 0 ? undefined : new HostsFailedError(this.steps[i]!.step, this.#failures[i]!);
  }

  #done(i: number, host: string): void {
    if (!this.#waiting[i]!.delete(host)) return;
    while (this.#at < this.steps.length && this.#waiting[this.#at]!.size === 0) {
      const i = this.#at;
      const { first, last } = this.#times[i]!;
      if (first !== undefined) {
        this.#flush(i);
        this.ctx.emit({
          type: 'step:end',
          step: this.steps[i]!.step,
          ok: this.#failures[i]!.size === 0,
          durationMs: (last ?? first) - first,
        });
      }
      this.#at++;
      this.#open();
    }
  }

  /** Starts the step `#at` if any host runs it, with what it has held. */
  #open(): void {
    const i = this.#at;
    const s = this.steps[i];
    if (!s) return;
    const hosts = s.hosts.filter((h) => !this.#stopped.has(h.name) || this.#failures[i]!.has(h.name)).map((h) => h.name);
    if (hosts.length === 0 && this.#held[i]!.length === 0) return;
    this.ctx.emit({ type: 'step:start', step: s.step, hosts });
    this.#flush(i);
  }

  #flush(i: number): void {
    for (const e of this.#held[i]!.splice(0)) this.ctx.emit(e);
  }
}

async function runChained(ctx: RunContext, steps: readonly StepPlan[]): Promise<void> {
  const seq = new Sequence(ctx, steps);
  const hosts = [...new Map(steps.flatMap((s) => s.hosts).map((h) => [h.name, h])).values()];
  const queue = [...hosts];
  const worker = async () => {
    for (let h = queue.shift(); h; h = queue.shift()) await runHost(ctx, seq, steps, h);
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(ctx.config.ssh.parallel, hosts.length)) }, worker));
  const failure = seq.failure();
  if (failure) throw failure;
}

/** One host's share of chained steps: the first step's `before`, then one chain of every step it is in. */
async function runHost(ctx: RunContext, seq: Sequence, steps: readonly StepPlan[], host: HostDef): Promise<void> {
  const mine = steps.flatMap((s, i) => (s.hosts.some((h) => h.name === host.name) ? [i] : []));
  const parts: ChainPart[] = [];
  const at: number[] = [];
  for (const i of mine) {
    const commands = steps[i]!.commands(host);
    if (commands.length === 0) continue;
    parts.push({ step: steps[i]!.step, commands, ...(steps[i]!.goOn ? { goOn: true } : {}) });
    at.push(i);
  }
  const first = mine[0];
  const before = first !== undefined ? steps[first]!.before : undefined;
  // Steps with nothing to run on this host are reported done once the host gets past them, as onHosts would.
  const empty = mine.filter((i) => !at.includes(i) && !(before && i === first));
  const pass = (upTo: number) => {
    while (empty.length > 0 && empty[0]! < upTo) {
      const i = empty.shift()!;
      seq.ended(i, host.name, seq.started(i, host.name));
    }
  };
  let since = 0;
  let running: number | undefined;
  const fail = async (i: number, error: Error, from = since) => {
    if (ctx.mode === 'real') await steps[i]!.onError?.({ ...ctx, emit: seq.sink(i) }, host);
    seq.ended(i, host.name, from, error);
    seq.stop(i + 1, host.name);
  };
  if (first !== undefined && before) {
    since = seq.started(first, host.name);
    try {
      await before({ ...ctx, emit: seq.sink(first) }, host);
    } catch (e) {
      return fail(first, asError(e));
    }
    if (!at.includes(first)) seq.ended(first, host.name, since);
  }
  let failed: { i: number; error: Error; since: number } | undefined;
  if (parts.length > 0) {
    const sinks = at.map((i) => seq.sink(i));
    try {
      await execChain(ctx, host, chain(parts), {
        sinkOf: (p) => sinks[p]!,
        onPartStart: (p) => {
          running = at[p]!;
          pass(running);
          if (!(before && running === first)) since = seq.started(running, host.name);
        },
        onPartEnd: (p, end) => {
          const i = at[p]!;
          const s = steps[i]!;
          running = undefined;
          if (end.code === 0) seq.ended(i, host.name, since);
          else if (s.goOn) {
            s.goOn({ ...ctx, emit: sinks[p]! }, host, end);
            seq.ended(i, host.name, since);
          } else failed = { i, error: stepFailure(host.name, s.step, end.command, end.code, end.tail), since };
          since = 0;
        },
      });
    } catch (e) {
      failed = { i: running ?? at[0]!, error: asError(e), since };
    }
  }
  if (failed) return fail(failed.i, failed.error, failed.since);
  pass(Number.POSITIVE_INFINITY);
}

const asError = (e: unknown): Error => (e instanceof Error ? e : new Error(String(e)));
