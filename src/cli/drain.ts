import { Option, type Command } from 'commander';
import { lazy, parseSeconds, stageVerb, type Done, type RunFlags } from './common.js';

export interface DrainFlags extends RunFlags {
  message?: string;
  lockWait?: number;
}

export function registerDrain(program: Command, done: Done): void {
  const verbs = [
    ['drain', 'take hosts out of every balancer’s rotation and wait for their requests to end (never the last serving host)'],
    ['undrain', 'put drained hosts back into rotation once they pass the health check'],
  ] as const;
  for (const [verb, description] of verbs) {
    stageVerb(
      program
        .command(verb)
        .argument('<stage>', 'the stage')
        .description(`${description}; name them with --hosts (or --roles)`)
        .option('-m, --message <text>', 'why: kept in the lock while it runs', '')
        .addOption(new Option('--lock-wait <seconds>', 'wait this long for a held lock').argParser(parseSeconds).default(0)),
    ).action(lazy(done, async () => (await import('./actions/drain.js'))[verb]));
  }
}
