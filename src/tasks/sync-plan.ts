import type { RevisionLogEntry } from '../commands/log.js';
import type { HostDef } from '../config/types.js';
import type { HostReleases } from '../facts/release.js';
import type { RunContext } from './context.js';

/** What one host holds, as the sync plan needs it. */
export type SyncView = Pick<HostReleases, 'current' | 'log'> & { readonly releases: readonly string[] };

/** A code role's live release: the one most of its hosts serve (a tie goes to the one that went live last). */
export interface LiveRelease {
  readonly role: string;
  readonly release: string;
  /** The revision (git sha or artifact sha256) its revision log records, when one does. */
  readonly revision?: string;
  /** Hosts of the role serving it. */
  readonly on: readonly string[];
}

export interface BehindHost {
  readonly host: string;
  /** What it serves now (null: nothing). */
  readonly from: string | null;
  readonly to: string;
  readonly role: string;
}

export interface SyncPlan {
  readonly live: readonly LiveRelease[];
  readonly behind: readonly BehindHost[];
  /** Hosts of several code roles whose live releases differ: nothing is done to them. */
  readonly conflicts: readonly string[];
}

const wentLive = (e: RevisionLogEntry) => e.outcome === 'deployed' || e.outcome === 'rolled-back';

/**
 * Per code role, its live release, and the hosts that serve something else (or nothing). Pure: from each host's
 * roles, `current`, releases and revision log. A role none of whose hosts serves anything has no live release.
 */
export function syncPlan(
  hosts: readonly Pick<HostDef, 'name' | 'roles'>[],
  views: ReadonlyMap<string, SyncView>,
  codeRoles: readonly string[],
): SyncPlan {
  const live: LiveRelease[] = [];
  for (const role of codeRoles) {
    const ofRole = hosts.filter((h) => h.roles.includes(role) && views.has(h.name));
    const count = new Map<string, string[]>();
    for (const h of ofRole) {
      const c = views.get(h.name)!.current;
      if (c) count.set(c, [...(count.get(c) ?? []), h.name]);
    }
    if (count.size === 0) continue;
    const lastLive = (release: string) =>
      Math.max(
        0,
        ...ofRole.flatMap((h) =>
          views
            .get(h.name)!
            .log.filter((e) => e.release === release && wentLive(e))
            .map((e) => Date.parse(e.time) || 0),
        ),
      );
    const [release, on] = [...count].sort(([a, x], [b, y]) => y.length - x.length || lastLive(b) - lastLive(a) || (b > a ? 1 : -1))[0]!;
    const entry = ofRole.flatMap((h) => views.get(h.name)!.log.filter((e) => e.release === release && e.revision)).pop();
    live.push({ role, release, on, ...(entry ? { revision: entry.revision } : {}) });
  }
  const behind: BehindHost[] = [];
  const conflicts: string[] = [];
  for (const h of hosts) {
    const view = views.get(h.name);
    if (!view) continue;
    const targets = live.filter((l) => h.roles.includes(l.role));
    if (new Set(targets.map((t) => t.release)).size > 1) {
      conflicts.push(h.name);
      continue;
    }
    const target = targets[0];
    if (target && view.current !== target.release) behind.push({ host: h.name, from: view.current, to: target.release, role: target.role });
  }
  return { live, behind, conflicts };
}

export const codeRolesOf = (ctx: Pick<RunContext, 'config'>): string[] =>
  Object.entries(ctx.config.roles)
    .filter(([, r]) => r.code)
    .map(([n]) => n);
