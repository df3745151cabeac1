export { jsonSchema } from './schema.js';
export { DEFAULT_CONFIG_FILE, listStages, loadAllStages, loadConfig, loadRaw, RESERVED_STAGE_NAMES, } from './load.js';
export { printableConfig } from './printable.js';
export { HOOK_POINTS } from './types.js';
//# sourceMappingURL=index.js.map