import { Option, type Command } from 'commander';
import { DeployError, ExitCode } from '../errors.js';
import { drain, undrain } from '../tasks/drain.js';
import { whoami } from '../tasks/lock.js';
import { parseSeconds } from './common.js';
import { runSession, stageVerb, type Done, type RunFlags } from './session.js';

interface DrainFlags extends RunFlags {
  lockWait?: number;
}

export function registerDrain(program: Command, done: Done): void {
  const verbs = [
    ['drain', drain, 'take hosts out of every balancer’s rotation and wait for their requests to end (never the last serving host)'],
    ['undrain', undrain, 'put drained hosts back into rotation once they pass the health check'],
  ] as const;
  for (const [verb, task, description] of verbs) {
    stageVerb(
      program
        .command(verb)
        .argument('<stage>', 'the stage')
        .description(`${description}; name them with --hosts (or --roles)`)
        .option('-m, --message <text>', 'why: kept in the lock while it runs', '')
        .addOption(new Option('--lock-wait <seconds>', 'wait this long for a held lock').argParser(parseSeconds).default(0)),
    ).action(async (stage: string, flags: DrainFlags) =>
      done(
        await runSession(stage, flags, verb, async ({ ctx, run }) => {
          if (!flags.hosts && !flags.roles) throw new DeployError(`deploy ${verb} needs the hosts: --hosts web3 (or --roles)`, ExitCode.config);
          await task(ctx, { run, owner: whoami(), message: flags.message ?? '', lockWaitSeconds: flags.lockWait ?? 0 });
        }),
      ),
    );
  }
}
