import type { Command } from 'commander';
import { lazy, withConfig, type Done } from './common.js';

export function registerSsh(program: Command, done: Done): void {
  withConfig(
    program
      .command('ssh')
      .argument('<stage>', 'the stage')
      .argument('<host>', 'a host name of the stage')
      .description('open an interactive shell on a host through the system ssh, with the same settings as a deploy'),
  ).action(lazy(done, async () => (await import('./actions/ssh.js')).ssh));
}
