import { jsonSchema } from '../config/schema.js';
import { out } from './common.js';
export function registerSchema(program) {
    program
        .command('schema')
        .description('print the JSON Schema of deploy.yml (for editor completion via yaml-language-server)')
        .action(() => {
        out(JSON.stringify(jsonSchema(), null, 2));
    });
}
//# sourceMappingURL=schema.js.map