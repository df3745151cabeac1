import { preflight } from '../tasks/check.js';
import { runVerb, stageVerb } from './verbs.js';
export function registerCheck(program) {
    stageVerb(program
        .command('check')
        .argument('<stage>', 'the stage to check')
        .description('preflight: connect to every host at once and check tools, disk space and permissions; changes nothing')).action((stage, flags) => runVerb(stage, flags, 'check', async ({ ctx }) => {
        const reports = await preflight(ctx);
        for (const [host, r] of reports) {
            ctx.emit({ type: 'info', host, message: `ok: ${Object.keys(r.tools).length} tools, ${r.disk ? `${Math.round(r.disk.availableKiB / 1024)} MiB free` : 'disk unknown'} in ${r.probeDir ?? ctx.config.deployTo}` });
        }
    }));
}
//# sourceMappingURL=check.js.map