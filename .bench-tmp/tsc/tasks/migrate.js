import { migrate } from '../commands/migrate.js';
import { primaryHost } from '../hosts/roles.js';
import { commandEnv } from './env.js';
import { exec } from './runner.js';
const STEP = 'migrate';
/** Runs migrations exactly once, on the primary host of the migrate role, before any host switches. */
export async function runMigrations(ctx, release) {
    const step = ctx.config.migrate;
    if (!step)
        return;
    const host = primaryHost(ctx.config.hosts, step.role);
    if (!host) {
        ctx.emit({ type: 'warning', message: `no host has role ${step.role}: migrations skipped` });
        return;
    }
    if (!ctx.hosts.some((h) => h.name === host.name)) {
        ctx.emit({ type: 'warning', message: `${host.name} (primary ${step.role}) is not selected: migrations skipped` });
        return;
    }
    ctx.emit({ type: 'step:start', step: STEP, hosts: [host.name] });
    const t0 = Date.now();
    let ok = false;
    try {
        await exec(ctx, STEP, host, migrate(step.command, release.dir, commandEnv(ctx.config, host, release)));
        ok = true;
    }
    finally {
        ctx.emit({ type: 'step:end', step: STEP, ok, durationMs: Date.now() - t0 });
    }
}
//# sourceMappingURL=migrate.js.map