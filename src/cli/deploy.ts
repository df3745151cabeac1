import { Option, type Command } from 'commander';
import type { CanaryFlag } from '../tasks/canary.js';
import {
  lazy,
  parseCanary,
  parseCount,
  parseOutputFile,
  parseSeconds,
  withConfig,
  withOutput,
  withSelection,
  type Done,
  type RunFlags,
} from './common.js';

export interface DeployFlags extends RunFlags {
  dryRun?: boolean;
  canary?: CanaryFlag;
  message?: string;
  lockWait?: number;
}

export function registerDeploy(program: Command, done: Done): void {
  const cmd = program
    .command('deploy', { hidden: true })
    .argument('<stage>', 'the stage to deploy')
    .description('deploy the stage (the same as `deploy <stage>`)')
    .option('-n, --dry-run', 'run the read-only probes for real and print the writes, per host')
    .option(
      '-m, --message <text>',
      'why: kept in the lock, revisions.log, the JSON events and summary, the report and `deploy releases`',
      '',
    )
    .addOption(new Option('--lock-wait <seconds>', 'wait this long for a held lock instead of failing').argParser(parseSeconds).default(0))
    .addOption(new Option('-p, --parallel <n>', 'hosts worked on at once (default: ssh.parallel)').argParser(parseCount))
    .addOption(
      new Option('--report <file.html>', 'write an HTML report of the run (timeline, failures, commands)').argParser(parseOutputFile),
    )
    .addOption(
      new Option(
        '--canary [seconds|share]',
        'switch one app host first, then wait: for Enter in a terminal, else watch it for <seconds> (default 60) and go on while healthy; ' +
          'with a share such as 10%, give it that share of the requests through the balancer and judge it by their error rate and response time (docs/traffic.md)',
      ).argParser(parseCanary),
    );
  withConfig(withOutput(withSelection(cmd))).action(lazy(done, async () => (await import('./actions/deploy.js')).runDeploy));
}
