import { secretMasker } from '../shell/sensitive.js';
import type { DeployEvent, EventSink } from './events.js';

/**
 * Masks every known secret in every string of every event before any renderer, log file or report sees it: the
 * value, each line of a multi-line one (output arrives one line at a time) and their common encodings (JSON, URL,
 * base64, HTML, shell quoting; see `secretMasker`).
 */
export function masking(secrets: readonly string[], sink: EventSink): EventSink {
  if (!secrets.some((s) => s !== '')) return sink;
  const mask = secretMasker(secrets);
  const scrub = (v: unknown): unknown =>
    typeof v === 'string'
      ? mask(v)
      : Array.isArray(v)
        ? v.map(scrub)
        : v && typeof v === 'object'
          ? Object.fromEntries(Object.entries(v).map(([k, x]) => [k, scrub(x)]))
          : v;
  const masked: EventSink = (e) => sink(scrub(e) as DeployEvent);
  if (sink.close) masked.close = () => sink.close!();
  return masked;
}
