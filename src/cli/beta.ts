import { InvalidArgumentError, Option, type Command } from 'commander';
import { betaEnd, betaStart } from '../tasks/beta.js';
import { whoami } from '../tasks/lock.js';
import { parseNames, parseOutputFile, parseSeconds, splitList, withConfig, withOutput } from './common.js';
import { runSession, type Done, type RunFlags } from './session.js';

type BetaAction = 'start' | 'end';

interface BetaFlags extends RunFlags {
  message?: string;
  lockWait?: number;
}

function parseAction(value: string): BetaAction {
  if (value === 'start' || value === 'end') return value;
  if (value === 'promote') throw new InvalidArgumentError('`promote` is not available yet: end the beta, then deploy the stage');
  throw new InvalidArgumentError('expected `end` (or nothing, to start a beta)');
}

export function registerBeta(program: Command, done: Done): void {
  const cmd = program
    .command('beta')
    .argument('<stage>', 'the stage')
    .argument('[action]', '`end`: the beta hosts go back to the live release and the live pool (default: start a beta)', parseAction)
    .description('selective beta: a new release on the beta hosts only, which get only the requests carrying the beta cookie or header')
    .option('-m, --message <text>', 'why: kept in the lock, revisions.log, the JSON events and summary', '')
    .addOption(new Option('--lock-wait <seconds>', 'wait this long for a held lock instead of failing').argParser(parseSeconds).default(0))
    .addOption(new Option('-H, --hosts <hosts>', 'the beta hosts (comma-separated names) instead of deploy.yml’s `beta`').argParser(parseNames('host names')))
    .addOption(new Option('--report <file.html>', 'write an HTML report of the run (timeline, failures, commands)').argParser(parseOutputFile));
  withConfig(withOutput(cmd)).action(async (stage: string, action: BetaAction | undefined, flags: BetaFlags) => {
    // --hosts names the beta hosts; the run itself locks and reads every host of the stage.
    const { hosts, ...rest } = flags;
    const params = { owner: whoami(), message: flags.message ?? '', lockWaitSeconds: flags.lockWait ?? 0, ...(hosts ? { hosts: splitList(hosts) } : {}) };
    const end = action === 'end';
    done(
      await runSession(stage, rest, end ? 'beta end' : 'beta', ({ ctx, run }) => (end ? betaEnd(ctx, { ...params, run }) : betaStart(ctx, { ...params, run })), {
        summary: (s) => s,
      }),
    );
  });
}
