import { Option, type Command } from 'commander';
import { lazy, parseOutputFile, parseReleaseId, parseSeconds, stageVerb, type Done, type RunFlags } from './common.js';

export interface RollbackFlags extends RunFlags {
  to?: string;
  message?: string;
  lockWait?: number;
}

export function registerRollback(program: Command, done: Done): void {
  stageVerb(
    program
      .command('rollback')
      .argument('<stage>', 'the stage to roll back')
      .description('switch every host back to the release before current (by the revision log) and mark the current one bad')
      .addOption(new Option('--to <release>', 'go to this release instead').argParser(parseReleaseId))
      .option('-m, --message <text>', 'why: kept in the lock, revisions.log and `deploy releases`', '')
      .addOption(new Option('--lock-wait <seconds>', 'wait this long for a held lock').argParser(parseSeconds).default(0))
      .addOption(
        new Option('--report <file.html>', 'write an HTML report of the run (timeline, failures, commands)').argParser(parseOutputFile),
      ),
  ).action(lazy(done, async () => (await import('./actions/rollback.js')).rollback));
}
