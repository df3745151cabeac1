import { secretValues } from '../config/printable.js';
import { plainRenderer } from '../output/plain.js';
import { reportError } from './report.js';
import { openSession } from './context.js';
import { withConfig } from './common.js';
import { withOutput, withSelection } from './deploy.js';
/** Adds the flags every stage verb shares: config, selection, output. */
export const stageVerb = (cmd) => withConfig(withOutput(withSelection(cmd)));
/**
 * Verbs that print data (status, releases, run…) keep stdout for it: progress goes to stderr, and only
 * warnings and failures unless --verbose.
 */
export function querySink(flags) {
    const plain = plainRenderer({ write: (l) => process.stderr.write(`${l}\n`), verbose: flags.verbose ?? false });
    if (flags.verbose)
        return plain;
    return (e) => (e.type === 'warning' || (e.type === 'host:end' && !e.ok) ? plain(e) : undefined);
}
/** Opens a session, runs `fn`, reports the outcome; the exit code becomes the process's. */
export async function runVerb(stage, flags, verb, fn, options = {}) {
    const session = openSession(stage, flags, verb, { ...options, sink: options.query ? querySink(flags) : undefined });
    let error;
    try {
        await fn(session);
    }
    catch (e) {
        error = e;
    }
    const code = await session.finish(error);
    if (error !== undefined)
        reportError(error, { secrets: secretValues(session.ctx.config) });
    process.exitCode = code;
}
//# sourceMappingURL=verbs.js.map