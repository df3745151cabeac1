import { canaryLine, watchLine } from './canary.js';
import type { DeployEvent } from './events.js';

/** Lines of output kept per host and command, shown when it fails. */
export const TAIL_LINES = 20;

export type HostState = 'queued' | 'running' | 'ok' | 'failed';

/** One host's part in one occurrence of a step. */
export interface HostRow {
  readonly host: string;
  state: HostState;
  startedAt?: number;
  endedAt?: number;
  durationMs?: number;
  error?: string;
  /** The command it ran last, its exit code once it exited, and the last lines it printed. */
  command?: string;
  exitCode?: number;
  tail: string[];
  /** What it is doing right now, one line. */
  activity?: string;
  upload?: { transferred: number; total: number };
  /** Info and warnings about this host while the row ran (e.g. `reused node_modules …`). */
  notes: string[];
  /** Why the host had nothing to do in this step (`no migrate script in package.json`). */
  skipped?: string;
}

/**
 * One occurrence of a step: steps can repeat (`release` probes then creates, `switch` runs once per batch),
 * and every occurrence is its own row.
 */
export interface StepRow {
  readonly kind: 'step';
  /** Order among rows and notes. */
  readonly seq: number;
  readonly step: string;
  /** 1 for the first occurrence of this step name in the run, 2 for the next… */
  readonly occurrence: number;
  readonly batch?: { role: string; index: number; of: number };
  /** For a switchback: which hosts go back to which release. */
  readonly switchback?: { to: string; hosts: string[] }[];
  state: 'running' | 'ok' | 'failed';
  startedAt: number;
  endedAt?: number;
  durationMs?: number;
  /** Set when the step ended ok and every host of it skipped: the reason (of the first). */
  skipped?: string;
  readonly hosts: Map<string, HostRow>;
}

/** A line between rows: run-wide info, warnings and lock changes. */
export interface Note {
  readonly kind: 'note';
  readonly seq: number;
  readonly level: 'info' | 'warning';
  readonly text: string;
  readonly host?: string;
  readonly at: number;
}

export interface TimelineListener {
  stepStarted?(row: StepRow): void;
  hostChanged?(row: StepRow, host: HostRow): void;
  stepEnded?(row: StepRow): void;
  note?(note: Note): void;
}

const LOCK_NOTES: Record<Extract<DeployEvent, { type: 'lock' }>['action'], ((host: string, holder?: string) => string) | null> = {
  acquired: (h) => `lock acquired on ${h}`,
  released: (h) => `lock released on ${h}`,
  renewed: null,
  waiting: (h, by) => `waiting for the lock on ${h}${by ? `, held by ${by}` : ''}`,
  'taken-over': (h, by) => `took over the lock on ${h}${by ? ` from ${by}` : ''}`,
  held: (h, by) => `the lock on ${h} is held${by ? ` by ${by}` : ''}`,
};

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KiB`;
  if (n < 1024 ** 3) return `${(n / 1024 ** 2).toFixed(1)} MiB`;
  return `${(n / 1024 ** 3).toFixed(2)} GiB`;
}

export function uploadText(u: { transferred: number; total: number }): string {
  const pct = u.total > 0 ? Math.floor((u.transferred / u.total) * 100) : 100;
  return `upload ${pct}% · ${formatBytes(u.transferred)} of ${formatBytes(u.total)}`;
}

/**
 * Folds a run's events into rows (step occurrence × host) and notes, the model every renderer with more than
 * one line per step draws from: the terminal, the HTML report, the run summary. Commands, output and health
 * probes belong to the row in which their host is running, whatever step name the command carries (`switch`
 * runs `restart` and `health` commands).
 */
export class Timeline {
  readonly rows: StepRow[] = [];
  readonly notes: Note[] = [];
  #seq = 0;
  #occurrences = new Map<string, number>();
  #batch?: StepRow['batch'];
  #switchback: { to: string; hosts: string[] }[] = [];
  readonly #listeners: TimelineListener[] = [];

  listen(listener: TimelineListener): this {
    this.#listeners.push(listener);
    return this;
  }

  /** Rows not yet ended. */
  open(): StepRow[] {
    return this.rows.filter((r) => r.state === 'running');
  }

  apply(e: DeployEvent, at: number = Date.now()): void {
    switch (e.type) {
      case 'step:start':
        return this.#startStep(e.step, e.hosts, at);
      case 'step:end':
        return this.#endStep(e.step, e.ok, e.durationMs, at);
      case 'host:start': {
        const found = this.#rowOf(e.host, e.step);
        if (!found) return;
        Object.assign(found.host, { state: 'running', startedAt: at });
        return this.#changed(found.row, found.host);
      }
      case 'host:end': {
        const found = this.#rowOf(e.host, e.step);
        if (!found) return;
        const h = found.host;
        Object.assign(h, { state: e.ok ? 'ok' : 'failed', endedAt: at, durationMs: e.durationMs, activity: undefined });
        h.startedAt ??= at - e.durationMs;
        if (!e.ok) {
          h.error = e.error ?? 'failed';
          if (h.tail.length === 0 && e.tail) h.tail = e.tail.slice(-TAIL_LINES);
        }
        return this.#changed(found.row, h);
      }
      case 'command':
        return this.#activity(e.host, at, (h) => {
          h.command = e.command;
          h.exitCode = undefined;
          h.tail = [];
          return `${e.dryRun ? '(dry run) ' : '$ '}${e.command.split('\n')[0]}`;
        });
      case 'output':
        return this.#activity(e.host, at, (h) => {
          h.tail.push(e.line);
          if (h.tail.length > TAIL_LINES) h.tail.shift();
          return e.line.trim() === '' ? undefined : e.line;
        });
      case 'command:exit':
        return this.#activity(e.host, at, (h) => {
          h.exitCode = e.code;
          return undefined;
        });
      case 'upload':
        return this.#activity(e.host, at, (h) => {
          h.upload = { transferred: e.transferred, total: e.total };
          return uploadText(h.upload);
        });
      case 'health':
        return this.#activity(
          e.host,
          at,
          () =>
            `health: ${e.ok ? 'healthy' : `attempt ${e.attempt}${e.status ? `, HTTP ${e.status}` : ''}${e.detail ? `, ${e.detail}` : ''}`}`,
        );
      case 'drain':
        return this.#activity(e.host, at, () => (e.action === 'drain' ? 'drained from the balancer' : 'back in rotation'));
      case 'canary':
        for (const host of e.hosts) this.#activity(host, at, () => canaryLine(e));
        return;
      case 'watch':
        for (const host of e.hosts) this.#activity(host, at, () => watchLine(e));
        return;
      case 'batch':
        this.#batch = { role: e.role, index: e.index, of: e.of };
        return;
      case 'switchback':
        this.#switchback.push({ to: e.to, hosts: e.hosts });
        return;
      case 'skipped': {
        const found = this.#rowOf(e.host, e.step);
        if (!found) return;
        found.host.skipped ??= e.reason;
        return this.#changed(found.row, found.host);
      }
      case 'release:chosen':
        return this.#note('info', `release ${e.release}`, at);
      case 'lock': {
        const text = LOCK_NOTES[e.action]?.(e.host, e.holder);
        if (text) this.#note(e.action === 'held' ? 'warning' : 'info', text, at, e.host);
        return;
      }
      case 'info':
      case 'warning': {
        const level = e.type;
        const running = e.host ? this.#rowOf(e.host) : undefined;
        if (running && running.host.state === 'running') {
          running.host.notes.push(level === 'warning' ? `warning: ${e.message}` : e.message);
          return this.#changed(running.row, running.host);
        }
        return this.#note(level, e.host ? `${e.host}: ${e.message}` : e.message, at, e.host);
      }
      case 'run:end':
        for (const row of this.open()) this.#endStep(row.step, false, at - row.startedAt, at, row);
        return;
      default:
        return;
    }
  }

  #startStep(step: string, hosts: readonly string[], at: number): void {
    const occurrence = (this.#occurrences.get(step) ?? 0) + 1;
    this.#occurrences.set(step, occurrence);
    const row: StepRow = {
      kind: 'step',
      seq: this.#seq++,
      step,
      occurrence,
      ...(this.#batch ? { batch: this.#batch } : {}),
      ...(step === 'switchback' && this.#switchback.length ? { switchback: this.#switchback } : {}),
      state: 'running',
      startedAt: at,
      hosts: new Map(hosts.map((h) => [h, { host: h, state: 'queued', tail: [], notes: [] }])),
    };
    this.#batch = undefined;
    if (step === 'switchback') this.#switchback = [];
    this.rows.push(row);
    this.#listeners.forEach((l) => l.stepStarted?.(row));
  }

  #endStep(step: string, ok: boolean, durationMs: number, at: number, given?: StepRow): void {
    const row = given ?? [...this.open()].reverse().find((r) => r.step === step);
    if (!row) return;
    // Steps without per-host events (migrate) end their hosts with the step.
    for (const h of row.hosts.values()) {
      if (h.state === 'ok' || h.state === 'failed') continue;
      Object.assign(h, { state: ok ? 'ok' : 'failed', endedAt: at, activity: undefined });
      h.startedAt ??= row.startedAt;
      h.durationMs = at - h.startedAt;
      if (!ok) h.error ??= h.exitCode !== undefined && h.exitCode !== 0 ? `command failed with exit code ${h.exitCode}` : 'did not finish';
      this.#changed(row, h);
    }
    Object.assign(row, { state: ok ? 'ok' : 'failed', endedAt: at, durationMs });
    const hosts = [...row.hosts.values()];
    if (ok && hosts.length > 0 && hosts.every((h) => h.skipped !== undefined)) row.skipped = hosts[0]!.skipped;
    this.#listeners.forEach((l) => l.stepEnded?.(row));
  }

  /**
   * The open row a host's event belongs to: the newest one where the host is running (or, given a step name,
   * the newest of that step), else the newest where it waits.
   */
  #rowOf(host: string, step?: string): { row: StepRow; host: HostRow } | undefined {
    const open = [...this.open()].reverse().filter((r) => r.hosts.has(host) && (step === undefined || r.step === step));
    const row = open.find((r) => r.hosts.get(host)!.state === 'running') ?? open.find((r) => r.hosts.get(host)!.state === 'queued');
    return row ? { row, host: row.hosts.get(host)! } : undefined;
  }

  #activity(host: string, at: number, update: (h: HostRow) => string | undefined): void {
    const found = this.#rowOf(host);
    if (!found) return;
    const h = found.host;
    if (h.state === 'queued') Object.assign(h, { state: 'running', startedAt: at });
    const activity = update(h);
    if (activity !== undefined) h.activity = activity;
    this.#changed(found.row, h);
  }

  #note(level: Note['level'], text: string, at: number, host?: string): void {
    const note: Note = { kind: 'note', seq: this.#seq++, level, text, at, ...(host ? { host } : {}) };
    this.notes.push(note);
    this.#listeners.forEach((l) => l.note?.(note));
  }

  #changed(row: StepRow, host: HostRow): void {
    this.#listeners.forEach((l) => l.hostChanged?.(row, host));
  }
}

/** `switch · web batch 1/2`, `switchback → 20250101120000 (web1)`: a row's name. */
export function rowLabel(row: StepRow): string {
  if (row.batch) return `${row.step} · ${row.batch.role} batch ${row.batch.index}/${row.batch.of}`;
  if (row.switchback) return `${row.step} → ${row.switchback.map((s) => `${s.to} (${s.hosts.join(', ')})`).join(', ')}`;
  return row.step;
}

/** What a failed host shows: the error, then the failing command, its exit code and its last lines of output. */
export function failureLines(h: HostRow): string[] {
  const lines = [h.error ?? 'failed'];
  if (h.command) lines.push(`$ ${h.command.split('\n')[0]}${h.exitCode !== undefined ? `  → exit ${h.exitCode}` : ''}`);
  if (h.tail.length) lines.push(...h.tail.map((l) => `| ${l}`));
  return lines;
}
