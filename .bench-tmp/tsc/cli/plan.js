import { secretValues } from '../config/printable.js';
import { PlanCollector } from '../output/plan.js';
import { deploy } from '../tasks/deploy.js';
import { whoami } from '../tasks/lock.js';
import { withConfig } from './common.js';
import { openSession } from './context.js';
import { withSelection } from './deploy.js';
import { reportError } from './report.js';
export function registerPlan(program) {
    withConfig(withSelection(program
        .command('plan')
        .argument('<stage>', 'the stage to plan')
        .description('print, per host and per step, the exact commands a deploy would run (offline: no host is contacted)'))).action(async (stage, flags) => {
        const plan = new PlanCollector();
        const session = openSession(stage, flags, 'plan', { mode: 'plan', sink: plan.sink });
        let error;
        let release;
        try {
            release = (await deploy(session.ctx, { run: session.run, owner: whoami(), message: '', lockWaitSeconds: 0 })).release;
        }
        catch (e) {
            error = e;
        }
        await session.finish(error);
        if (error !== undefined) {
            process.exitCode = reportError(error, { secrets: secretValues(session.ctx.config) });
            return;
        }
        process.stdout.write(`${plan.render(`Plan for deploy ${stage}, release ${release}. Offline: no host was asked anything, so probes (?) show as run and every host looks fresh; \`deploy ${stage} --dry-run\` runs them for real.`, session.ctx.config.hosts)}\n`);
    });
}
//# sourceMappingURL=plan.js.map