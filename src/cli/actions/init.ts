import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { describeRepo } from '../../backends/git.js';
import { parseDotEnv } from '../../config/dotenv.js';
import { detectNodeProject } from '../../config/detect.js';
import { readDjangoSettings, type DjangoSettings } from '../../config/django.js';
import { appName, DJANGO_SECRET_VAR, initTemplate, settingsModuleOf, type ProjectFacts } from '../../config/template.js';
import { ConfigError } from '../../errors.js';
import { out } from '../common.js';
import type { InitFlags } from '../init.js';

function readText(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}

/** settings.py of the settings module (`a.settings` → a/settings.py or a/settings/__init__.py), read for the names it uses. */
function djangoSettingsOf(dir: string, module: string | undefined): (DjangoSettings & { file: string }) | undefined {
  if (!module) return undefined;
  const base = join(...module.split('.'));
  for (const file of [`${base}.py`, join(base, '__init__.py')]) {
    const text = readText(join(dir, file));
    if (text !== undefined) return { ...readDjangoSettings(text), file };
  }
  return undefined;
}

/** Loud on purpose: what would go wrong in production is said when the file is written. */
const warn = (message: string) => process.stderr.write(`WARNING: ${message}\n`);

function packageName(dir: string): string | undefined {
  const text = readText(join(dir, 'package.json'));
  if (text === undefined) return undefined;
  try {
    return (JSON.parse(text) as { name?: string }).name;
  } catch {
    return undefined;
  }
}

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

export async function init(flags: InitFlags): Promise<void> {
  const file = resolve(flags.config);
  if (existsSync(file) && !flags.force) {
    throw ConfigError.single(file, 'already exists; nothing was written', 'pass --force to overwrite it');
  }
  const dir = process.cwd();
  const pkg = packageName(dir);
  const repo = await describeRepo(dir);
  const recipe = flags.recipe === 'none' ? undefined : (flags.recipe ?? detectRecipe(dir));
  const settingsModule = recipe === 'django' ? settingsModuleOf(readText(join(dir, 'manage.py')) ?? '') : undefined;
  const django = recipe === 'django' ? djangoSettingsOf(dir, settingsModule) : undefined;
  const facts: ProjectFacts = {
    app: appName(pkg ?? basename(dir)),
    repository: repo.origin,
    branch: repo.branch,
    kind: pkg !== undefined ? 'node' : 'generic',
    ...(recipe ? { recipe } : {}),
    ...(recipe === 'node' ? nodeFacts(dir) : {}),
    ...(settingsModule ? { settingsModule } : {}),
    ...(django ? { django } : {}),
  };
  writeFileSync(file, initTemplate(facts));
  out(`wrote ${file}${recipe ? ` (recipe ${recipe})` : ''}: fill in your hosts, then \`deploy plan staging\``);
  if (recipe === 'django') {
    if (!django)
      warn(
        `no settings file found for ${settingsModule ?? 'the project'}: deploy.yml assumes SECRET_KEY, DATABASE_URL and ALLOWED_HOSTS; check them against your settings`,
      );
    for (const w of django?.warnings ?? []) warn(`${django!.file}: ${w}`);
    const env = ensureSecretKey(dirname(file));
    if (env) out(`wrote a new ${DJANGO_SECRET_VAR} to ${env}: keep it out of git (production can take it from the environment)`);
  }
}
