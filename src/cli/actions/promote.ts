import { PlanCollector } from '../../output/plan.js';
import type { RunContext } from '../../tasks/context.js';
import { whoami } from '../../tasks/lock.js';
import { promote } from '../../tasks/promote.js';
import type { PromoteFlags } from '../promote.js';
import { defaultSink, runSession, sshTargets } from '../session.js';
import { loadStage } from '../stage.js';

export function runPromote(from: string, to: string, flags: PromoteFlags): Promise<number> {
  const plan = flags.dryRun ? new PlanCollector() : undefined;
  const base = defaultSink(flags, { live: !flags.dryRun });
  return runSession(
    to,
    flags,
    'promote',
    async ({ ctx, run }) =>
      promote(ctx, await fromStage(ctx, from, flags), {
        run,
        owner: whoami(),
        message: flags.message ?? '',
        lockWaitSeconds: flags.lockWait ?? 0,
      }),
    {
      mode: flags.dryRun ? 'dry-run' : 'real',
      sink: plan ? (e) => (plan.sink(e), e.type === 'run:end' || e.type === 'warning' ? base(e) : undefined) : base,
      summary: (s) => s,
      beforeEnd: (summary, { ctx }) => {
        if (plan)
          process.stdout.write(
            `${plan.render(`Dry run of promote ${from} → ${to}${summary?.release ? ` (release ${summary.release})` : ''}: probes ran for real; these writes did not.`, ctx.config.hosts)}\n`,
          );
      },
    },
  );
}

/** The stage promoted from, every host of it, read over the same connections as the run. */
async function fromStage(ctx: RunContext, stage: string, flags: PromoteFlags): Promise<RunContext> {
  const config = await loadStage(flags, stage);
  const { targets } = sshTargets(config);
  return { ...ctx, config, hosts: config.hosts, targets: new Map(targets.map((t) => [t.name, t])) };
}
