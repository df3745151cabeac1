import { Option, type Command } from 'commander';
import {
  lazy,
  parseCount,
  parseOutputFile,
  parseSeconds,
  withConfig,
  withOutput,
  withSelection,
  type Done,
  type RunFlags,
} from './common.js';

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
    .option(
      '-m, --message <text>',
      'why: kept in the lock, revisions.log, the JSON events and summary, the report and `deploy releases`',
      '',
    )
    .addOption(new Option('--lock-wait <seconds>', 'wait this long for a held lock instead of failing').argParser(parseSeconds).default(0))
    .addOption(new Option('-p, --parallel <n>', 'hosts worked on at once (default: ssh.parallel)').argParser(parseCount))
    .addOption(
      new Option('--report <file.html>', 'write an HTML report of the run (timeline, failures, commands)').argParser(parseOutputFile),
    );
  withConfig(withOutput(withSelection(cmd))).action(lazy(done, async () => (await import('./actions/promote.js')).runPromote));
}
