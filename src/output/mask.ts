import { maskList } from '../backends/output.js';
import { maskSecrets } from '../shell/sensitive.js';
import type { DeployEvent, EventSink } from './events.js';

/**
 * Masks every known secret value in every string of every event before any renderer, log file or report sees
 * it; a multi-line secret is masked line by line too, since output arrives one line at a time.
 */
export function masking(secrets: readonly string[], sink: EventSink): EventSink {
  const values = maskList(secrets);
  if (values.length === 0) return sink;
  const scrub = (v: unknown): unknown =>
    typeof v === 'string'
      ? maskSecrets(v, values)
      : Array.isArray(v)
        ? v.map(scrub)
        : v && typeof v === 'object'
          ? Object.fromEntries(Object.entries(v).map(([k, x]) => [k, scrub(x)]))
          : v;
  const masked: EventSink = (e) => sink(scrub(e) as DeployEvent);
  if (sink.close) masked.close = () => sink.close!();
  return masked;
}
