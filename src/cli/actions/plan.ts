import { PlanCollector } from '../../output/plan.js';
import { deploy } from '../../tasks/deploy.js';
import { whoami } from '../../tasks/lock.js';
import { runSession, type RunFlags } from '../session.js';

export function plan(stage: string, flags: RunFlags): Promise<number> {
  const collector = new PlanCollector();
  return runSession(stage, flags, 'plan', ({ ctx, run }) => deploy(ctx, { run, owner: whoami(), message: '', lockWaitSeconds: 0 }), {
    mode: 'plan',
    sink: collector.sink,
    afterEnd: ({ release }, { ctx }) =>
      void process.stdout.write(
        `${collector.render(
          `Plan for deploy ${stage}, release ${release}. Offline: no host was asked anything, so probes (?) show as run and every host looks fresh; \`deploy ${stage} --dry-run\` runs them for real.`,
          ctx.config.hosts,
        )}\n`,
      ),
  });
}
