/** Exit codes, documented in the README. */
export const ExitCode = {
  ok: 0,
  internal: 1,
  config: 2,
  lockHeld: 3,
  connection: 4,
  stepFailed: 5,
  switchedBack: 6,
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

export class InterruptedError extends DeployError {
  constructor(message = 'interrupted') {
    super(message, ExitCode.interrupted);
  }
}
