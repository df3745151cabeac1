import { DeployError, ExitCode } from '../errors.js';
import { waitHealthy } from './health.js';
import { sleep } from './wait.js';
export const DEFAULT_CANARY_SECONDS = 60;
/**
 * Whether the rollout goes on after its canary: the person at the terminal decides (Enter goes on, `abort` switches
 * back); elsewhere the canary is watched for `seconds` and must still be healthy at the end. Both end at once when
 * the run is interrupted.
 */
export function canaryGate(ctx, o = {}) {
    return async (host) => {
        if (o.ask) {
            const answer = await o.ask(`The canary ${host.name} serves the new release. Enter to roll out to the rest, "abort" to switch it back: `, ctx.signal);
            return answer.trim().toLowerCase() !== 'abort';
        }
        const wait = o.seconds !== undefined && Number.isFinite(o.seconds) && o.seconds >= 0 ? o.seconds : DEFAULT_CANARY_SECONDS;
        ctx.emit({ type: 'info', host: host.name, message: `canary: watching ${host.name} for ${wait}s before the rest` });
        await sleep(wait * 1000, ctx.signal);
        try {
            await waitHealthy(ctx, host);
            return true;
        }
        catch (e) {
            if (e instanceof DeployError && e.exitCode === ExitCode.interrupted)
                throw e;
            ctx.emit({ type: 'warning', host: host.name, message: `canary unhealthy: ${e instanceof Error ? e.message : String(e)}` });
            return false;
        }
    };
}
//# sourceMappingURL=canary.js.map