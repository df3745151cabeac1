import type { Command } from 'commander';
import { stringify } from 'yaml';
import { printableConfig } from '../config/load.js';
import { loadStage, out, withConfig, type ConfigFlags } from './common.js';

export function registerConfig(program: Command): void {
  withConfig(
    program
      .command('config')
      .argument('<stage>', 'the stage to resolve')
      .description('print the fully resolved config of a stage (defaults, overrides, ${VAR}s), secrets as ***')
      .option('--json', 'print JSON instead of YAML'),
  ).action((stage: string, flags: ConfigFlags & { json?: boolean }) => {
    const printable = printableConfig(loadStage(flags, stage));
    out(flags.json ? JSON.stringify(printable, null, 2) : stringify(printable));
  });
}
