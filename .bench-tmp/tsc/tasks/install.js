import { install, installOutcome } from '../commands/install.js';
import { paths } from '../commands/paths.js';
import { commandEnv } from './env.js';
import { exec, onHosts } from './runner.js';
const STEP = 'install';
/** Installs dependencies into the release, reusing the previous release's when its lockfile is unchanged. */
export async function installDependencies(ctx, hosts, release, previous) {
    const step = ctx.config.install;
    if (!step)
        return;
    const p = paths(ctx.config.deployTo);
    await onHosts(ctx, STEP, hosts, async (host) => {
        const prev = previous.get(host.name);
        const result = await exec(ctx, STEP, host, install({
            release: release.dir,
            previous: prev ? p.release(prev) : null,
            lockfile: step.lockfile,
            reuse: step.reuse,
            command: step.command,
            env: commandEnv(ctx.config, host, release),
        }));
        const outcome = installOutcome(result.stdout);
        if (outcome === 'reused')
            ctx.emit({ type: 'info', host: host.name, message: `reused ${step.reuse.join(', ')} of release ${prev} (${step.lockfile} unchanged)` });
    });
}
//# sourceMappingURL=install.js.map