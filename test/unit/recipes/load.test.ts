import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config/load.js';
import { availableRecipes, RECIPES_DIR, taskModules } from '../../../src/config/recipe.js';
import { ConfigError } from '../../../src/errors.js';

function project(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'deploy-recipe-'));
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, name)), { recursive: true });
    writeFileSync(join(dir, name), text);
  }
  return dir;
}

const hosts = `stages:
  staging:
    hosts:
      - { name: web1, address: 10.0.0.1, roles: [web, db] }
`;
const top = (recipe: string) => `app: shop\nrepository: /srv/git/shop.git\nrecipe: ${recipe}\n`;

const load = (dir: string, stage = 'staging', env: Record<string, string> = {}) => loadConfig({ file: 'deploy.yml', stage, cwd: dir, env });

function failure(run: () => unknown): string {
  try {
    run();
  } catch (e) {
    if (e instanceof ConfigError) return e.message;
    throw e;
  }
  throw new Error('expected a ConfigError');
}

describe('shipped recipes', () => {
  it('are node and django, found relative to the module', () => {
    expect(RECIPES_DIR.endsWith('/recipes/')).toBe(true);
    expect(availableRecipes()).toEqual(['django', 'node']);
  });

  it('recipe: node supplies install, migrate, restart, health, env, a build task hooked after install', () => {
    const c = load(project({ 'deploy.yml': top('node') + hosts }));
    expect(c.recipe).toBe('node');
    expect(c.recipeFile).toBe(join(RECIPES_DIR, 'node.yml'));
    expect(c.install).toMatchObject({ lockfile: 'package-lock.json', reuse: ['node_modules'] });
    expect(c.install?.command).toContain('npm ci');
    expect(c.migrate?.role).toBe('db');
    expect(c.restart?.command).toContain('setsid');
    expect(c.health).toMatchObject({ path: '/', port: 3000 });
    expect(c.env).toMatchObject({ NODE_ENV: 'production', PORT: '3000', APP_START: 'npm start' });
    expect(c.hooks.after.install).toEqual(['node:build', 'node:prune']);
    expect(c.hooks.before.migrate).toEqual(['db:create']);
    expect(c.tasks['node:build']).toMatchObject({ roles: ['web', 'media'], source: join(RECIPES_DIR, 'node.yml') });
  });

  it('recipe: django supplies a venv install, migrate on db, gunicorn restart, collectstatic and check after install', () => {
    const c = load(project({ 'deploy.yml': top('django') + hosts }));
    expect(c.install?.command).toContain('-m venv');
    expect(c.install?.lockfile).toBeUndefined();
    expect(c.migrate).toEqual({ command: '.venv/bin/python manage.py migrate --noinput', role: 'db' });
    expect(c.restart?.command).toContain('kill -USR2');
    expect(c.hooks.after).toEqual({ install: ['django:collectstatic', 'django:check'], cleanup: ['django:prune-venvs'] });
    expect(c.tasks['django:check']).toMatchObject({ once: true, allowFailure: true, roles: ['web'] });
    expect(c.tasks['django:collectstatic']?.roles).toEqual(['web', 'media']);
  });
});

describe('deploy.yml over its recipe', () => {
  it('wins key by key; ~ removes; hook lists add up; stage overrides apply last', () => {
    const dir = project({
      'deploy.yml': `${top('node')}
env: { PORT: 4000, EXTRA: yes }
install: { lockfile: yarn.lock }
migrate: ~
health: { path: /health }
tasks:
  notify: echo deployed
  node:build: { run: yarn build:prod }
hooks:
  after: { install: [notify], deploy: notify }
stages:
  staging:
    env: { APP_START: node server.js }
    health: { port: 4000 }
    hosts:
      - { name: web1, address: 10.0.0.1, roles: [web] }
`,
    });
    const c = load(dir);
    expect(c.env).toMatchObject({ NODE_ENV: 'production', PORT: '4000', EXTRA: 'yes', APP_START: 'node server.js' });
    expect(c.install).toMatchObject({ lockfile: 'yarn.lock', reuse: ['node_modules'] });
    expect(c.install?.command).toContain('yarn install --frozen-lockfile');
    expect(c.migrate).toBeUndefined();
    expect(c.health).toMatchObject({ path: '/health', port: 4000 });
    expect(c.hooks.after).toEqual({ install: ['node:build', 'node:prune', 'notify'], deploy: ['notify'] });
    // A recipe task merges key by key too; once deploy.yml touches it, it is deploy.yml's.
    expect(c.tasks['node:build']).toMatchObject({ run: 'yarn build:prod', roles: ['web', 'media'], once: false, cwd: 'release' });
    expect(c.tasks['node:build']?.source).toBeUndefined();
    expect(c.tasks['node:stop']?.source).toBe(join(RECIPES_DIR, 'node.yml'));
    expect(c.tasks.notify?.source).toBeUndefined();
  });

  it('a stage can drop the recipe (recipe: ~) or pick another', () => {
    const dir = project({
      'deploy.yml': `${top('node')}restart: bin/restart
stages:
  plain:
    recipe: ~
    hosts: [{ name: web1, address: 10.0.0.1, roles: [web] }]
  py:
    recipe: django
    hosts: [{ name: web1, address: 10.0.0.1, roles: [web, db] }]
`,
    });
    const plain = load(dir, 'plain');
    expect(plain.recipe).toBeUndefined();
    expect(plain.install).toBeUndefined();
    expect(plain.tasks).toEqual({});
    expect(load(dir, 'py').install?.command).toContain('-m venv');
  });

  it('an unknown recipe is an error at the `recipe` key, listing the recipes', () => {
    const msg = failure(() => load(project({ 'deploy.yml': top('djngo') + hosts })));
    expect(msg).toContain('deploy.yml:3:9: recipe: unknown recipe `djngo` (did you mean `django`?); recipes: django, node, or a path');
  });

  it('a recipe path is relative to deploy.yml; a missing one says which file', () => {
    const dir = project({
      'deploy.yml': top('./ops/recipe.yml') + hosts,
      'ops/recipe.yml':
        'restart: ./bin/restart\ntasks:\n  warm: { run: curl -s localhost, roles: [web] }\nhooks: { after: { restart: warm } }\n',
    });
    const c = load(dir);
    expect(c.restart?.command).toBe('./bin/restart');
    expect(c.recipeFile).toBe(join(dir, 'ops/recipe.yml'));
    expect(c.hooks.after.restart).toEqual(['warm']);
    expect(failure(() => load(project({ 'deploy.yml': top('./nope.yml') + hosts })))).toContain('recipe: recipe file');
  });

  it('a mistake in a recipe is reported in the recipe file, saying how to override it', () => {
    const dir = project({
      'deploy.yml': top('./r.yml') + hosts,
      'r.yml': 'env:\n  PORT: 3000\nhealth:\n  port: http\nstages: {}\ntasks:\n  t: { run: x, roles: [wbe] }\n',
    });
    const msg = failure(() => load(dir));
    expect(msg).toContain(
      'r.yml:4:9: health.port: expected an integer from 1 to 65535, found "http" (set by recipe r.yml; override it in deploy.yml)',
    );
    expect(msg).toContain('r.yml:5:1: stages: a recipe cannot set `stages`');
    expect(msg).toContain('r.yml:7:24: tasks.t.roles[0]: unknown role `wbe` (did you mean `web`?)');
  });

  it('the user’s mistakes keep their place in deploy.yml, hook items counted without the recipe’s', () => {
    const dir = project({
      'deploy.yml': `${top('node')}hooks:
  after:
    install: [nope]
${hosts}`,
    });
    expect(failure(() => load(dir))).toContain('deploy.yml:6:15: hooks.after.install[0]: unknown task `nope`; define it under `tasks`');
  });

  it('hooks may name the recipe’s tasks', () => {
    const c = load(project({ 'deploy.yml': `${top('django')}hooks: { before: { migrate: django:check } }\n${hosts}` }));
    expect(c.hooks.before.migrate).toEqual(['db:create', 'django:check']);
  });

  it('the recipe’s migrate role must exist in the stage: said in the recipe, with the way out', () => {
    const dir = project({ 'deploy.yml': `${top('node')}stages:\n  s:\n    hosts: [{ name: web1, address: 10.0.0.1, roles: [web] }]\n` });
    expect(failure(() => load(dir, 's'))).toMatch(
      /recipes\/node\.yml:\d+:\d+: migrate\.role: no host of this stage has role `db`.*\(set by recipe `node`; override it in deploy\.yml\)/,
    );
  });

  it('a recipe file is read as written: ${…} in it is for the remote shell', () => {
    const dir = project({ 'deploy.yml': top('./r.yml') + hosts, 'r.yml': 'restart: echo "${PORT:-3000}"\n' });
    expect(load(dir).restart?.command).toBe('echo "${PORT:-3000}"');
  });
});

describe('task modules in the config', () => {
  it('deploy/tasks/*.js, *.mjs and *.cjs next to deploy.yml, a .ts only without its .js; then `modules`', () => {
    const dir = project({
      'deploy/tasks/a.js': '',
      'deploy/tasks/a.ts': '',
      'deploy/tasks/b.ts': '',
      'deploy/tasks/c.mjs': '',
      'deploy/tasks/types.d.ts': '',
      'deploy/tasks/notes.md': '',
    });
    expect(taskModules(dir, ['./ops/x.js', 'deploy-tasks-slack'])).toEqual([
      join(dir, 'deploy/tasks/a.js'),
      join(dir, 'deploy/tasks/b.ts'),
      join(dir, 'deploy/tasks/c.mjs'),
      join(dir, 'ops/x.js'),
      'deploy-tasks-slack',
    ]);
  });

  it('are in the config; hooks naming tasks the config does not know wait for the modules', () => {
    const dir = project({
      'deploy.yml': `app: shop\nrepository: /r\nmodules: [deploy-tasks-slack]\nhooks: { after: { deploy: slack:notify } }\n${hosts}`,
      'node_modules/deploy-tasks-slack/package.json': '{"name":"deploy-tasks-slack","main":"index.js"}',
      'node_modules/deploy-tasks-slack/index.js': '',
    });
    const c = load(dir);
    expect(c.modules).toEqual(['deploy-tasks-slack']);
    expect(c.hooks.after.deploy).toEqual(['slack:notify']);
  });
});
