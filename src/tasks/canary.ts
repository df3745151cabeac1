import type { HostDef } from '../config/types.js';
import { DeployError, ExitCode } from '../errors.js';
import type { RunContext } from './context.js';
import { waitHealthy } from './health.js';
import { sleep } from './wait.js';

export const DEFAULT_CANARY_SECONDS = 60;

export interface CanaryOptions {
  /** How long the canary is watched when nobody is asked (default 60). */
  readonly seconds?: number;
  /**
   * Asks the person at the terminal and resolves with the answer; rejects when `signal` aborts. Absent when
   * nobody is there to ask (CI): the canary is then watched instead.
   */
  readonly ask?: (question: string, signal?: AbortSignal) => Promise<string>;
}

/**
 * Whether the rollout goes on after its canary: the person at the terminal decides (Enter goes on, `abort` switches
 * back); elsewhere the canary is watched for `seconds` and must still be healthy at the end. Both end at once when
 * the run is interrupted.
 */
export function canaryGate(ctx: RunContext, o: CanaryOptions = {}): (host: HostDef) => Promise<boolean> {
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
    } catch (e) {
      if (e instanceof DeployError && e.exitCode === ExitCode.interrupted) throw e;
      ctx.emit({ type: 'warning', host: host.name, message: `canary unhealthy: ${e instanceof Error ? e.message : String(e)}` });
      return false;
    }
  };
}

/** `--canary` as given: absent, present without a value, or with seconds. */
export type CanaryFlag = boolean | number | undefined;

/**
 * The gate `--canary` asks for: none without the flag; with someone at a terminal (not CI) the question; otherwise
 * watching for the flag's seconds (default 60).
 */
export function canaryPolicy(
  ctx: RunContext,
  flag: CanaryFlag,
  where: { readonly interactive: boolean; readonly ask: NonNullable<CanaryOptions['ask']> },
): ((host: HostDef) => Promise<boolean>) | undefined {
  if (flag === undefined || flag === false) return undefined;
  if (where.interactive) return canaryGate(ctx, { ask: where.ask });
  return canaryGate(ctx, { seconds: typeof flag === 'number' ? flag : DEFAULT_CANARY_SECONDS });
}
