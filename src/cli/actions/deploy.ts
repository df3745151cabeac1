import { createInterface } from 'node:readline/promises';
import { InterruptedError } from '../../errors.js';
import type { EventSink } from '../../output/events.js';
import { PlanCollector } from '../../output/plan.js';
import { isCI } from '../../output/select.js';
import { canaryPolicy } from '../../tasks/canary.js';
import { deploy } from '../../tasks/deploy.js';
import { whoami } from '../../tasks/lock.js';
import type { DeployFlags } from '../deploy.js';
import { defaultSink, runSession } from '../session.js';

export function runDeploy(stage: string, flags: DeployFlags): Promise<number> {
  const plan = flags.dryRun ? new PlanCollector() : undefined;
  // A dry run prints its plan at the end, so its progress stays in plain lines.
  const base = defaultSink(flags, { live: !flags.dryRun });
  return runSession(
    stage,
    flags,
    'deploy',
    ({ ctx, run }) => {
      const canary = canaryPolicy(ctx, flags.canary, {
        interactive: process.stdin.isTTY && !isCI(process.env),
        ask: terminalQuestion(base),
      });
      return deploy(ctx, { run, owner: whoami(), message: flags.message ?? '', lockWaitSeconds: flags.lockWait ?? 0, canary });
    },
    {
      mode: flags.dryRun ? 'dry-run' : 'real',
      sink: plan ? (e) => (plan.sink(e), e.type === 'run:end' || e.type === 'warning' ? base(e) : undefined) : base,
      summary: (s) => s,
      beforeEnd: (summary, { ctx }) => {
        if (plan)
          process.stdout.write(
            `${plan.render(`Dry run of deploy ${stage}${summary?.release ? ` (release ${summary.release})` : ''}: probes ran for real; these writes did not.`, ctx.config.hosts)}\n`,
          );
      },
    },
  );
}

/**
 * Asks at the terminal (stdin, stderr) with the live rows out of the way: they are paused while the question is
 * open and drawn again after. Ctrl-C while it waits interrupts the run like anywhere else.
 */
export function terminalQuestion(view: EventSink): (question: string, signal?: AbortSignal) => Promise<string> {
  return async (question, signal) => {
    view.pause?.();
    const rl = createInterface({ input: process.stdin, output: process.stderr });
    // In raw mode Ctrl-C reaches readline, not the process.
    rl.on('SIGINT', () => process.kill(process.pid, 'SIGINT'));
    try {
      return await rl.question(`\n${question}`, signal ? { signal } : {});
    } catch (e) {
      if (signal?.aborted) throw signal.reason instanceof Error ? signal.reason : new InterruptedError();
      throw e;
    } finally {
      rl.close();
      view.resume?.();
    }
  };
}
