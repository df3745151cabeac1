import { InvalidArgumentError, Option, type Command } from 'commander';
import { lazy, parseNames, parseOutputFile, parseSeconds, withConfig, withOutput, type Done, type RunFlags } from './common.js';

export type BetaAction = 'start' | 'end' | 'promote';

export interface BetaFlags extends RunFlags {
  message?: string;
  lockWait?: number;
}

function parseAction(value: string): BetaAction {
  if (value === 'start' || value === 'end' || value === 'promote') return value;
  throw new InvalidArgumentError('expected `end` or `promote` (or nothing, to start a beta)');
}

export function registerBeta(program: Command, done: Done): void {
  const cmd = program
    .command('beta')
    .argument('<stage>', 'the stage')
    .argument(
      '[action]',
      '`end`: the beta hosts go back to the live release and the live pool; `promote`: the beta release (same id, no new build) goes to every host, then the beta ends (default: start a beta)',
      parseAction,
    )
    .description('selective beta: a new release on the beta hosts only, which get only the requests carrying the beta cookie or header')
    .option('-m, --message <text>', 'why: kept in the lock, revisions.log, the JSON events and summary', '')
    .addOption(new Option('--lock-wait <seconds>', 'wait this long for a held lock instead of failing').argParser(parseSeconds).default(0))
    .addOption(
      new Option(
        '-H, --hosts <hosts>',
        'the beta hosts (comma-separated names) instead of deploy.yml’s `beta`; only to start a beta',
      ).argParser(parseNames('host names')),
    )
    .addOption(
      new Option('--report <file.html>', 'write an HTML report of the run (timeline, failures, commands)').argParser(parseOutputFile),
    );
  withConfig(withOutput(cmd)).action(lazy(done, async () => (await import('./actions/beta.js')).beta));
}
