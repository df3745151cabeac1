import { Option, type Command } from 'commander';
import { PlanCollector } from '../output/plan.js';
import type { RunContext } from '../tasks/context.js';
import { whoami } from '../tasks/lock.js';
import { promote } from '../tasks/promote.js';
import { loadStage, parseCount, parseOutputFile, parseSeconds, withConfig, withOutput, withSelection } from './common.js';
import { defaultSink, runSession, sshTargets, type Done, type RunFlags } from './session.js';

export interface PromoteFlags extends RunFlags {
  dryRun?: boolean;
  message?: string;
  lockWait?: number;
}

export function registerPromote(program: Command, done: Done): void {
  const cmd = program
    .command('promote')
    .argument('<from>', 'the stage whose release is promoted (e.g. staging)')
    .argument('<to>', 'the stage that gets it (e.g. production)')
    .description('deploy to <to> exactly what <from> serves: the same git commit, or the same artifact byte for byte (never built again)')
    .option('-n, --dry-run', 'run the read-only probes for real and print the writes, per host')
    .option('-m, --message <text>', 'why: kept in the lock, revisions.log, the JSON events and summary, the report and `deploy releases`', '')
    .addOption(new Option('--lock-wait <seconds>', 'wait this long for a held lock instead of failing').argParser(parseSeconds).default(0))
    .addOption(new Option('-p, --parallel <n>', 'hosts worked on at once (default: ssh.parallel)').argParser(parseCount))
    .addOption(new Option('--report <file.html>', 'write an HTML report of the run (timeline, failures, commands)').argParser(parseOutputFile));
  withConfig(withOutput(withSelection(cmd))).action(async (from: string, to: string, flags: PromoteFlags) => done(await runPromote(from, to, flags)));
}

export function runPromote(from: string, to: string, flags: PromoteFlags): Promise<number> {
  const plan = flags.dryRun ? new PlanCollector() : undefined;
  const base = defaultSink(flags, { live: !flags.dryRun });
  return runSession(
    to,
    flags,
    'promote',
    ({ ctx, run }) => promote(ctx, fromStage(ctx, from, flags), { run, owner: whoami(), message: flags.message ?? '', lockWaitSeconds: flags.lockWait ?? 0 }),
    {
      mode: flags.dryRun ? 'dry-run' : 'real',
      sink: plan ? (e) => (plan.sink(e), e.type === 'run:end' || e.type === 'warning' ? base(e) : undefined) : base,
      summary: (s) => s,
      beforeEnd: (summary, { ctx }) => {
        if (plan) process.stdout.write(`${plan.render(`Dry run of promote ${from} → ${to}${summary?.release ? ` (release ${summary.release})` : ''}: probes ran for real; these writes did not.`, ctx.config.hosts)}\n`);
      },
    },
  );
}

/** The stage promoted from, every host of it, read over the same connections as the run. */
function fromStage(ctx: RunContext, stage: string, flags: PromoteFlags): RunContext {
  const config = loadStage(flags, stage);
  const { targets } = sshTargets(config);
  return { ...ctx, config, hosts: config.hosts, targets: new Map(targets.map((t) => [t.name, t])) };
}
