import { paths } from '../commands/paths.js';
import { StepFailedError } from '../errors.js';
import { preflightReport } from '../facts/preflight.js';
import { healthRoles } from './env.js';
import { onHosts, probe } from './runner.js';
/** Below this much free space in deploy_to, a deploy is refused before it writes anything. */
export const MIN_FREE_KIB = 64 * 1024;
const SHELL_WORDS = new Set(['if', 'then', 'set', 'cd', 'export', 'for', 'while', 'case', 'test', 'exec', 'env', 'command', 'true', 'false']);
/** The program a snippet starts with, when it plainly starts with one (`npm ci` → npm; `if …` → none). */
const firstWord = (snippet) => {
    const word = snippet.trim().split(/\s+/)[0];
    return word && /^[A-Za-z0-9_.+-]+$/.test(word) && !SHELL_WORDS.has(word) && !word.includes('=') ? word : undefined;
};
/** The binaries this host's steps will call. */
export function toolsFor(config, host) {
    const roles = (list) => host.roles.some((r) => list.includes(r));
    const receivesCode = host.roles.some((r) => config.roles[r]?.code);
    const tools = new Set();
    if (receivesCode) {
        ['mkdir', 'ln', 'mv', 'rm', 'readlink', 'tar', 'sha256sum'].forEach((t) => tools.add(t));
        if (config.source.kind === 'git')
            tools.add('git');
        const install = config.install && firstWord(config.install.command);
        if (install)
            tools.add(install);
    }
    if (config.health && roles(healthRoles(config)))
        tools.add('curl');
    return [...tools].sort();
}
export function preflightProblems(config, report) {
    const problems = [];
    if (report.missingTools.length > 0)
        problems.push(`missing tools: ${report.missingTools.join(', ')}`);
    if (report.writable === false)
        problems.push(`${report.probeDir ?? config.deployTo} is not writable by the deploy user`);
    // What earlier runs left behind (uploads, releases that never went live) is removed before anything is written.
    if (report.disk && report.disk.availableKiB + report.removableKiB < MIN_FREE_KIB) {
        const freed = report.removableKiB > 0 ? `, ${Math.round(report.removableKiB / 1024)} MiB more once what earlier runs left is removed` : '';
        problems.push(`only ${Math.round(report.disk.availableKiB / 1024)} MiB free in ${report.probeDir ?? config.deployTo}${freed} (need ${MIN_FREE_KIB / 1024} MiB)`);
    }
    return problems;
}
/**
 * Connects to every host at once and checks tools, disk and permissions; reports every failing host together.
 * Writes nothing. In `plan` mode there is nothing to judge, so it only shows the probe.
 */
export async function preflight(ctx, hosts = ctx.hosts) {
    return onHosts(ctx, 'check', hosts, async (host) => {
        const keepsReleases = host.roles.some((r) => ctx.config.roles[r]?.code);
        const report = await probe(ctx, 'check', host, preflightReport({ deployTo: ctx.config.deployTo, tools: toolsFor(ctx.config, host), ...(keepsReleases ? { releases: { paths: paths(ctx.config.deployTo), belowKiB: MIN_FREE_KIB } } : {}) }));
        const problems = ctx.mode === 'plan' ? [] : preflightProblems(ctx.config, report);
        if (problems.length > 0)
            throw new StepFailedError(host.name, 'check', problems.join('; '));
        return report;
    });
}
//# sourceMappingURL=check.js.map