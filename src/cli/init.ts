import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { Option, type Command } from 'commander';
import { describeRepo } from '../backends/git.js';
import { parseDotEnv } from '../config/dotenv.js';
import { detectNodeProject } from '../config/detect.js';
import { appName, DJANGO_SECRET_VAR, initTemplate, settingsModuleOf, type ProjectFacts } from '../config/template.js';
import { ConfigError } from '../errors.js';
import { out, withConfig, type ConfigFlags } from './common.js';

function readText(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}

function packageName(dir: string): string | undefined {
  const text = readText(join(dir, 'package.json'));
  if (text === undefined) return undefined;
  try {
    return (JSON.parse(text) as { name?: string }).name;
  } catch {
    return undefined;
  }
}

type RecipeChoice = 'node' | 'django' | 'none';

function detectRecipe(dir: string): ProjectFacts['recipe'] {
  if (existsSync(join(dir, 'manage.py'))) return 'django';
  if (existsSync(join(dir, 'package.json'))) return 'node';
  return undefined;
}

/** The lockfile when it is not package-lock.json, and the workspace and migration commands. */
function nodeFacts(dir: string): Pick<ProjectFacts, 'lockfile' | 'node'> {
  const n = detectNodeProject(dir);
  if (!n) return {};
  const lockfile = n.lockfile === 'yarn.lock' || n.lockfile === 'pnpm-lock.yaml' ? n.lockfile : undefined;
  return { ...(lockfile ? { lockfile } : {}), node: n };
}

/** A Django SECRET_KEY in the .env next to deploy.yml, unless the environment or that file has one. */
function ensureSecretKey(configDir: string): string | undefined {
  if (process.env[DJANGO_SECRET_VAR]) return undefined;
  const file = join(configDir, '.env');
  const text = readText(file) ?? '';
  if (parseDotEnv(text).vars[DJANGO_SECRET_VAR] !== undefined) return undefined;
  const key = randomBytes(48).toString('base64url');
  writeFileSync(file, `${text}${text && !text.endsWith('\n') ? '\n' : ''}${DJANGO_SECRET_VAR}=${key}\n`, { mode: 0o600 });
  return file;
}

export function registerInit(program: Command): void {
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
  ).action(async (flags: ConfigFlags & { force?: boolean; recipe?: RecipeChoice }) => {
    const file = resolve(flags.config);
    if (existsSync(file) && !flags.force) {
      throw ConfigError.single(file, 'already exists; nothing was written', 'pass --force to overwrite it');
    }
    const dir = process.cwd();
    const pkg = packageName(dir);
    const repo = await describeRepo(dir);
    const recipe = flags.recipe === 'none' ? undefined : (flags.recipe ?? detectRecipe(dir));
    const facts: ProjectFacts = {
      app: appName(pkg ?? basename(dir)),
      repository: repo.origin,
      branch: repo.branch,
      kind: pkg !== undefined ? 'node' : 'generic',
      ...(recipe ? { recipe } : {}),
      ...(recipe === 'node' ? nodeFacts(dir) : {}),
      ...(recipe === 'django' ? { settingsModule: settingsModuleOf(readText(join(dir, 'manage.py')) ?? '') } : {}),
    };
    writeFileSync(file, initTemplate(facts));
    out(`wrote ${file}${recipe ? ` (recipe ${recipe})` : ''}: fill in your hosts, then \`deploy plan staging\``);
    if (recipe === 'django') {
      const env = ensureSecretKey(dirname(file));
      if (env) out(`wrote a new ${DJANGO_SECRET_VAR} to ${env}: keep it out of git (production can take it from the environment)`);
    }
  });
}
