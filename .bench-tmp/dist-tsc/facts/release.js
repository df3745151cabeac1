import { BAD_MARKER, FAILED_MARKER, isReleaseId, releaseStateTokens } from '../commands/release.js';
import { ifThen, test, glob } from '../commands/sh.js';
import { raw, read } from '../shell/command.js';
import { quote } from '../shell/quote.js';
import { fact, lines } from './fact.js';
import { parseRevisionLog } from './log.js';
/** Release ids, oldest first, from `ls -1 -p` (directories end in `/`; anything that is not a release is ignored). */
export function parseReleases(stdout) {
    return lines(stdout)
        .filter((l) => l.endsWith('/'))
        .map((l) => l.slice(0, -1))
        .filter(isReleaseId)
        .sort();
}
export const listReleases = (p) => fact(read(ifThen(test('-d', p.releases), ['ls', '-1', '-p', p.releases]), { description: 'list the releases' }), parseReleases);
export function parseMarkedReleases(stdout) {
    const bad = [];
    const failed = [];
    for (const line of lines(stdout)) {
        const [kind, id = ''] = line.split(' ', 2);
        if (!isReleaseId(id))
            continue;
        if (kind === 'bad')
            bad.push(id);
        else if (kind === 'failed')
            failed.push(id);
    }
    return { bad: bad.sort(), failed: failed.sort() };
}
const markerCheck = (marker, kind) => ifThen(test('-e', raw(`"$d"/${quote(marker)}`)), ['printf', `${kind} %s\\n`, raw('"${d##*/}"')]);
/** Prints `bad <id>` / `failed <id>` for each release holding a marker file. */
export const markedReleases = (p) => fact(read([
    raw('for'),
    'd',
    raw('in'),
    glob(p.releases, '*/'),
    raw(';'),
    raw('do'),
    raw('d=${d%/};'),
    ...markerCheck(BAD_MARKER, 'bad'),
    raw(';'),
    ...markerCheck(FAILED_MARKER, 'failed'),
    raw(';'),
    raw('done'),
], { description: 'find releases marked bad or failed' }), parseMarkedReleases);
export function parseReleaseState(stdout) {
    let currentTarget = null;
    let dangling = false;
    const releases = [];
    const leftovers = [];
    let leftoverKiB = 0;
    let uploads = false;
    const kib = (v) => (v && /^\d+$/.test(v) ? Number(v) : 0);
    for (const line of lines(stdout)) {
        const [key, ...rest] = line.split(' ');
        if (key === 'current')
            currentTarget = rest.join(' ');
        else if (key === 'dangling')
            dangling = true;
        else if (key === 'release' && isReleaseId(rest[0] ?? ''))
            releases.push(rest[0]);
        else if (key === 'leftover' && isReleaseId(rest[0] ?? '')) {
            leftovers.push(rest[0]);
            leftoverKiB += kib(rest[1]);
        }
        else if (key === 'uploads') {
            uploads = true;
            leftoverKiB += kib(rest[0]);
        }
    }
    const id = currentTarget?.replace(/\/+$/, '').split('/').pop() ?? '';
    return {
        current: isReleaseId(id) ? id : null,
        currentTarget,
        dangling,
        releases: releases.sort(),
        leftovers: leftovers.sort(),
        leftoverKiB,
        uploads,
    };
}
export const releaseState = (p, o = {}) => fact(read(releaseStateTokens(p, o), { description: 'read the releases' }), parseReleaseState);
/** One round trip: the release state, the marked releases and the whole revision log (lines prefixed `log `). */
export const hostReleases = (p) => fact(read([
    ...releaseStateTokens(p),
    raw(';'),
    ...markedReleases(p).command.tokens,
    raw(';'),
    ...ifThen(test('-f', p.revisionsLog), ['sed', 's/^/log /', p.revisionsLog]),
], { description: 'read the releases and the revision log' }), parseHostReleases);
export function parseHostReleases(stdout) {
    const state = parseReleaseState(stdout);
    const marked = parseMarkedReleases(stdout);
    const log = parseRevisionLog(lines(stdout)
        .filter((l) => l.startsWith('log '))
        .map((l) => l.slice(4))
        .join('\n'));
    return { current: state.current, currentTarget: state.currentTarget, dangling: state.dangling, releases: state.releases, bad: marked.bad, log: log.entries };
}
//# sourceMappingURL=release.js.map