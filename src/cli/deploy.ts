import { createInterface } from 'node:readline/promises';
import { Option, type Command } from 'commander';
import { InterruptedError } from '../errors.js';
import type { EventSink, RunSummary } from '../output/events.js';
import { canaryGate, DEFAULT_CANARY_SECONDS } from '../tasks/canary.js';
import { PlanCollector } from '../output/plan.js';
import { isCI } from '../output/select.js';
import { deploy } from '../tasks/deploy.js';
import { whoami } from '../tasks/lock.js';
import { secretValues } from '../config/printable.js';
import { parseCount, parseNames, parseOutputFile, parseSeconds, withConfig } from './common.js';
import { defaultSink, openSession, type RunFlags } from './context.js';
import { reportError } from './report.js';

export interface DeployFlags extends RunFlags {
  dryRun?: boolean;
  canary?: boolean | number;
  message?: string;
  lockWait?: number;
}

export function withSelection(cmd: Command): Command {
  return cmd
    .addOption(new Option('-r, --roles <roles>', 'only hosts with these roles (comma-separated)').argParser(parseNames('role names')))
    .addOption(new Option('-H, --hosts <hosts>', 'only these hosts (comma-separated names)').argParser(parseNames('host names')));
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
    .option('-m, --message <text>', 'why: kept in the lock, revisions.log, the JSON events and summary, the report and `deploy releases`', '')
    .addOption(new Option('--lock-wait <seconds>', 'wait this long for a held lock instead of failing').argParser(parseSeconds).default(0))
    .addOption(new Option('-p, --parallel <n>', 'hosts worked on at once (default: ssh.parallel)').argParser(parseCount))
    .addOption(new Option('--report <file.html>', 'write an HTML report of the run (timeline, failures, commands)').argParser(parseOutputFile))
    .addOption(
      new Option('--canary [seconds]', 'switch one app host first, then wait: for Enter in a terminal, else watch it for <seconds> (default 60) and go on while healthy').argParser(parseSeconds),
    );
  withConfig(withOutput(withSelection(cmd))).action(async (stage: string, flags: DeployFlags) => {
    process.exitCode = await runDeploy(stage, flags);
  });
}

export async function runDeploy(stage: string, flags: DeployFlags): Promise<number> {
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
    const interactive = process.stdin.isTTY && !isCI(process.env);
    const seconds = typeof flags.canary === 'number' ? flags.canary : DEFAULT_CANARY_SECONDS;
    const canary = flags.canary === undefined ? undefined : canaryGate(session.ctx, interactive ? { ask: terminalQuestion(base) } : { seconds });
    summary = await deploy(session.ctx, { run: session.run, owner: whoami(), message: flags.message ?? '', lockWaitSeconds: flags.lockWait ?? 0, canary });
  } catch (e) {
    error = e;
  }
  if (plan) process.stdout.write(`${plan.render(`Dry run of deploy ${stage}${summary?.release ? ` (release ${summary.release})` : ''}: probes ran for real; these writes did not.`, session.ctx.config.hosts)}\n`);
  const code = await session.finish(error, summary);
  if (error !== undefined) reportError(error, { secrets: secretValues(session.ctx.config) });
  return code;
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
