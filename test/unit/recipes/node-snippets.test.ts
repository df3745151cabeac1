import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { repoRoot } from '../../integration/support/project.js';

// The node recipe's snippets, run by a real sh in a small project dir; npm, yarn, pnpm and psql are stubs that
// print how they were called.
const recipe = parse(readFileSync(join(repoRoot, 'recipes', 'node.yml'), 'utf8')) as {
  install: { command: string };
  migrate: { command: string };
  tasks: Record<string, { run: string }>;
};

const bin = mkdtempSync(join(tmpdir(), 'deploy-stubs-'));
for (const tool of ['npm', 'yarn', 'pnpm']) {
  writeFileSync(join(bin, tool), `#!/bin/sh\necho "${tool} $*"\n`);
  chmodSync(join(bin, tool), 0o755);
}
// psql keeps its arguments and its script in the project dir and answers as for a fresh server.
// The app's own connection (`-c 'select 1'`) fails unless PSQL_CONNECTS=1.
writeFileSync(
  join(bin, 'psql'),
  `#!/bin/sh\ncase " $* " in *" -c "*) [ "$PSQL_CONNECTS" = 1 ]; exit ;; esac\nprintf '%s\\n' "$@" > psql.args\ncat > psql.sql\nprintf 'role-created\\ndatabase-created\\n'\n`,
);
chmodSync(join(bin, 'psql'), 0o755);
let lastDir = '';

function run(snippet: string, files: Record<string, unknown>, env: Record<string, string> = {}): string {
  const dir = mkdtempSync(join(tmpdir(), 'deploy-node-recipe-'));
  lastDir = dir;
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(join(dir, path, '..'), { recursive: true });
    writeFileSync(join(dir, path), typeof content === 'string' ? content : JSON.stringify(content));
  }
  const shared = mkdtempSync(join(tmpdir(), 'deploy-node-shared-'));
  return execFileSync('sh', ['-c', snippet], {
    cwd: dir,
    encoding: 'utf8',
    env: { PATH: `${bin}:${process.env.PATH}`, NODE_ENV: 'production', DEPLOY_HOST: 'db1', DEPLOY_SHARED_PATH: shared, ...env },
  });
}

const noScripts = { 'package.json': { name: 'app' }, 'package-lock.json': '{}' };
const withBuild = {
  'package.json': { name: 'app', scripts: { build: 'vite build', migrate: 'knex migrate:latest' } },
  'package-lock.json': '{}',
};

describe('node recipe: skipped steps say so', () => {
  it('migrate without a migrate script (and no APP_MIGRATE) prints the skip marker, not a success', () => {
    expect(run(recipe.migrate.command, noScripts)).toContain('deploy:skipped no migrate script in package.json');
    expect(run(recipe.migrate.command, withBuild)).toBe('npm run migrate\n');
    expect(run(recipe.migrate.command, noScripts, { APP_MIGRATE: 'npm exec -w backend --no -- sequelize-cli db:migrate' })).toBe(
      'npm exec -w backend --no -- sequelize-cli db:migrate\n',
    );
  });

  it('node:build without a build script prints the skip marker; APP_BUILD runs a workspace build', () => {
    const build = recipe.tasks['node:build']!.run;
    expect(run(build, noScripts)).toContain('deploy:skipped no build script in package.json');
    expect(run(build, withBuild)).toBe('npm run build\n');
    expect(run(build, noScripts, { APP_BUILD: 'npm run build -w frontend' })).toBe('npm run build -w frontend\n');
  });

  it('node:prune removes devDependencies only when there was a build', () => {
    const prune = recipe.tasks['node:prune']!.run;
    expect(run(prune, noScripts)).toContain('deploy:skipped no build');
    expect(run(prune, withBuild)).toBe('npm prune --omit=dev --no-audit --no-fund\n');
    expect(run(prune, { ...withBuild, 'yarn.lock': '' })).toBe('yarn install --frozen-lockfile --production=true --non-interactive\n');
    expect(run(prune, { ...withBuild, 'pnpm-lock.yaml': '' })).toBe('pnpm prune --prod\n');
  });
});

describe('node recipe: install with devDependencies for a build, reconciling a copied tree', () => {
  const cases: [string, Record<string, unknown>, Record<string, string>, string][] = [
    ['first deploy with a build: npm ci with dev', withBuild, {}, 'npm ci --include=dev --no-audit --no-fund\n'],
    ['first deploy without a build: production only', noScripts, {}, 'npm ci --omit=dev --no-audit --no-fund\n'],
    [
      'copied tree, build: npm install reconciles and adds dev',
      withBuild,
      { DEPLOY_INSTALL_SEEDED: '1', DEPLOY_LOCKFILE_UNCHANGED: '1' },
      'npm install --include=dev --no-save --no-audit --no-fund\n',
    ],
    [
      'copied tree, lockfile changed, no build',
      noScripts,
      { DEPLOY_INSTALL_SEEDED: '1', DEPLOY_LOCKFILE_UNCHANGED: '0' },
      'npm install --omit=dev --no-save --no-audit --no-fund\n',
    ],
    [
      'copied tree, lockfile unchanged, no build: nothing to do',
      noScripts,
      { DEPLOY_INSTALL_SEEDED: '1', DEPLOY_LOCKFILE_UNCHANGED: '1' },
      "node_modules: the previous release's, lockfile unchanged\n",
    ],
    ['APP_BUILD counts as a build', noScripts, { APP_BUILD: 'npm run build -w frontend' }, 'npm ci --include=dev --no-audit --no-fund\n'],
    [
      'yarn with a build',
      { ...withBuild, 'yarn.lock': '' },
      { DEPLOY_INSTALL_SEEDED: '1' },
      'yarn install --frozen-lockfile --production=false --non-interactive\n',
    ],
    ['pnpm without a build', { ...noScripts, 'pnpm-lock.yaml': '' }, {}, 'pnpm install --frozen-lockfile --prod\n'],
  ];
  it.each(cases)('%s', (_, files, env, expected) => expect(run(recipe.install.command, files, env)).toBe(expected));
});

describe('node recipe: with a build, an unchanged lockfile installs nothing', () => {
  // This npm makes a tree as an install would, so that there is something to keep.
  const npm = mkdtempSync(join(tmpdir(), 'deploy-stub-npm-'));
  writeFileSync(join(npm, 'npm'), '#!/bin/sh\necho "npm $*"\nmkdir -p node_modules/vite\necho "$*" > node_modules/vite/made-by\n');
  chmodSync(join(npm, 'npm'), 0o755);
  const install = (files: Record<string, unknown>, env: Record<string, string>) =>
    run(recipe.install.command, files, { PATH: `${npm}:${bin}:${process.env.PATH}`, ...env });

  it('the first install keeps its tree in shared/cache; the next release with the same lockfile copies it', () => {
    const shared = mkdtempSync(join(tmpdir(), 'deploy-node-shared-'));
    expect(install(withBuild, { DEPLOY_SHARED_PATH: shared })).toBe('npm ci --include=dev --no-audit --no-fund\n');
    expect(readFileSync(join(shared, 'cache', 'node_modules-dev', 'vite', 'made-by'), 'utf8')).toBe(
      'ci --include=dev --no-audit --no-fund\n',
    );
    // A new release, seeded with the previous (pruned) tree: no package manager runs, the cached tree is used.
    const again = install(withBuild, { DEPLOY_SHARED_PATH: shared, DEPLOY_INSTALL_SEEDED: '1', DEPLOY_LOCKFILE_UNCHANGED: '1' });
    expect(again).toBe('node_modules: the cached install with devDependencies (shared/cache/node_modules-dev), lockfile unchanged\n');
    expect(readFileSync(join(lastDir, 'node_modules', 'vite', 'made-by'), 'utf8')).toBe('ci --include=dev --no-audit --no-fund\n');
  });

  it('a changed lockfile, package.json or package manager: the package manager reconciles a copy of the cache, which it then replaces', () => {
    const shared = mkdtempSync(join(tmpdir(), 'deploy-node-shared-'));
    install(withBuild, { DEPLOY_SHARED_PATH: shared });
    const seeded = { DEPLOY_SHARED_PATH: shared, DEPLOY_INSTALL_SEEDED: '1', DEPLOY_LOCKFILE_UNCHANGED: '0' };
    const reconciling = 'node_modules: the cached install with devDependencies, reconciled with the changed lockfile\n';
    expect(install({ ...withBuild, 'package-lock.json': '{"v":2}' }, { ...seeded, DEPLOY_INSTALL_SEEDED: '0' })).toBe(
      `${reconciling}npm install --include=dev --no-save --no-audit --no-fund\n`,
    );
    expect(readFileSync(join(shared, 'cache', 'node_modules-dev', 'vite', 'made-by'), 'utf8')).toBe(
      'install --include=dev --no-save --no-audit --no-fund\n',
    );
    const pkg = { name: 'app', version: '2.0.0', scripts: { build: 'vite build' } };
    expect(install({ ...withBuild, 'package-lock.json': '{"v":2}', 'package.json': pkg }, seeded)).toBe(
      `${reconciling}npm install --include=dev --no-save --no-audit --no-fund\n`,
    );
    expect(install({ ...withBuild, 'yarn.lock': '' }, seeded)).toBe(
      `${reconciling}yarn install --frozen-lockfile --production=false --non-interactive\n`,
    );
  });

  it("without a build nothing is cached (the previous release's tree is already the whole install)", () => {
    const shared = mkdtempSync(join(tmpdir(), 'deploy-node-shared-'));
    install(noScripts, { DEPLOY_SHARED_PATH: shared });
    expect(existsSync(join(shared, 'cache'))).toBe(false);
  });
});

describe('node recipe: npm install and npm prune never leave a rewritten lockfile in the release', () => {
  const lock = JSON.stringify({ lockfileVersion: 3, packages: { '': { name: 'app' }, 'node_modules/a': { version: '1.0.0' } } });
  // An npm that rewrites package-lock.json as npm does: reformatted, or (out of sync) with another version.
  const rewriting = (version: string) => {
    const dir = mkdtempSync(join(tmpdir(), 'deploy-npm-'));
    writeFileSync(
      join(dir, 'npm'),
      `#!/bin/sh\necho "npm $*"\nnode -e 'const f="package-lock.json";const l=JSON.parse(require("fs").readFileSync(f,"utf8"));l.packages["node_modules/a"].version="${version}";require("fs").writeFileSync(f,JSON.stringify(l,null,3))'\n`,
    );
    chmodSync(join(dir, 'npm'), 0o755);
    return dir;
  };
  const files = { 'package.json': { name: 'app', scripts: { build: 'vite build' } }, 'package-lock.json': lock };

  it('a reformatted lockfile is put back as committed, after install and after prune', () => {
    const npm = rewriting('1.0.0');
    for (const snippet of [recipe.install.command, recipe.tasks['node:prune']!.run]) {
      run(`PATH=${npm}:$PATH; ${snippet}`, files, { DEPLOY_INSTALL_SEEDED: '1' });
      expect(readFileSync(join(lastDir, 'package-lock.json'), 'utf8')).toBe(lock);
    }
  });

  it('a lockfile npm had to change (out of sync with package.json) fails the install', () => {
    const npm = rewriting('2.0.0');
    expect(() => run(`PATH=${npm}:$PATH; ${recipe.install.command}`, files, { DEPLOY_INSTALL_SEEDED: '1' })).toThrow(/out of sync/);
    expect(readFileSync(join(lastDir, 'package-lock.json'), 'utf8')).toBe(lock);
  });
});

describe('node recipe: db:create', () => {
  const create = recipe.tasks['db:create']!.run;
  it('skips without a postgres DATABASE_URL or with DB_CREATE=no', () => {
    expect(run(create, noScripts)).toBe('deploy:skipped DATABASE_URL is not set\n');
    expect(run(create, noScripts, { DATABASE_URL: 'mysql://a@b/c' })).toBe('deploy:skipped DATABASE_URL is not a postgres:// URL\n');
    expect(run(create, noScripts, { DATABASE_URL: 'postgres://a@b/c', DB_CREATE: 'no' })).toBe('deploy:skipped DB_CREATE is no\n');
    expect(
      run(
        `PATH=/nonexistent; ${create}`.replace('PATH=/nonexistent;', 'command() { [ "$2" = psql ] && return 1; builtin command "$@"; };'),
        noScripts,
        { DATABASE_URL: 'postgres://a@b/c' },
      ),
    ).toBe('deploy:skipped no psql on db1\n');
  });

  it('skips, without a superuser, when DATABASE_URL itself connects', () => {
    expect(run(create, noScripts, { DATABASE_URL: 'postgres://shop:pw@db/shop', PSQL_CONNECTS: '1' })).toBe(
      'deploy:skipped role shop and database shop exist\n',
    );
  });

  it('passes role, password and database to psql as variables (never spliced into SQL), admin URL as the database', () => {
    const out = run(create, noScripts, {
      DATABASE_URL: "postgres://shop:s3cr'et@127.0.1.10:5432/shop_db?sslmode=disable",
      DB_ADMIN_URL: 'postgres://postgres@127.0.1.10/postgres',
    });
    expect(out).toBe('role shop: created\ndatabase shop_db: created\n');
    expect(readFileSync(join(lastDir, 'psql.args'), 'utf8').split('\n')).toEqual([
      '-X',
      '-q',
      '-A',
      '-t',
      '-v',
      'ON_ERROR_STOP=1',
      '-v',
      'u=shop',
      '-v',
      "p=s3cr'et",
      '-v',
      'd=shop_db',
      '-d',
      'postgres://postgres@127.0.1.10/postgres',
      '',
    ]);
    const sql = readFileSync(join(lastDir, 'psql.sql'), 'utf8');
    expect(sql).toContain(
      "SELECT format('CREATE ROLE %I LOGIN PASSWORD %L', :'u', NULLIF(:'p', '')) WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = :'u') \\gexec",
    );
    expect(sql).not.toMatch(/shop|s3cr/);
  });
});
