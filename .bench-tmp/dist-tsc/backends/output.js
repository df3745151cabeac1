import { StringDecoder } from 'node:string_decoder';
import { maskForms, secretMasker } from '../shell/sensitive.js';
/**
 * The plain texts to mask in output: each secret, each line of a multi-line one (`onLine` only ever sees one
 * line; lines shorter than 4 characters are left alone, so a secret ending in `}` does not blank every brace) and
 * its base64 forms. Their JSON, URL, HTML and shell escapes are masked too (`secretMasker`).
 */
export const maskList = (secrets) => maskForms(secrets);
/**
 * Collects a command's stdout/stderr: the full text for the result, and complete lines for `onLine`
 * (partial lines are held until their newline or the end). Multi-byte characters split across chunks
 * are decoded correctly; everything handed out is masked.
 */
export class OutputCollector {
    #mask;
    #onLine;
    #streams = {
        stdout: { chunks: [], decoder: new StringDecoder('utf8'), pending: '' },
        stderr: { chunks: [], decoder: new StringDecoder('utf8'), pending: '' },
    };
    constructor(secrets, onLine) {
        this.#mask = secretMasker(secrets);
        this.#onLine = onLine;
    }
    push(stream, chunk) {
        const buf = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
        const s = this.#streams[stream];
        s.chunks.push(buf);
        if (!this.#onLine)
            return;
        s.pending += s.decoder.write(buf);
        let nl = s.pending.indexOf('\n');
        while (nl !== -1) {
            this.#emit(stream, s.pending.slice(0, nl));
            s.pending = s.pending.slice(nl + 1);
            nl = s.pending.indexOf('\n');
        }
    }
    /** Adds a line of our own (a timeout note), starting on a fresh line. */
    note(stream, line) {
        const last = this.#streams[stream].chunks.at(-1);
        const fresh = last === undefined || last.length === 0 || last[last.length - 1] === 0x0a;
        this.push(stream, `${fresh ? '' : '\n'}${line}\n`);
    }
    /** Flushes held partial lines and returns the masked full text of both streams. */
    finish() {
        for (const stream of ['stdout', 'stderr']) {
            const s = this.#streams[stream];
            if (!this.#onLine)
                continue;
            s.pending += s.decoder.end();
            if (s.pending !== '')
                this.#emit(stream, s.pending);
            s.pending = '';
        }
        const text = (stream) => this.#mask(Buffer.concat(this.#streams[stream].chunks).toString('utf8'));
        return { stdout: text('stdout'), stderr: text('stderr') };
    }
    #emit(stream, line) {
        this.#onLine?.(stream, this.#mask(line.replace(/\r$/, '')));
    }
}
/** The note appended to stderr when a timeout killed a command. */
export function timeoutNote(host, timeoutMs) {
    return `deploy: timed out after ${formatSeconds(timeoutMs)} on ${host}; the command was killed`;
}
export function formatSeconds(ms) {
    return ms % 1000 === 0 ? `${ms / 1000}s` : `${(ms / 1000).toFixed(1)}s`;
}
export const TIMEOUT_EXIT_CODE = 124;
//# sourceMappingURL=output.js.map