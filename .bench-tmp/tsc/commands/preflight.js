import { raw, read } from '../shell/command.js';
import { quote } from '../shell/quote.js';
import { releaseStateTokens } from './release.js';
import { ifThen, test } from './sh.js';
const say = (format, ...args) => ['printf', format, ...args, raw(';')];
/**
 * One round trip, changing nothing. Prints machine-readable lines, parsed by facts/preflight.ts:
 * `tool <name> <path>` / `missing-tool <name>`, `exists yes|no` (deploy_to), `probe-dir <dir>` (deploy_to or
 * its nearest existing ancestor), `df <the df -Pk line for it>`, `writable yes|no` (of the probe dir); with
 * `releases` and little space, the release state with sizes (`leftover <id> <KiB>`, `uploads <KiB>` count as space
 * the deploy frees).
 */
/** `then` when the df line's available KiB (its 4th field) is below `kib`, or cannot be read as a number. */
function lowOnSpace(kib, then) {
    if (!Number.isInteger(kib) || kib < 0)
        throw new Error(`not a size in KiB: ${kib}`);
    return [raw('set -- $df;'), ...ifThen([raw(`[ "\${4:-x}" -ge ${kib} ] 2>/dev/null`)], [raw(':')], then)];
}
export function preflight(params) {
    const { deployTo, tools, releases } = params;
    const odd = tools.find((t) => !/^[A-Za-z0-9._+-]+$/.test(t));
    if (odd !== undefined)
        throw new Error(`not a tool name: ${JSON.stringify(odd)}`);
    const toolChecks = tools.length === 0
        ? []
        : [
            raw('for'),
            't',
            raw('in'),
            ...tools,
            raw(';'),
            raw('do'),
            ...ifThen([raw('found=$(command -v "$t")')], ['printf', 'tool %s %s\\n', raw('"$t"'), raw('"$found"')], ['printf', 'missing-tool %s\\n', raw('"$t"')]),
            raw(';'),
            raw('done;'),
        ];
    return read([
        ...toolChecks,
        raw(`d=${quote(deployTo)};`),
        ...ifThen(test('-e', raw('"$d"')), ['printf', 'exists yes\\n'], ['printf', 'exists no\\n']),
        raw(';'),
        raw('while'),
        ...test(raw('!'), '-e', raw('"$d"')),
        raw(';'),
        raw('do'),
        raw('d=$(dirname "$d");'),
        raw('done;'),
        ...say('probe-dir %s\\n', raw('"$d"')),
        ...(releases ? [raw('df=$(df -Pk "$d" | tail -n 1);'), ...say('df %s\\n', raw('"$df"'))] : say('df %s\\n', raw('"$(df -Pk "$d" | tail -n 1)"'))),
        ...ifThen(test('-w', raw('"$d"')), ['printf', 'writable yes\\n'], ['printf', 'writable no\\n']),
        ...(releases ? [raw(';'), ...lowOnSpace(releases.belowKiB, releaseStateTokens(releases.paths, { sizes: true }))] : []),
    ], { description: 'check tools, disk space and permissions' });
}
//# sourceMappingURL=preflight.js.map