import type { Command } from 'commander';
import { releaseId } from '../commands/release.js';
import { PlanCollector } from '../output/plan.js';
import { deploy } from '../tasks/deploy.js';
import { whoami } from '../tasks/lock.js';
import { withConfig } from './common.js';
import { defaultSink, openSession, type RunFlags } from './context.js';
import { reportError } from './report.js';

export interface DeployFlags extends RunFlags {
  dryRun?: boolean;
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
    .option('-p, --parallel <n>', 'hosts worked on at once (default: ssh.parallel)');
  withConfig(withOutput(withSelection(cmd))).action(async (stage: string, flags: DeployFlags) => {
    process.exitCode = await runDeploy(stage, flags);
  });
}

export async function runDeploy(stage: string, flags: DeployFlags): Promise<number> {
  const release = releaseId(new Date());
  const lockWait = Number(flags.lockWait ?? 0);
  const plan = flags.dryRun ? new PlanCollector() : undefined;
  const base = defaultSink(flags);
  const session = openSession(stage, flags, 'deploy', {
    mode: flags.dryRun ? 'dry-run' : 'real',
    release,
    sink: plan ? (e) => (plan.sink(e), e.type === 'run:end' || e.type === 'warning' ? base(e) : undefined) : base,
  });
  let error: unknown;
  try {
    await deploy(session.ctx, { release, owner: whoami(), message: flags.message ?? '', lockWaitSeconds: Number.isFinite(lockWait) ? lockWait : 0 });
  } catch (e) {
    error = e;
  }
  if (plan) process.stdout.write(`${plan.render(`Dry run of deploy ${stage} (release ${release}): probes ran for real; these writes did not.`, session.ctx.config.hosts)}\n`);
  const code = await session.finish(error);
  if (error !== undefined) reportError(error);
  return code;
}
