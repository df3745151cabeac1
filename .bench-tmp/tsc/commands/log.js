import { raw, write } from '../shell/command.js';
/** Appends one JSON line; the JSON is a single quoted argument, never shell text. */
export function appendRevisionLog(p, entry) {
    const { release, revision, user, time, stage, outcome } = entry;
    const line = JSON.stringify({ release, revision, user, time, stage, outcome });
    return write(['printf', '%s\\n', line, raw('>>'), p.revisionsLog], {
        description: `log release ${release} as ${outcome}`,
    });
}
//# sourceMappingURL=log.js.map