import type { Command } from 'commander';
import { lazy, type Done } from './common.js';

export function registerSchema(program: Command, done: Done): void {
  program
    .command('schema')
    .description('print the JSON Schema of deploy.yml (for editor completion via yaml-language-server)')
    .action(lazy(done, async () => (await import('./actions/schema.js')).schema));
}
