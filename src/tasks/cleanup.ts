import { cleanupAndLog, releasesToRemove } from '../commands/cleanup.js';
import type { RevisionLogEntry } from '../commands/log.js';
import { paths } from '../commands/paths.js';
import type { HostDef } from '../config/types.js';
import { lines } from '../facts/fact.js';
import type { ReleaseState } from '../facts/release.js';
import type { Command } from '../shell/command.js';
import type { RunContext } from './context.js';
import { bestEffort, onHosts } from './runner.js';

export const CLEANUP_STEP = 'cleanup';

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
 * The line that records `state`'s unlogged release (live, its own line lost) on behalf of the run writing `entry`,
 * or undefined when the log lacks nothing.
 */
export function lateEntry(state: ReleaseState | undefined, entry: RevisionLogEntry): RevisionLogEntry | undefined {
  const lost = state?.unlogged;
  if (!lost || lost.release === entry.release) return undefined;
  return {
    release: lost.release,
    revision: lost.revision,
    user: entry.user,
    time: entry.time,
    stage: entry.stage,
    outcome: 'deployed',
    late: true,
  };
}

export interface AfterLive {
  readonly states: ReadonlyMap<string, ReleaseState>;
  readonly previous: ReadonlyMap<string, string | null>;
  readonly entry: RevisionLogEntry;
  /** False (the lock is no longer this run's): the revision log only, old releases are left. */
  readonly clean: boolean;
}

/** Per host, the command that removes its old releases and logs the release now live, and what it removes. */
export function cleanupCommands(
  ctx: RunContext,
  hosts: readonly HostDef[],
  o: AfterLive,
): Map<string, { command: Command; remove: string[] }> {
  const p = paths(ctx.config.deployTo);
  return new Map(
    hosts.map((h) => {
      const state = o.states.get(h.name);
      const remove = o.clean && state ? oldReleases(state, o.entry.release, o.previous.get(h.name) ?? null, ctx.config.keepReleases) : [];
      return [h.name, { command: cleanupAndLog(p, remove, o.entry, lateEntry(state, o.entry)), remove }];
    }),
  );
}

/** Warnings for what a host's clean-up command did not do (the release is live: nothing here fails the run). */
export function reportCleanup(
  ctx: RunContext,
  host: string,
  remove: readonly string[],
  release: string,
  result: { stdout: string; stderr: string } | Error,
): void {
  if (ctx.mode !== 'real') return;
  const warn = (message: string) => ctx.emit({ type: 'warning', host, message: `${CLEANUP_STEP}: ${message}` });
  if (result instanceof Error) {
    warn(
      `old releases and revisions.log on ${host} were left as they were (${result.message}): rollback will not know that release ${release} went live there`,
    );
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
export async function cleanupReleases(ctx: RunContext, hosts: readonly HostDef[], o: AfterLive): Promise<void> {
  const calm: RunContext = { ...ctx, signal: undefined };
  const commands = cleanupCommands(ctx, hosts, o);
  await onHosts(calm, CLEANUP_STEP, hosts, async (h) => {
    const { command, remove } = commands.get(h.name)!;
    const { result, why } = await bestEffort(calm, CLEANUP_STEP, h, command);
    reportCleanup(ctx, h.name, remove, o.entry.release, result ?? new Error(why));
  });
}
