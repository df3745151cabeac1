import { createInterface } from 'node:readline/promises';
import type { Command } from 'commander';
import type { HostDef } from '../config/types.js';
import type { RunContext } from '../tasks/context.js';
import { waitHealthy } from '../tasks/health.js';
import type { RunSummary } from '../output/events.js';
import { PlanCollector } from '../output/plan.js';
import { deploy } from '../tasks/deploy.js';
import { whoami } from '../tasks/lock.js';
import { withConfig } from './common.js';
import { defaultSink, openSession, type RunFlags } from './context.js';
import { reportError } from './report.js';

export interface DeployFlags extends RunFlags {
  dryRun?: boolean;
  canary?: boolean | string;
  message?: string;
  lockWait?: string;
}

export function withSelection(cmd: Command): Command {
  return cmd
    .option('-r, --roles <roles>', 'only hosts with these roles (comma-separated)')
    .option('-H, --hosts <hosts>', 'only these hosts (comma-separated names)');
}

export function withOutput(cmd: Command): Command {
  return cmd.option('--json', 'NDJSON events on stdout, ending with a summary').option('-v, --verbose', 'show every command and its output');
}

export function registerDeploy(program: Command): void {
  const cmd = program
    .command('deploy', { hidden: true })
    .argument('<stage>', 'the stage to deploy')
    .description('deploy the stage (the same as `deploy <stage>`)')
    .option('-n, --dry-run', 'run the read-only probes for real and print the writes, per host')
    .option('-m, --message <text>', 'why: kept in the lock and the revision log', '')
    .option('--lock-wait <seconds>', 'wait this long for a held lock instead of failing', '0')
    .option('-p, --parallel <n>', 'hosts worked on at once (default: ssh.parallel)')
    .option('--report <file.html>', 'write an HTML report of the run (timeline, failures, commands)')
    .option('--canary [seconds]', 'switch one app host first, then wait: for Enter in a terminal, else watch it for <seconds> (default 60) and go on while healthy');
  withConfig(withOutput(withSelection(cmd))).action(async (stage: string, flags: DeployFlags) => {
    process.exitCode = await runDeploy(stage, flags);
  });
}

export async function runDeploy(stage: string, flags: DeployFlags): Promise<number> {
  const lockWait = Number(flags.lockWait ?? 0);
  const plan = flags.dryRun ? new PlanCollector() : undefined;
  // A dry run prints its plan at the end, so its progress stays in plain lines.
  const base = defaultSink(flags, { live: !flags.dryRun });
  const session = openSession(stage, flags, 'deploy', {
    mode: flags.dryRun ? 'dry-run' : 'real',
    sink: plan ? (e) => (plan.sink(e), e.type === 'run:end' || e.type === 'warning' ? base(e) : undefined) : base,
  });
  let error: unknown;
  let summary: RunSummary | undefined;
  try {
    const canary = flags.canary === undefined ? undefined : canaryGate(session.ctx, flags.canary === true ? 60 : Number(flags.canary));
    summary = await deploy(session.ctx, { run: session.run, owner: whoami(), message: flags.message ?? '', lockWaitSeconds: Number.isFinite(lockWait) ? lockWait : 0, canary });
  } catch (e) {
    error = e;
  }
  if (plan) process.stdout.write(`${plan.render(`Dry run of deploy ${stage}${summary?.release ? ` (release ${summary.release})` : ''}: probes ran for real; these writes did not.`, session.ctx.config.hosts)}\n`);
  const code = await session.finish(error, summary);
  if (error !== undefined) reportError(error);
  return code;
}

/**
 * In a terminal the person at it decides; elsewhere (CI) the canary is watched for `seconds` and must still be
 * healthy at the end.
 */
export function canaryGate(ctx: RunContext, seconds: number, interactive = process.stdin.isTTY && !process.env.CI): (host: HostDef) => Promise<boolean> {
  return async (host) => {
    if (interactive) {
      const rl = createInterface({ input: process.stdin, output: process.stderr });
      const answer = await rl.question(`\nThe canary ${host.name} serves the new release. Enter to roll out to the rest, "abort" to switch it back: `);
      rl.close();
      return answer.trim().toLowerCase() !== 'abort';
    }
    const wait = Number.isFinite(seconds) && seconds >= 0 ? seconds : 60;
    ctx.emit({ type: 'info', host: host.name, message: `canary: watching ${host.name} for ${wait}s before the rest` });
    await new Promise((r) => setTimeout(r, wait * 1000));
    try {
      await waitHealthy(ctx, host);
      return true;
    } catch (e) {
      ctx.emit({ type: 'warning', host: host.name, message: `canary unhealthy: ${e instanceof Error ? e.message : String(e)}` });
      return false;
    }
  };
}
