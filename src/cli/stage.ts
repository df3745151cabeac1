import { resolve } from 'node:path';
import { configCache, loadConfigCached } from '../config/cache.js';
import type { Config } from '../config/types.js';
import type { ConfigFlags } from './common.js';

/** The stage's Config; from the per-user cache when deploy.yml and what it reads did not change (config/cache.ts). */
export function loadStage(flags: ConfigFlags, stage: string): Promise<Config> {
  return loadConfigCached({ file: resolve(flags.config), stage, env: process.env, cwd: process.cwd() }, configCache(process.env));
}
