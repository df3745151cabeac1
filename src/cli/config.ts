import type { Command } from 'commander';
import { stringify } from 'yaml';
import { printableConfig } from '../config/load.js';
import { taskRegistry } from '../tasks/tasks.js';
import { loadStage, out, withConfig, type ConfigFlags } from './common.js';

export function registerConfig(program: Command): void {
  withConfig(
    program
      .command('config')
      .argument('<stage>', 'the stage to resolve')
      .description('print the fully resolved config of a stage (defaults, overrides, ${VAR}s), secrets as ***')
      .option('--json', 'print JSON instead of YAML'),
  ).action(async (stage: string, flags: ConfigFlags & { json?: boolean }) => {
    const config = loadStage(flags, stage);
    // Task modules are part of the config: importing them reports their mistakes and checks the hooks naming them.
    await taskRegistry(config);
    const printable = printableConfig(config);
    out(flags.json ? JSON.stringify(printable, null, 2) : stringify(printable));
  });
}
