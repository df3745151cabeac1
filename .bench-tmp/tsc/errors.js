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
};
export class DeployError extends Error {
    exitCode;
    hint;
    constructor(message, exitCode = ExitCode.internal, 
    /** What to do next, shown under the message. */
    hint) {
        super(message);
        this.exitCode = exitCode;
        this.hint = hint;
        this.name = new.target.name;
    }
}
export function formatIssue(i) {
    const where = i.line !== undefined ? `${i.file}:${i.line}:${i.column ?? 1}` : i.file;
    return i.path ? `${where}: ${i.path}: ${i.message}` : `${where}: ${i.message}`;
}
/** Invalid or missing configuration, or bad command-line input. Nothing has touched any host. */
export class ConfigError extends DeployError {
    issues;
    constructor(issues, hint) {
        super(issues.map(formatIssue).join('\n'), ExitCode.config, hint);
        this.issues = issues;
    }
    static single(file, message, hint, path = '') {
        return new ConfigError([{ file, path, message }], hint);
    }
}
export class LockHeldError extends DeployError {
    constructor(message, hint) {
        super(message, ExitCode.lockHeld, hint);
    }
}
export class ConnectionError extends DeployError {
    host;
    constructor(host, message, hint) {
        super(`${host}: ${message}`, ExitCode.connection, hint);
        this.host = host;
    }
}
export class StepFailedError extends DeployError {
    host;
    step;
    constructor(host, step, message, hint) {
        super(`${host}: ${step}: ${message}`, ExitCode.stepFailed, hint);
        this.host = host;
        this.step = step;
    }
}
export class SwitchedBackError extends DeployError {
    constructor(message, hint) {
        super(message, ExitCode.switchedBack, hint);
    }
}
export class InterruptedError extends DeployError {
    constructor(message = 'interrupted') {
        super(message, ExitCode.interrupted);
    }
}
/** The run's lock changed hands or went unrenewed longer than lock.ttl: it stops before its next step. */
export class LockLostError extends DeployError {
    constructor(message, hint) {
        super(message, ExitCode.lockHeld, hint);
    }
}
/**
 * A failure, and clean-up after it (revision log, discard, unlock) that did not finish: the failure's message and
 * exit code stand, the clean-up problems are told after it.
 */
export class CleanupAfterFailureError extends DeployError {
    failure;
    problems;
    constructor(failure, problems) {
        const base = failure instanceof Error ? failure.message : String(failure);
        const code = failure instanceof DeployError ? failure.exitCode : ExitCode.internal;
        const hint = failure instanceof DeployError ? failure.hint : undefined;
        const told = ['clean-up after this failure did not finish:', ...problems.map((p) => `- ${p}`)].join('\n');
        super(base, code, hint ? `${hint}\n${told}` : told);
        this.failure = failure;
        this.problems = problems;
    }
}
/** `failure` as it is when clean-up went well; otherwise with the clean-up problems told after it. */
export function withCleanupProblems(failure, problems) {
    return problems.length === 0 ? failure : new CleanupAfterFailureError(failure, problems);
}
//# sourceMappingURL=errors.js.map