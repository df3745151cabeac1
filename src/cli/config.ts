import type { Command } from 'commander';
import { lazy, withConfig, type ConfigFlags, type Done } from './common.js';

export type ConfigVerbFlags = ConfigFlags & { json?: boolean };

export function registerConfig(program: Command, done: Done): void {
  withConfig(
    program
      .command('config')
      .argument('<stage>', 'the stage to resolve')
      .description('print the fully resolved config of a stage (defaults, overrides, ${VAR}s), secrets as ***')
      .option('--json', 'print JSON instead of YAML'),
  ).action(lazy(done, async () => (await import('./actions/config.js')).config));
}
