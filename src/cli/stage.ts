import { resolve } from 'node:path';
import { loadConfig } from '../config/load.js';
import type { Config } from '../config/types.js';
import type { ConfigFlags } from './common.js';

export function loadStage(flags: ConfigFlags, stage: string): Config {
  return loadConfig({ file: resolve(flags.config), stage, env: process.env, cwd: process.cwd() });
}
