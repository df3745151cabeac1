/** Everything a run reports. Tasks and backends emit these; only renderers in output/ print. */
export type DeployEvent =
  | { type: 'run:start'; verb: string; stage: string; release?: string; hosts: string[]; dryRun: boolean }
  | { type: 'run:end'; outcome: Outcome; exitCode: number; durationMs: number; error?: string; summary?: RunSummary }
  | { type: 'step:start'; step: string; hosts: string[] }
  | { type: 'step:end'; step: string; ok: boolean; durationMs: number }
  | { type: 'host:start'; step: string; host: string }
  | { type: 'host:end'; step: string; host: string; ok: boolean; durationMs: number; error?: string; tail?: string[] }
  | { type: 'command'; step: string; host: string; command: string; effect: 'read' | 'write'; dryRun: boolean }
  | { type: 'command:exit'; step: string; host: string; code: number; durationMs: number }
  | { type: 'output'; step: string; host: string; stream: 'stdout' | 'stderr'; line: string }
  | { type: 'lock'; action: 'acquired' | 'released' | 'renewed' | 'waiting' | 'taken-over' | 'held'; host: string; holder?: string }
  | { type: 'batch'; role: string; index: number; of: number; hosts: string[] }
  | { type: 'health'; host: string; ok: boolean; attempt: number; status?: number; detail?: string }
  | { type: 'drain'; host: string; action: 'drain' | 'ready' }
  | { type: 'switchback'; hosts: string[]; to: string }
  | { type: 'upload'; host: string; transferred: number; total: number }
  | { type: 'info'; message: string; host?: string }
  | { type: 'warning'; message: string; host?: string };

export type Outcome = 'success' | 'failed' | 'switched-back' | 'interrupted';

export interface HostSummary {
  host: string;
  previous: string | null;
  release: string | null;
  outcome: 'deployed' | 'unchanged' | 'switched-back' | 'failed' | 'skipped';
  durationMs: number;
}

export interface RunSummary {
  stage: string;
  release?: string;
  revision?: string;
  hosts: HostSummary[];
}

export type Timed<E> = E & { time: string };
export type EventSink = (event: DeployEvent) => void;

export function fanOut(...sinks: EventSink[]): EventSink {
  return (e) => sinks.forEach((s) => s(e));
}
