import type { DeployEvent, EventSink } from './events.js';

/** NDJSON: one event per line, each with an ISO `time`; the last line is the `run:end` summary. */
export function jsonRenderer(write: (line: string) => void, now: () => Date = () => new Date()): EventSink {
  return (e: DeployEvent) => write(JSON.stringify({ time: now().toISOString(), ...e }));
}
