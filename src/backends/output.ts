import { StringDecoder } from 'node:string_decoder';
import { maskSecrets } from '../shell/sensitive.js';

export type Stream = 'stdout' | 'stderr';
export type LineHandler = (stream: Stream, line: string) => void;

/**
 * The values to mask in output. A multi-line secret (a key, a certificate) is also masked line by line,
 * because `onLine` only ever sees one line; fragments shorter than 4 characters are left alone so
 * that a secret ending in `}` does not blank every brace.
 */
export function maskList(secrets: readonly string[]): string[] {
  const out = new Set<string>();
  for (const s of secrets) {
    if (s === '') continue;
    out.add(s);
    if (s.includes('\n')) {
      for (const part of s.split('\n')) {
        const p = part.replace(/\r$/, '');
        if (p.trim().length >= 4) out.add(p);
      }
    }
  }
  return [...out];
}

/**
 * Collects a command's stdout/stderr: the full text for the result, and complete lines for `onLine`
 * (partial lines are held until their newline or the end). Multi-byte characters split across chunks
 * are decoded correctly; everything handed out is masked.
 */
export class OutputCollector {
  readonly #secrets: string[];
  readonly #onLine: LineHandler | undefined;
  readonly #streams = {
    stdout: { chunks: [] as Buffer[], decoder: new StringDecoder('utf8'), pending: '' },
    stderr: { chunks: [] as Buffer[], decoder: new StringDecoder('utf8'), pending: '' },
  };

  constructor(secrets: readonly string[], onLine?: LineHandler) {
    this.#secrets = maskList(secrets);
    this.#onLine = onLine;
  }

  push(stream: Stream, chunk: Buffer | string): void {
    const buf = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    const s = this.#streams[stream];
    s.chunks.push(buf);
    if (!this.#onLine) return;
    s.pending += s.decoder.write(buf);
    let nl = s.pending.indexOf('\n');
    while (nl !== -1) {
      this.#emit(stream, s.pending.slice(0, nl));
      s.pending = s.pending.slice(nl + 1);
      nl = s.pending.indexOf('\n');
    }
  }

  /** Adds a line of our own (a timeout note), starting on a fresh line. */
  note(stream: Stream, line: string): void {
    const last = this.#streams[stream].chunks.at(-1);
    const fresh = last === undefined || last.length === 0 || last[last.length - 1] === 0x0a;
    this.push(stream, `${fresh ? '' : '\n'}${line}\n`);
  }

  /** Flushes held partial lines and returns the masked full text of both streams. */
  finish(): { stdout: string; stderr: string } {
    for (const stream of ['stdout', 'stderr'] as const) {
      const s = this.#streams[stream];
      if (!this.#onLine) continue;
      s.pending += s.decoder.end();
      if (s.pending !== '') this.#emit(stream, s.pending);
      s.pending = '';
    }
    const text = (stream: Stream) =>
      maskSecrets(Buffer.concat(this.#streams[stream].chunks).toString('utf8'), this.#secrets);
    return { stdout: text('stdout'), stderr: text('stderr') };
  }

  #emit(stream: Stream, line: string): void {
    this.#onLine?.(stream, maskSecrets(line.replace(/\r$/, ''), this.#secrets));
  }
}

/** The note appended to stderr when a timeout killed a command. */
export function timeoutNote(host: string, timeoutMs: number): string {
  return `deploy: timed out after ${formatSeconds(timeoutMs)} on ${host}; the command was killed`;
}

export function formatSeconds(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000}s` : `${(ms / 1000).toFixed(1)}s`;
}

export const TIMEOUT_EXIT_CODE = 124;
