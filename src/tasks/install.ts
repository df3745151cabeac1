import { install, installOutcome } from '../commands/install.js';
import { paths } from '../commands/paths.js';
import type { HostDef } from '../config/types.js';
import type { RunContext } from './context.js';
import { commandEnv, type ReleaseRef } from './env.js';
import { exec, onHosts } from './runner.js';

const STEP = 'install';

/** Installs dependencies into the release, reusing the previous release's when its lockfile is unchanged. */
export async function installDependencies(
  ctx: RunContext,
  hosts: readonly HostDef[],
  release: ReleaseRef,
  previous: ReadonlyMap<string, string | null>,
): Promise<void> {
  const step = ctx.config.install;
  if (!step) return;
  const p = paths(ctx.config.deployTo);
  await onHosts(ctx, STEP, hosts, async (host) => {
    const prev = previous.get(host.name);
    const result = await exec(
      ctx,
      STEP,
      host,
      install({
        release: release.dir,
        previous: prev ? p.release(prev) : null,
        lockfile: step.lockfile,
        reuse: step.reuse,
        command: step.command,
        reconcile: step.reconcile,
        env: commandEnv(ctx.config, host, release),
      }),
    );
    const outcome = installOutcome(result.stdout);
    if (outcome === 'reused') {
      const how = step.reconcile ? 'started from a copy of' : 'reused';
      ctx.emit({
        type: 'info',
        host: host.name,
        message: `${how} ${step.reuse.join(', ')} of release ${prev} (${step.lockfile} unchanged)`,
      });
    } else if (outcome === 'reconciled') {
      ctx.emit({
        type: 'info',
        host: host.name,
        message: `reconciled a copy of ${step.reuse.join(', ')} of release ${prev} with the changed ${step.lockfile}`,
      });
    }
  });
}
