import type { Command } from 'commander';
import { LOGS_DIR } from '../output/logfile.js';
import { lazy, withConfig, type ConfigFlags, type Done } from './common.js';

export interface LogsFlags extends ConfigFlags {
  host?: string;
  run?: string;
  list?: boolean;
  json?: boolean;
}

export function registerLogs(program: Command, done: Done): void {
  withConfig(
    program
      .command('logs')
      .argument('<stage>', 'the stage whose run logs to show')
      .description(`show the logs of the last deploy or rollback of the stage (kept in ${LOGS_DIR}/<stage>/<run>/ next to deploy.yml)`)
      .option('-H, --host <host>', "only this host's log: every command, its output and exit")
      .option('--run <id>', 'an earlier run instead of the last (see --list)')
      .option('--list', 'list the runs kept for the stage')
      .option('--json', 'the events of the run as NDJSON (with --host: only that host’s)'),
  ).action(lazy(done, async () => (await import('./actions/logs.js')).showLogs));
}
