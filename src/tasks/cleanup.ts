import { releasesToRemove, removeReleases } from '../commands/cleanup.js';
import { paths } from '../commands/paths.js';
import type { HostDef } from '../config/types.js';
import { releaseState } from '../facts/release.js';
import type { RunContext } from './context.js';
import { exec, onHosts, probe } from './runner.js';

const STEP = 'cleanup';

/**
 * Keeps the `keep_releases` newest releases that went live on each host (per its revision log) and removes the
 * rest and every release that never went live; never the live one nor `protect` (the release a rollback would go
 * to).
 */
export async function cleanupReleases(ctx: RunContext, hosts: readonly HostDef[], protect: ReadonlyMap<string, string | null>): Promise<void> {
  const p = paths(ctx.config.deployTo);
  await onHosts(ctx, STEP, hosts, async (host) => {
    const s = await probe(ctx, STEP, host, releaseState(p));
    const keep = [s.current, protect.get(host.name)].filter((id): id is string => !!id);
    const remove = removeReleases(p, releasesToRemove(s.releases, ctx.config.keepReleases, keep, s.leftovers));
    if (remove) await exec(ctx, STEP, host, remove);
  });
}
