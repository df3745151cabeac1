import { and, raw, script, write } from '../shell/command.js';
import { parent, within } from './paths.js';
import { digestOf, ifThen, test } from './sh.js';
export const REUSED = 'deploy:reused';
export const INSTALLED = 'deploy:installed';
/**
 * One command: when the lockfile is byte-identical to the previous release's and that release has every reuse
 * dir, hard-link copies them (`cp -al`) and prints `deploy:reused`; otherwise runs the install command and prints
 * `deploy:installed`.
 */
export function install(params) {
    const { release, previous, lockfile, reuse, command, env } = params;
    const installTokens = and([script(command), write(['echo', INSTALLED])]).tokens;
    const options = { cwd: release, ...(env ? { env } : {}), description: 'install dependencies' };
    if (!previous || !lockfile || reuse.length === 0)
        return write(installTokens, options);
    const prevLock = within(previous, lockfile);
    const newLock = within(release, lockfile);
    const cond = [
        ...test('-f', prevLock),
        raw('&&'),
        ...test('-f', newLock),
        raw('&&'),
        ...test(digestOf(prevLock), raw('='), digestOf(newLock)),
        ...reuse.flatMap((d) => [raw('&&'), ...test('-d', within(previous, d))]),
    ];
    const copies = reuse.flatMap((d) => {
        const from = within(previous, d);
        const to = within(release, d);
        const dir = parent(to);
        return [
            'rm',
            '-rf',
            to,
            raw('&&'),
            ...(dir === release.replace(/\/+$/, '') ? [] : ['mkdir', '-p', dir, raw('&&')]),
            'cp',
            '-al',
            from,
            to,
            raw('&&'),
        ];
    });
    return write(ifThen(cond, [...copies, 'echo', REUSED], installTokens), {
        ...options,
        description: `install dependencies, or reuse ${reuse.join(', ')} when ${lockfile} is unchanged`,
    });
}
/** Which branch an install took, from its output; null when neither marker was printed. */
export function installOutcome(stdout) {
    const lines = stdout.split('\n').map((l) => l.trim());
    for (let i = lines.length - 1; i >= 0; i--) {
        if (lines[i] === REUSED)
            return 'reused';
        if (lines[i] === INSTALLED)
            return 'installed';
    }
    return null;
}
//# sourceMappingURL=install.js.map