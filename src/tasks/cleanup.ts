import { releasesToRemove, removeReleases } from '../commands/cleanup.js';
import { paths } from '../commands/paths.js';
import type { HostDef } from '../config/types.js';
import { listReleases } from '../facts/release.js';
import { readCurrent } from '../facts/symlink.js';
import type { RunContext } from './context.js';
import { exec, onHosts, probe } from './runner.js';

const STEP = 'cleanup';

/**
 * Keeps `keep_releases` releases per host; never removes the live one nor `protect` (the release a rollback
 * would go to).
 */
export async function cleanupReleases(ctx: RunContext, hosts: readonly HostDef[], protect: ReadonlyMap<string, string | null>): Promise<void> {
  const p = paths(ctx.config.deployTo);
  await onHosts(ctx, STEP, hosts, async (host) => {
    const [all, current] = await Promise.all([probe(ctx, STEP, host, listReleases(p)), probe(ctx, STEP, host, readCurrent(p))]);
    const keep = [current, protect.get(host.name)].filter((id): id is string => !!id);
    const remove = removeReleases(p, releasesToRemove(all, ctx.config.keepReleases, keep));
    if (remove) await exec(ctx, STEP, host, remove);
  });
}
