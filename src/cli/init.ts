import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import type { Command } from 'commander';
import { describeRepo } from '../backends/git.js';
import { appName, initTemplate } from '../config/template.js';
import { ConfigError } from '../errors.js';
import { out, withConfig, type ConfigFlags } from './common.js';

function packageName(dir: string): string | undefined {
  try {
    return (JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name?: string }).name;
  } catch {
    return undefined;
  }
}

export function registerInit(program: Command): void {
  withConfig(
    program
      .command('init')
      .description('write a commented deploy.yml for the project in the current directory')
      .option('-f, --force', 'overwrite an existing file'),
  ).action(async (flags: ConfigFlags & { force?: boolean }) => {
    const file = resolve(flags.config);
    if (existsSync(file) && !flags.force) {
      throw ConfigError.single(file, 'already exists; nothing was written', 'pass --force to overwrite it');
    }
    const dir = process.cwd();
    const pkg = packageName(dir);
    const repo = await describeRepo(dir);
    writeFileSync(
      file,
      initTemplate({ app: appName(pkg ?? basename(dir)), repository: repo.origin, branch: repo.branch, kind: pkg !== undefined ? 'node' : 'generic' }),
    );
    out(`wrote ${file}: fill in your hosts, then \`deploy plan staging\``);
  });
}
