import { ifThen, test } from '../commands/sh.js';
import { read } from '../shell/command.js';
import { fact, lines } from './fact.js';
const FIELDS = ['release', 'revision', 'user', 'time', 'stage', 'outcome'];
const OUTCOMES = ['deployed', 'failed', 'rolled-back'];
function parseEntry(text) {
    let value;
    try {
        value = JSON.parse(text);
    }
    catch {
        return 'not JSON';
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value))
        return 'not a JSON object';
    const record = value;
    const missing = FIELDS.filter((f) => typeof record[f] !== 'string');
    if (missing.length > 0)
        return `missing ${missing.join(', ')}`;
    if (!OUTCOMES.includes(record.outcome))
        return `unknown outcome ${JSON.stringify(record.outcome)}`;
    return Object.freeze(Object.fromEntries(FIELDS.map((f) => [f, record[f]])));
}
/** JSON lines → entries in file order; lines that are not entries are reported, not fatal. */
export function parseRevisionLog(stdout) {
    const entries = [];
    const malformed = [];
    lines(stdout).forEach((text, i) => {
        if (text.trim() === '')
            return;
        const entry = parseEntry(text);
        if (typeof entry === 'string')
            malformed.push({ line: i + 1, text, error: entry });
        else
            entries.push(entry);
    });
    return { entries, malformed };
}
/** The last `limit` entries (all when omitted); nothing when the log does not exist yet. */
export function revisionLog(p, limit) {
    if (limit !== undefined && (!Number.isInteger(limit) || limit < 1)) {
        throw new RangeError(`limit must be >= 1, got ${limit}`);
    }
    const show = limit === undefined ? ['cat', p.revisionsLog] : ['tail', '-n', String(limit), p.revisionsLog];
    return fact(read(ifThen(test('-f', p.revisionsLog), show), { description: 'read the revision log' }), parseRevisionLog);
}
//# sourceMappingURL=log.js.map