import { cleanupAndLog, releasesToRemove } from '../commands/cleanup.js';
import { paths } from '../commands/paths.js';
import { lines } from '../facts/fact.js';
import { exec, onHosts } from './runner.js';
export const CLEANUP_STEP = 'cleanup';
/**
 * The old releases a host can lose once `release` is live there, from its state read when the lock was taken
 * (nothing else changed them since): of the releases that went live, the `keep_releases` newest stay, and always
 * `release` and `previous` (the rollback target). Releases that never went live were removed with the new one's
 * creation and are not counted.
 */
export function oldReleases(state, release, previous, keep) {
    const never = new Set(state.leftovers);
    const now = [...state.releases.filter((id) => !never.has(id)), release];
    return releasesToRemove(now, keep, previous ? [release, previous] : [release]);
}
/** Per host, the command that removes its old releases and logs the release now live, and what it removes. */
export function cleanupCommands(ctx, hosts, o) {
    const p = paths(ctx.config.deployTo);
    return new Map(hosts.map((h) => {
        const state = o.states.get(h.name);
        const remove = o.clean && state ? oldReleases(state, o.entry.release, o.previous.get(h.name) ?? null, ctx.config.keepReleases) : [];
        return [h.name, { command: cleanupAndLog(p, remove, o.entry), remove }];
    }));
}
/** Warnings for what a host's clean-up command did not do (the release is live: nothing here fails the run). */
export function reportCleanup(ctx, host, remove, release, result) {
    if (ctx.mode !== 'real')
        return;
    const warn = (message) => ctx.emit({ type: 'warning', host, message });
    if (result instanceof Error) {
        warn(`old releases and revisions.log on ${host} were left as they were (${result.message}): rollback will not know that release ${release} went live there`);
        return;
    }
    const said = lines(result.stdout);
    const why = result.stderr.trim() ? ` (${result.stderr.trim().split('\n').pop()})` : '';
    if (remove.length > 0 && !said.includes('cleaned'))
        warn(`old releases were not all removed from ${host}${why}; the next deploy tries again`);
    if (!said.includes('logged'))
        warn(`revisions.log on ${host} could not be written${why}: rollback will not know that release ${release} went live there`);
}
/**
 * After going live: removes each host's old releases and appends the revision log line, one round trip per host.
 * Neither stops the run: the release is live; what failed is a warning.
 */
export async function cleanupReleases(ctx, hosts, o) {
    const calm = { ...ctx, signal: undefined };
    const commands = cleanupCommands(ctx, hosts, o);
    await onHosts(calm, CLEANUP_STEP, hosts, async (h) => {
        const { command, remove } = commands.get(h.name);
        try {
            reportCleanup(ctx, h.name, remove, o.entry.release, await exec(calm, CLEANUP_STEP, h, command, { allowFail: true }));
        }
        catch (e) {
            reportCleanup(ctx, h.name, remove, o.entry.release, e instanceof Error ? e : new Error(String(e)));
        }
    });
}
//# sourceMappingURL=cleanup.js.map