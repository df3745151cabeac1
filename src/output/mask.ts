import { maskSecrets } from '../shell/sensitive.js';
import type { DeployEvent, EventSink } from './events.js';

/** Masks every known secret value in every string of every event before any renderer sees it. */
export function masking(secrets: readonly string[], sink: EventSink): EventSink {
  const values = secrets.filter((s) => s.length > 0);
  if (values.length === 0) return sink;
  const scrub = (v: unknown): unknown =>
    typeof v === 'string'
      ? maskSecrets(v, values)
      : Array.isArray(v)
        ? v.map(scrub)
        : v && typeof v === 'object'
          ? Object.fromEntries(Object.entries(v).map(([k, x]) => [k, scrub(x)]))
          : v;
  return (e) => sink(scrub(e) as DeployEvent);
}
