import {
  ANSI_ESCAPE_CODES,
  color,
  DefaultRenderer,
  figures,
  isUnicodeSupported,
  Listr,
  ListrDefaultRendererLogLevels as Level,
  ListrLogger,
  ProcessOutput,
  type ListrTask,
  type ListrTaskWrapper,
} from 'listr2';
import type { DeployEvent, EventSink } from './events.js';
import { seconds, summaryLines } from './plain.js';
import { visible } from './visible.js';
import { failureLines, rowLabel, Timeline, type HostRow, type Note, type StepRow } from './timeline.js';

/** Frames drawn at most this often; events can come by the hundred per second. */
const FRAME_MS = 50;

/**
 * The default renderer, also when a test hands it a stream that is not a TTY, redrawing at most once per frame:
 * listr redraws the whole screen on every task change, which a large fleet makes thousands per second.
 */
class RowsRenderer extends DefaultRenderer {
  static override nonTTY = true;
  #timer?: NodeJS.Timeout;
  #ended = false;
  #paused = false;
  override update(): void {
    if (this.#ended || this.#paused || this.#timer) return;
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      if (!this.#ended && !this.#paused) super.update();
    }, FRAME_MS);
  }
  override end(): void {
    this.#ended = true;
    clearTimeout(this.#timer);
    if (this.#paused) this.#screen.logger.process.hijack();
    super.end();
  }
  /** listr keeps these two private; pausing needs them. */
  get #screen(): { updater?: { clear(): void }; logger: { process: ProcessOutput } } {
    return this as unknown as { updater?: { clear(): void }; logger: { process: ProcessOutput } };
  }
  /**
   * Erases the rows and gives the terminal back (listr holds stdout and stderr while it draws, buffering
   * everything else written to them), so that a question can be asked; `resume` draws them again.
   */
  pause(): void {
    const { updater, logger } = this.#screen;
    if (this.#ended || this.#paused || !updater) return;
    this.#paused = true;
    clearTimeout(this.#timer);
    this.#timer = undefined;
    updater.clear();
    logger.process.release();
  }
  resume(): void {
    if (this.#ended || !this.#paused) return;
    this.#paused = false;
    this.#screen.logger.process.hijack();
    this.update();
  }
}

type Wrapper = ListrTaskWrapper<unknown, typeof RowsRenderer, typeof RowsRenderer>;
type Task = ListrTask<unknown, typeof RowsRenderer, typeof RowsRenderer>;

class Deferred {
  readonly promise: Promise<void>;
  resolve!: () => void;
  reject!: (e: Error) => void;
  constructor() {
    this.promise = new Promise<void>((resolve, reject) => Object.assign(this, { resolve, reject }));
    // Rejections are for listr to show; one may land before listr awaits it.
    this.promise.catch(() => undefined);
  }
}

/** Hands rows to listr in the order they appear; `null` once the run has ended. */
class Feed<T> {
  readonly #items: T[] = [];
  readonly #waiting: ((v: T | null) => void)[] = [];
  #ended = false;
  push(v: T): void {
    const w = this.#waiting.shift();
    if (w) w(v);
    else this.#items.push(v);
  }
  end(): void {
    this.#ended = true;
    this.#waiting.splice(0).forEach((w) => w(null));
  }
  next(): Promise<T | null> {
    if (this.#items.length) return Promise.resolve(this.#items.shift()!);
    if (this.#ended) return Promise.resolve(null);
    return new Promise((r) => this.#waiting.push(r));
  }
}

// Titles: pure, so the event → row mapping is tested without a terminal.

export function stepTitle(row: StepRow): string {
  const label = rowLabel(row);
  if (row.state === 'running') return label;
  const n = row.hosts.size;
  const took = color.dim(` · ${n} host${n === 1 ? '' : 's'} · ${seconds(row.durationMs ?? 0)}`);
  if (row.state === 'ok') return `${label}${took}${row.skipped !== undefined ? ` ${color.yellow(`skipped: ${row.skipped}`)}` : ''}`;
  const failed = [...row.hosts.values()].filter((h) => h.state === 'failed').map((h) => h.host);
  return `${label}${took} ${color.red(`failed on ${failed.join(', ') || 'a host'}`)}`;
}

export function hostTitle(h: HostRow): string {
  const notes = h.notes.length ? color.dim(` · ${h.notes.join(' · ')}`) : '';
  switch (h.state) {
    case 'queued':
      return `${h.host}${color.dim(' · waiting')}`;
    case 'running':
      return `${h.host}${notes}`;
    case 'ok':
      return `${h.host}${color.dim(` · ${seconds(h.durationMs ?? 0)}`)}${h.skipped !== undefined ? color.yellow(` · skipped: ${h.skipped}`) : ''}${notes}`;
    case 'failed':
      return `${h.host}${color.red(` · failed after ${seconds(h.durationMs ?? 0)}`)}${notes}`;
  }
}

/** The one line under a running host: what it does now, cut to the terminal's width. */
export function activityLine(h: HostRow, columns: number): string {
  const text = (h.activity ?? '').replace(/\s+/g, ' ').trim();
  const room = Math.max(20, columns - 8);
  return text.length > room ? `${text.slice(0, room - 1)}…` : text;
}

export function noteTitle(n: Note): string {
  return n.level === 'warning' ? color.yellow(`warning: ${n.text}`) : n.text;
}

export interface TerminalOptions {
  readonly stdout?: NodeJS.WriteStream;
  readonly stderr?: NodeJS.WriteStream;
  readonly now?: () => number;
}

type Item = { kind: 'step'; row: StepRow } | { kind: 'note'; note: Note };

interface StepHandle {
  task?: Wrapper;
  readonly ended: Deferred;
  readonly hosts: Map<string, { task?: Wrapper; readonly done: Deferred }>;
}

/**
 * The terminal: a listr2 row per step occurrence (each batch of `switch` is its own) with a sub-row per host,
 * spinners, durations and the current command or output line; a failing host shows its command, exit code and
 * last lines. Everything is driven by events: each listr task waits for the event that ends it. Rows arrive
 * one after another through a chain of title-less tasks, since a running listr takes no new tasks.
 */
export function terminalRenderer(options: TerminalOptions = {}): EventSink {
  const stdout = options.stdout ?? process.stdout;
  const output = new ProcessOutput(stdout, options.stderr ?? process.stderr);
  const now = options.now ?? Date.now;
  const timeline = new Timeline();
  const feed = new Feed<Item>();
  const steps = new Map<StepRow, StepHandle>();
  let running: Promise<unknown> | undefined;
  let ended = false;
  let last: Extract<DeployEvent, { type: 'run:end' }> | undefined;
  const columns = () => stdout.columns ?? 100;
  const showCursor = () => output.toStdout(ANSI_ESCAPE_CODES.CURSOR_SHOW, false);

  const syncHost = (t: Wrapper | undefined, h: HostRow) => {
    if (!t) return;
    t.title = hostTitle(h);
    if (h.state === 'running' && h.activity) t.output = activityLine(h, columns());
  };

  const settleHost = (handle: StepHandle, h: HostRow) => {
    const done = handle.hosts.get(h.host)?.done;
    if (h.state === 'ok') done?.resolve();
    else if (h.state === 'failed') done?.reject(new Error(failureLines(h).join('\n')));
  };

  timeline.listen({
    stepStarted(row) {
      steps.set(row, { ended: new Deferred(), hosts: new Map([...row.hosts.keys()].map((h) => [h, { done: new Deferred() }])) });
      feed.push({ kind: 'step', row });
    },
    hostChanged(row, h) {
      const handle = steps.get(row);
      if (!handle) return;
      syncHost(handle.hosts.get(h.host)?.task, h);
      settleHost(handle, h);
    },
    stepEnded(row) {
      const handle = steps.get(row);
      if (!handle) return;
      if (handle.task) handle.task.title = stepTitle(row);
      handle.ended.resolve();
    },
    note(note) {
      feed.push({ kind: 'note', note });
    },
  });

  const stepTask = (row: StepRow): Task => {
    const handle = steps.get(row)!;
    return {
      title: stepTitle(row),
      task: (_ctx, t) => {
        handle.task = t;
        t.title = stepTitle(row);
        const hostTasks: Task[] = [...row.hosts.values()].map((h) => ({
          title: hostTitle(h),
          task: (_c, ht) => {
            const hh = handle.hosts.get(h.host)!;
            hh.task = ht;
            syncHost(ht, h);
            return hh.done.promise;
          },
        }));
        // Title-less: holds the step open until step:end so its title can still take the duration.
        const holder: Task = { task: () => handle.ended.promise };
        return t.newListr([...hostTasks, holder], { concurrent: true, exitOnError: false });
      },
    };
  };

  const noteTask = (note: Note): Task => ({ title: noteTitle(note), skip: () => noteTitle(note), task: () => undefined });

  const slot = (): Task => ({
    task: async (_ctx, t) => {
      const item = await feed.next();
      if (!item) return;
      return t.newListr([item.kind === 'step' ? stepTask(item.row) : noteTask(item.note), slot()], {
        concurrent: true,
        exitOnError: false,
      });
    },
  });

  let renderer: RowsRenderer | undefined;
  let paused = false;
  // listr makes its renderer itself: this one hands itself over.
  class Rows extends RowsRenderer {
    constructor(...args: ConstructorParameters<typeof RowsRenderer>) {
      super(...args);
      renderer = this;
    }
    override async render(): Promise<void> {
      await super.render();
      if (paused) this.pause();
    }
  }

  const start = (e: Extract<DeployEvent, { type: 'run:start' }>) => {
    const what = `${e.verb} ${e.stage}${e.release ? ` · release ${e.release}` : ''}${e.dryRun ? ' · dry run' : ''}`;
    stdout.write(`${color.bold(what)} ${color.dim(`· ${e.hosts.join(', ')}`)}\n`);
    const listr = new Listr<unknown, typeof RowsRenderer, typeof RowsRenderer>([slot()], {
      concurrent: false,
      exitOnError: false,
      registerSignalListeners: false,
      renderer: Rows,
      fallbackRenderer: Rows,
      rendererOptions: {
        logger: new ListrLogger({ processOutput: output }),
        collapseErrors: false,
        showErrorMessage: true,
        collapseSkips: true,
        showSkipMessage: true,
        icon: {
          [Level.SKIPPED_WITH_COLLAPSE]: isUnicodeSupported() ? 'ℹ' : 'i',
          [Level.COMPLETED_WITH_FAILED_SUBTASKS]: figures.cross,
        },
        color: {
          [Level.SKIPPED_WITH_COLLAPSE]: (s?: string) => color.cyan(s ?? ''),
          [Level.COMPLETED_WITH_FAILED_SUBTASKS]: (s?: string) => color.red(s ?? ''),
        },
      },
    });
    process.once('exit', showCursor);
    running = listr.run().catch(() => undefined);
  };

  const finish = async () => {
    if (ended) return;
    ended = true;
    feed.end();
    for (const handle of steps.values()) {
      handle.ended.resolve();
      handle.hosts.forEach((h) => h.done.resolve());
    }
    await running;
    process.off('exit', showCursor);
    if (last && running) {
      const ok = last.outcome === 'success';
      const head = `${ok ? color.green(figures.tick) : color.red(figures.cross)} ${last.outcome} in ${seconds(last.durationMs)} (exit ${last.exitCode})`;
      const lines = [
        head,
        ...(last.summary?.message ? [`  message: ${visible(last.summary.message)}`] : []),
        ...(last.summary
          ? summaryLines(last.summary).map(([host, text, good]) => `  ${host.padEnd(10)} ${good ? text : color.red(text)}`)
          : []),
      ];
      stdout.write(`${lines.join('\n')}\n`);
    }
  };

  const sink: EventSink = (e: DeployEvent) => {
    if (ended) return;
    if (e.type === 'run:start' && !running) start(e);
    timeline.apply(e, now());
    if (e.type === 'run:end') {
      last = e;
      feed.end();
    }
  };
  sink.close = finish;
  sink.pause = () => {
    paused = true;
    renderer?.pause();
  };
  sink.resume = () => {
    paused = false;
    renderer?.resume();
  };
  return sink;
}
