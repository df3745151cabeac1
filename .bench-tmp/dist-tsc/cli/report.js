import { CommanderError } from 'commander';
import { DeployError, ExitCode } from '../errors.js';
import { secretMasker } from '../shell/sensitive.js';
/** Prints an error for people (what, where, what next), secrets masked, and returns its exit code. */
export function reportError(e, options = {}) {
    const stderr = options.stderr ?? process.stderr;
    const mask = secretMasker(options.secrets ?? []);
    if (e instanceof CommanderError) {
        if (e.code === 'commander.helpDisplayed' || e.code === 'commander.version' || e.code === 'commander.help')
            return 0;
        return ExitCode.config;
    }
    if (e instanceof DeployError) {
        stderr.write(`error: ${mask(e.message)}\n`);
        if (e.hint)
            stderr.write(`${mask(e.hint).replace(/^/gm, '  ')}\n`);
        return e.exitCode;
    }
    stderr.write(`internal error: ${mask(e instanceof Error ? (e.stack ?? e.message) : String(e))}\n`);
    return ExitCode.internal;
}
//# sourceMappingURL=report.js.map