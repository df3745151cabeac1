import { printableConfig } from '../../config/load.js';
import { configYaml } from '../../output/config-yaml.js';
import { taskRegistry } from '../../tasks/tasks.js';
import { out } from '../common.js';
import type { ConfigVerbFlags } from '../config.js';
import { loadStage } from '../stage.js';

export async function config(stage: string, flags: ConfigVerbFlags): Promise<void> {
  const loaded = await loadStage(flags, stage);
  // Task modules are part of the config: importing them reports their mistakes and checks the hooks naming them.
  await taskRegistry(loaded);
  const printable = printableConfig(loaded);
  out(flags.json ? JSON.stringify(printable, null, 2) : configYaml(printable));
}
