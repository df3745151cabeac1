import { Option, type Command } from 'commander';
import { lazy, withConfig, type ConfigFlags, type Done } from './common.js';

export type RecipeChoice = 'node' | 'django' | 'none';
export type InitFlags = ConfigFlags & { force?: boolean; recipe?: RecipeChoice };

export function registerInit(program: Command, done: Done): void {
  withConfig(
    program
      .command('init')
      .description('write a commented deploy.yml for the project in the current directory')
      .option('-f, --force', 'overwrite an existing file')
      .addOption(
        new Option('--recipe <name>', 'build on a recipe (default: django when manage.py is here, node when package.json is)').choices([
          'node',
          'django',
          'none',
        ]),
      ),
  ).action(lazy(done, async () => (await import('./actions/init.js')).init));
}
