import { cleanupAndLog, releasesToRemove } from '../commands/cleanup.js';
import type { RevisionLogEntry } from '../commands/log.js';
import { paths } from '../commands/paths.js';
import type { HostDef } from '../config/types.js';
import { lines } from '../facts/fact.js';
import type { ReleaseState } from '../facts/release.js';
import type { RunContext } from './context.js';
import { exec, onHosts } from './runner.js';

const STEP = 'cleanup';

/**
 * The old releases a host can lose once `release` is live there, from its state read when the lock was taken
 * (nothing else changed them since): of the releases that went live, the `keep_releases` newest stay, and always
 * `release` and `previous` (the rollback target). Releases that never went live were removed with the new one's
 * creation and are not counted.
 */
export function oldReleases(state: ReleaseState, release: string, previous: string | null, keep: number): string[] {
  const never = new Set(state.leftovers);
  const now = [...state.releases.filter((id) => !never.has(id)), release];
  return releasesToRemove(now, keep, previous ? [release, previous] : [release]);
}

/**
 * After going live: removes each host's old releases and appends the revision log line, one round trip per host.
 * Neither stops the run: the release is live; what failed is a warning. `clean` false (the lock is no longer
 * ours) only logs.
 */
export async function cleanupReleases(
  ctx: RunContext,
  hosts: readonly HostDef[],
  o: { states: ReadonlyMap<string, ReleaseState>; previous: ReadonlyMap<string, string | null>; entry: RevisionLogEntry; clean: boolean },
): Promise<void> {
  const calm: RunContext = { ...ctx, signal: undefined };
  const p = paths(ctx.config.deployTo);
  const { entry } = o;
  const warn = (host: string, message: string) => ctx.emit({ type: 'warning', host, message });
  await onHosts(calm, STEP, hosts, async (h) => {
    const state = o.states.get(h.name);
    const remove = o.clean && state ? oldReleases(state, entry.release, o.previous.get(h.name) ?? null, ctx.config.keepReleases) : [];
    try {
      const r = await exec(calm, STEP, h, cleanupAndLog(p, remove, entry), { allowFail: true });
      if (ctx.mode !== 'real') return;
      const said = lines(r.stdout);
      const why = r.stderr.trim() ? ` (${r.stderr.trim().split('\n').pop()})` : '';
      if (remove.length > 0 && !said.includes('cleaned')) warn(h.name, `old releases were not all removed from ${h.name}${why}; the next deploy tries again`);
      if (!said.includes('logged')) warn(h.name, `revisions.log on ${h.name} could not be written${why}: rollback will not know that release ${entry.release} went live there`);
    } catch (e) {
      warn(h.name, `old releases and revisions.log on ${h.name} were left as they were (${e instanceof Error ? e.message : String(e)}): rollback will not know that release ${entry.release} went live there`);
    }
  });
}
