export { jsonSchema } from './schema.js';
export {
  DEFAULT_CONFIG_FILE,
  listStages,
  loadAllStages,
  loadConfig,
  loadRaw,
  RESERVED_STAGE_NAMES,
  type Env,
  type LoadOptions,
} from './load.js';
export { printableConfig } from './printable.js';
export type * from './types.js';
export { HOOK_POINTS } from './types.js';
