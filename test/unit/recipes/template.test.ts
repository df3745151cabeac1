import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config/load.js';
import { initTemplate, settingsModuleOf, type ProjectFacts } from '../../../src/config/template.js';

/** The template, with its example hosts, loaded by the real loader. */
function load(facts: ProjectFacts, env: Record<string, string> = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'deploy-template-'));
  writeFileSync(join(dir, 'deploy.yml'), initTemplate(facts));
  return ['staging', 'production'].map((stage) => loadConfig({ file: 'deploy.yml', stage, cwd: dir, env }));
}

describe('deploy init templates', () => {
  it('finds the settings module in manage.py', () => {
    expect(settingsModuleOf(`    os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'mysite.settings')\n`)).toBe('mysite.settings');
    expect(settingsModuleOf(`os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.production")`)).toBe(
      'config.settings.production',
    );
    expect(settingsModuleOf('print("hello")')).toBeUndefined();
  });

  it('--recipe django: loads with only the secret key in the environment (or .env)', () => {
    const [staging, production] = load(
      { app: 'mysite', kind: 'generic', recipe: 'django', settingsModule: 'mysite.settings' },
      { DJANGO_SECRET_KEY: 'k' },
    );
    expect(staging!.recipe).toBe('django');
    expect(staging!.env).toMatchObject({ DJANGO_SETTINGS_MODULE: 'mysite.settings', ALLOWED_HOSTS: 'mysite.example.com', PORT: '8000' });
    expect(staging!.env.SECRET_KEY?.toString()).toBe('***');
    expect(staging!.health).toMatchObject({ path: '/', port: 8000 });
    expect(production!.migrate?.role).toBe('db');
  });

  it('--recipe django: the names settings.py reads, and its warnings, in deploy.yml', () => {
    const django = {
      file: 'hello/settings.py',
      secretKey: 'DJANGO_SECRET_KEY',
      debug: 'DJANGO_DEBUG',
      debugOff: 'False',
      allowedHosts: 'DJANGO_ALLOWED_HOSTS',
      databaseUrl: 'PRIMARY_DB',
      staticUrl: 'DJANGO_STATIC_HOST',
      others: ['EMAIL_HOST'],
      warnings: ['DEBUG is on unless DJANGO_DEBUG says otherwise'],
    };
    const facts: ProjectFacts = { app: 'hello', kind: 'generic', recipe: 'django', settingsModule: 'hello.settings', django };
    const text = initTemplate(facts);
    expect(text).toContain('  # WARNING: DEBUG is on unless DJANGO_DEBUG says otherwise.');
    expect(text).toContain('  # EMAIL_HOST: ...   # settings.py reads it too');
    const [staging] = load(facts, { DJANGO_SECRET_KEY: 'k' });
    expect(staging!.env).toMatchObject({
      DJANGO_DEBUG: 'False',
      DJANGO_ALLOWED_HOSTS: 'hello.example.com',
      ALLOWED_HOSTS_VAR: 'DJANGO_ALLOWED_HOSTS',
      DATABASE_URL_VAR: 'PRIMARY_DB',
      DJANGO_STATIC_HOST: 'http://media.example.com',
    });
    expect(staging!.env.DJANGO_SECRET_KEY?.toString()).toBe('***');
    expect(staging!.env.PRIMARY_DB?.toString()).toBe('***');
    for (const assumed of ['SECRET_KEY', 'ALLOWED_HOSTS', 'DATABASE_URL']) expect(staging!.env, assumed).not.toHaveProperty(assumed);
  });

  it('--recipe django without the secret key says which variable is missing', () => {
    expect(() => load({ app: 'mysite', kind: 'generic', recipe: 'django' })).toThrow(/DJANGO_SECRET_KEY/);
  });

  it('--recipe node: a workspace monorepo gets APP_BUILD, APP_START and APP_MIGRATE that fit it', () => {
    const node = {
      workspaces: [
        { dir: 'backend', name: 'backend' },
        { dir: 'frontend', name: 'frontend' },
      ],
      build: 'npm run build -w frontend',
      start: 'npm run start -w backend',
      migrate: 'npm exec -w backend --no -- sequelize-cli db:migrate',
      migrateTool: 'sequelize-cli',
    };
    const text = initTemplate({ app: 'shop', kind: 'node', recipe: 'node', node });
    expect(text).toContain('# Workspaces found: backend, frontend.');
    const [staging] = load({ app: 'shop', kind: 'node', recipe: 'node', node });
    expect(staging!.env).toMatchObject({ APP_BUILD: node.build, APP_START: node.start, APP_MIGRATE: node.migrate });
    // Nothing found: the recipe's defaults (package.json scripts) stay.
    const [plain] = load({ app: 'shop', kind: 'node', recipe: 'node' });
    expect(plain!.env).toMatchObject({ APP_BUILD: '', APP_START: 'npm start', APP_MIGRATE: '' });
  });

  it('--recipe node: the lockfile of yarn or pnpm projects', () => {
    const [staging] = load({ app: 'shop', kind: 'node', recipe: 'node', lockfile: 'yarn.lock' });
    expect(staging!.install).toMatchObject({ lockfile: 'yarn.lock', reuse: ['node_modules'], reconcile: true });
    expect(staging!.hooks.after.install).toEqual(['node:build', 'node:prune']);
    expect(load({ app: 'shop', kind: 'node', recipe: 'node' })[0]!.install?.lockfile).toBe('package-lock.json');
  });

  it('without a recipe: as before', () => {
    const [staging] = load({ app: 'shop', kind: 'node' });
    expect(staging!.recipe).toBeUndefined();
    expect(staging!.install?.command).toBe('npm ci --omit=dev');
  });
});
