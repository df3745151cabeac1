import type { Command } from 'commander';
import { PlanCollector } from '../output/plan.js';
import { deploy } from '../tasks/deploy.js';
import { whoami } from '../tasks/lock.js';
import { withConfig, withSelection } from './common.js';
import { runSession, type Done, type RunFlags } from './session.js';

export function registerPlan(program: Command, done: Done): void {
  withConfig(
    withSelection(
      program
        .command('plan')
        .argument('<stage>', 'the stage to plan')
        .description('print, per host and per step, the exact commands a deploy would run (offline: no host is contacted)'),
    ),
  ).action(async (stage: string, flags: RunFlags) => {
    const plan = new PlanCollector();
    done(
      await runSession(stage, flags, 'plan', ({ ctx, run }) => deploy(ctx, { run, owner: whoami(), message: '', lockWaitSeconds: 0 }), {
        mode: 'plan',
        sink: plan.sink,
        afterEnd: ({ release }, { ctx }) =>
          void process.stdout.write(
            `${plan.render(
              `Plan for deploy ${stage}, release ${release}. Offline: no host was asked anything, so probes (?) show as run and every host looks fresh; \`deploy ${stage} --dry-run\` runs them for real.`,
              ctx.config.hosts,
            )}\n`,
          ),
      }),
    );
  });
}
