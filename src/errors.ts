/** Exit codes, documented in the README. */
export const ExitCode = {
  ok: 0,
  internal: 1,
  config: 2,
  lockHeld: 3,
  connection: 4,
  stepFailed: 5,
  switchedBack: 6,
  notPromotable: 7,
  interrupted: 130,
} as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

export class DeployError extends Error {
  constructor(
    message: string,
    readonly exitCode: ExitCode = ExitCode.internal,
    /** What to do next, shown under the message. */
    readonly hint?: string,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

export interface ConfigIssue {
  file: string;
  line?: number;
  column?: number;
  /** Dotted key path, e.g. `stages.production.hosts[2].roles`. */
  path: string;
  message: string;
}

export function formatIssue(i: ConfigIssue): string {
  const where = i.line !== undefined ? `${i.file}:${i.line}:${i.column ?? 1}` : i.file;
  return i.path ? `${where}: ${i.path}: ${i.message}` : `${where}: ${i.message}`;
}

/** Invalid or missing configuration, or bad command-line input. Nothing has touched any host. */
export class ConfigError extends DeployError {
  constructor(
    readonly issues: readonly ConfigIssue[],
    hint?: string,
  ) {
    super(issues.map(formatIssue).join('\n'), ExitCode.config, hint);
  }
  static single(file: string, message: string, hint?: string, path = ''): ConfigError {
    return new ConfigError([{ file, path, message }], hint);
  }
}

export class LockHeldError extends DeployError {
  constructor(message: string, hint?: string) {
    super(message, ExitCode.lockHeld, hint);
  }
}

export class ConnectionError extends DeployError {
  constructor(
    readonly host: string,
    message: string,
    hint?: string,
  ) {
    super(`${host}: ${message}`, ExitCode.connection, hint);
  }
}

/** The connection was lost after a command was sent: it may have run, in part or in full, and may still be running. */
export class CommandLostError extends ConnectionError {}

/** No connection could be made (refused, unreachable, handshake, login): nothing of this call reached the host. */
export class NotConnectedError extends ConnectionError {}

export class StepFailedError extends DeployError {
  constructor(
    readonly host: string,
    readonly step: string,
    message: string,
    hint?: string,
  ) {
    super(`${host}: ${step}: ${message}`, ExitCode.stepFailed, hint);
  }
}

export class SwitchedBackError extends DeployError {
  constructor(message: string, hint?: string) {
    super(message, ExitCode.switchedBack, hint);
  }
}

/** `deploy promote`: the stage to promote from serves nothing one can promote (mixed, unhealthy, no release). Nothing was changed. */
export class NotPromotableError extends DeployError {
  constructor(message: string, hint?: string) {
    super(message, ExitCode.notPromotable, hint);
  }
}

export class InterruptedError extends DeployError {
  constructor(message = 'interrupted') {
    super(message, ExitCode.interrupted);
  }
}

/** The run's lock changed hands or went unrenewed longer than lock.ttl: it stops before its next step. */
export class LockLostError extends DeployError {
  constructor(message: string, hint?: string) {
    super(message, ExitCode.lockHeld, hint);
  }
}

/**
 * A failure, and clean-up after it (revision log, discard, unlock) that did not finish: the failure's message and
 * exit code stand, the clean-up problems are told after it.
 */
export class CleanupAfterFailureError extends DeployError {
  constructor(
    readonly failure: unknown,
    readonly problems: readonly string[],
    heading = 'clean-up after this failure did not finish:',
  ) {
    const base = failure instanceof Error ? failure.message : String(failure);
    const code = failure instanceof DeployError ? failure.exitCode : ExitCode.internal;
    const hint = failure instanceof DeployError ? failure.hint : undefined;
    const told = [heading, ...problems.map((p) => `- ${p}`)].join('\n');
    super(base, code, hint ? `${hint}\n${told}` : told);
  }
}

/** `failure` as it is when clean-up went well; otherwise with the clean-up problems told after it. */
export function withCleanupProblems(failure: unknown, problems: readonly string[]): unknown {
  return problems.length === 0 ? failure : new CleanupAfterFailureError(failure, problems);
}

/** `failure` with the problems of what ran after it (the `failed` hooks) told after it; its exit code stands. */
export function withLaterProblems(failure: unknown, problems: readonly string[]): unknown {
  return problems.length === 0 ? failure : new CleanupAfterFailureError(failure, problems, 'after this failure, hooked tasks failed:');
}
