import { paths } from '../commands/paths.js';
import { manifestFile, writeManifest } from '../commands/purge.js';
import type { HostDef } from '../config/types.js';
import type { RunContext } from './context.js';
import type { ReleaseRef } from './env.js';
import { exec } from './runner.js';
import { runTask, taskHosts, taskRegistry } from './tasks.js';

export interface PurgeRun {
  readonly verb: 'deploy' | 'rollback' | 'sync';
  /** `deployed`, `rolled-back` or `switched-back`. */
  readonly outcome: string;
  /** The release of the run (DEPLOY_RELEASE): the one switched to, or after a switch-back the one that failed. */
  readonly release: ReleaseRef;
  /** Per host, what it served before the switch and serves now (null: nothing). */
  readonly moves: ReadonlyMap<string, { readonly from: string | null; readonly to: string | null }>;
  /** After a switch-back the release is gone or never served: tasks run in deploy_to. */
  readonly outcomePoint?: boolean;
}

/**
 * The `purge` point, once per run after hosts changed what they serve: first each host that runs a purge task
 * writes the asset manifest (files under `public/` added, changed or removed by the switch) to
 * `deploy_to/.purge-manifest`, then the tasks run with DEPLOY_PURGE_MANIFEST pointing at it. The switch is done:
 * a failure here is a warning, returned to be told, never the run's failure.
 */
export async function runPurge(ctx: RunContext, run: PurgeRun): Promise<string[]> {
  const names = ctx.config.hooks.after.purge ?? [];
  if (names.length === 0) return [];
  const calm: RunContext = { ...ctx, signal: undefined };
  const p = paths(ctx.config.deployTo);
  const problems: string[] = [];
  const registry = await taskRegistry(ctx.config);
  const hosts = new Map<string, HostDef>();
  for (const name of names) {
    const task = registry.get(name);
    if (task) for (const h of taskHosts(calm, task)) hosts.set(h.name, h);
  }
  const code = new Set(
    Object.entries(ctx.config.roles)
      .filter(([, r]) => r.code)
      .map(([n]) => n),
  );
  await Promise.all(
    [...hosts.values()]
      .filter((h) => h.roles.some((r) => code.has(r)))
      .map(async (h) => {
        const move = run.moves.get(h.name) ?? { from: null, to: run.release.id };
        const r = await exec(calm, 'purge', h, writeManifest(p, move.to, move.from), { allowFail: true }).catch((e: unknown) => ({
          code: -1,
          stderr: String(e),
        }));
        if (r.code !== 0) problems.push(`${h.name}: the asset manifest could not be written (${r.stderr.trim().split('\n').at(-1)})`);
      }),
  );
  const env = { DEPLOY_PURGE_MANIFEST: manifestFile(p), DEPLOY_VERB: run.verb, DEPLOY_OUTCOME: run.outcome };
  for (const name of names) {
    try {
      await runTask(calm, name, run.release, { env, ...(run.outcomePoint ? { outcome: true } : {}) });
    } catch (e) {
      problems.push(`task ${name} (hooks.after.purge) failed: ${e instanceof Error ? e.message : String(e)}`);
    }
  }
  for (const message of problems) ctx.emit({ type: 'warning', message });
  return problems;
}
