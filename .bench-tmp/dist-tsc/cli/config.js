import { stringify } from 'yaml';
import { printableConfig } from '../config/load.js';
import { taskRegistry } from '../tasks/tasks.js';
import { loadStage, out, withConfig } from './common.js';
export function registerConfig(program) {
    withConfig(program
        .command('config')
        .argument('<stage>', 'the stage to resolve')
        .description('print the fully resolved config of a stage (defaults, overrides, ${VAR}s), secrets as ***')
        .option('--json', 'print JSON instead of YAML')).action(async (stage, flags) => {
        const config = loadStage(flags, stage);
        // Task modules are part of the config: importing them reports their mistakes and checks the hooks naming them.
        await taskRegistry(config);
        const printable = printableConfig(config);
        out(flags.json ? JSON.stringify(printable, null, 2) : stringify(printable));
    });
}
//# sourceMappingURL=config.js.map