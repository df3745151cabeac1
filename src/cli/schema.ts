import type { Command } from 'commander';
import { jsonSchema } from '../config/schema.js';
import { out } from './common.js';

export function registerSchema(program: Command): void {
  program
    .command('schema')
    .description('print the JSON Schema of deploy.yml (for editor completion via yaml-language-server)')
    .action(() => {
      out(JSON.stringify(jsonSchema(), null, 2));
    });
}
