import { resolve } from 'node:path';
import { Option, type Command } from 'commander';
import { loadConfig } from '../config/load.js';
import type { Config } from '../config/types.js';

export interface ConfigFlags {
  config: string;
}

export const configOption = () =>
  new Option('-c, --config <file>', 'the deploy.yml to use').default('deploy.yml');

export function withConfig(cmd: Command): Command {
  return cmd.addOption(configOption());
}

export function loadStage(flags: ConfigFlags, stage: string): Config {
  return loadConfig({ file: resolve(flags.config), stage, env: process.env, cwd: process.cwd() });
}

export function splitList(value: string | undefined): string[] | undefined {
  return value === undefined ? undefined : value.split(',').map((s) => s.trim()).filter(Boolean);
}

export const out = (text: string) => process.stdout.write(text.endsWith('\n') ? text : `${text}\n`);
