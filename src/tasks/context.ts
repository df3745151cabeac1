import type { Backend, ExecResult, SshTarget } from '../backends/backend.js';
import type { Config, HostDef } from '../config/types.js';
import type { EventSink } from '../output/events.js';

/**
 * `real` runs everything; `dry-run` runs reads for real and records writes; `plan` touches no host at all
 * (reads answer empty), so task logic must treat facts as unknown there.
 */
export type RunMode = 'real' | 'dry-run' | 'plan';

/** Runs a local program with an argv array (never a shell string). */
export interface LocalRunner {
  run(argv: readonly string[], options?: { cwd?: string; env?: Record<string, string>; timeoutMs?: number }): Promise<ExecResult>;
}

export interface RunContext {
  readonly config: Config;
  readonly backend: Backend;
  readonly targets: ReadonlyMap<string, SshTarget>;
  readonly emit: EventSink;
  readonly mode: RunMode;
  readonly signal?: AbortSignal;
  /** The hosts this run works on (after --roles/--hosts). */
  readonly hosts: readonly HostDef[];
  readonly local: LocalRunner;
  /** Where deploy.yml lives: local builds run here. */
  readonly projectDir: string;
}
