import { execFileSync } from 'node:child_process';
import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { tempFleet, type TempFleet } from '../fleet/context.js';
import { sshRun, type Fleet } from '../fleet/fleet.js';
import { cli, repoRoot, scratch } from './support/project.js';
import { underLoad } from './support/load.js';
import { balancerRole, releaseOf } from './support/tiers.js';

// fixtures/node-monorepo (npm workspaces: an Express + Sequelize backend with bcrypt and sequelize-cli, a React
// frontend built by Vite from devDependencies) deployed with what `deploy init --recipe node` writes, plus this
// fleet's hosts, keys, the balancer block and the database URLs.

const deployTo = '/srv/shop';

async function on(f: Fleet, host: string, command: string, timeoutMs?: number): Promise<string> {
  const r = await sshRun(f, host, command, { timeoutMs });
  if (r.code !== 0) throw new Error(`${host}: ${command}: exit ${r.code}: ${r.stderr}`);
  return r.stdout.trim();
}

const addressOf = (f: Fleet, name: string) => f.hosts.find((h) => h.name === name)!.address;
const codeHosts = (f: Fleet) => f.hosts.filter((h) => !h.roles.includes('balancer')).map((h) => h.name);
const webs = (f: Fleet) => f.hosts.filter((h) => h.roles.includes('web')).map((h) => h.name);

/** Every file under a dir's node_modules with its sha256 (the shape of a tree: names, versions, file lists). */
const treeOf = (f: Fleet, host: string, dir: string, exclude = '') =>
  on(f, host, `cd '${dir}' && find node_modules -type f ${exclude} -print0 | LC_ALL=C sort -z | xargs -0 sha256sum`);

describe('recipe: node — a workspace monorepo from `deploy init`: database made, built from devDependencies, pruned, migrated, rolled back, under load', () => {
  let t: TempFleet;
  let f: Fleet;
  let work: string;
  let bare: string;
  let file: string;
  let env: NodeJS.ProcessEnv;
  const releases: string[] = [];

  const git = (...args: string[]) => execFileSync('git', args, { cwd: work, env, encoding: 'utf8' }).trim();
  const commit = (version: string, change: () => void = () => {}) => {
    writeFileSync(join(work, 'VERSION'), `${version}\n`);
    change();
    git('add', '-A');
    git('commit', '-q', '-m', version);
    git('push', '-q', 'origin', 'main');
    execFileSync('chown', ['-R', 'deploy:deploy', bare]);
    return git('rev-parse', 'HEAD');
  };
  const health = async (url: string) => (await (await fetch(url, { signal: AbortSignal.timeout(5000) })).json()) as Record<string, unknown>;
  const psql = (sql: string) => on(f, 'db1', `psql -h ${addressOf(f, 'db1')} -U postgres -d postgres -Atc "${sql}"`);
  const cache = `${deployTo}/shared/cache/node_modules-dev`;
  /** The cached tree's identity on every code host: an install replaces it, a copy from it does not. */
  const cacheId = async () =>
    (await Promise.all(codeHosts(f).map((h) => on(f, h, `stat -c '%i %Y' '${cache}' '${cache}.key'`)))).join('\n');
  const deploy = async (label: string) => {
    const r = await cli(['staging', '-c', file], { cwd: work, timeoutMs: 540_000 });
    expect(r.code, r.stderr + r.stdout).toBe(0);
    releases.push(releaseOf(r.stdout));
    // The README's figures: the whole deploy and the steps that depend on the dependencies.
    const took = (step: string) => new RegExp(`^\\S+ -\\s+${step}\\s+(?:ok|skipped: .*) in (\\S+)$`, 'm').exec(r.stdout)?.[1] ?? '-';
    const total = / done +success \(exit 0\) in (\S+)$/m.exec(r.stdout)?.[1];
    console.log(
      `[figures] ${label}: deploy ${total}, install ${took('install')}, build ${took('task:node:build')}, prune ${took('task:node:prune')}, migrate ${took('migrate')}`,
    );
    return r;
  };

  beforeAll(async () => {
    // No media host: one host fewer holding node_modules trees, which the teardown has to remove.
    t = await tempFleet({ webs: 2, balancer: 'nginx', media: false });
    f = t.fleet;
    const config = join(scratch('gitcfg'), 'gitconfig');
    writeFileSync(config, '[safe]\n\tdirectory = *\n');
    env = {
      ...process.env,
      GIT_CONFIG_GLOBAL: config,
      GIT_AUTHOR_NAME: 't',
      GIT_AUTHOR_EMAIL: 't@t',
      GIT_COMMITTER_NAME: 't',
      GIT_COMMITTER_EMAIL: 't@t',
    };
    const root = scratch('recipe-node-monorepo');
    work = join(root, 'work');
    bare = join(root, 'shop.git');
    cpSync(join(repoRoot, 'fixtures', 'node-monorepo'), work, {
      recursive: true,
      filter: (src) => !/node_modules|backend\/public/.test(src),
    });
    execFileSync('git', ['init', '-q', '--bare', '-b', 'main', bare], { env });
    git('init', '-q', '-b', 'main');
    git('remote', 'add', 'origin', bare);
    commit('v1');
  }, 180_000);

  afterAll(async () => {
    if (file) await cli(['task', 'staging', 'node:stop', '-c', file], { cwd: work });
    await t?.down();
  }, 600_000);

  it('deploy init --recipe node finds the workspaces and sequelize-cli', async () => {
    const r = await cli(['init', '--recipe', 'node'], { cwd: work, env: { HOME: process.env.HOME ?? '/root' } });
    expect(r.code, r.stderr).toBe(0);
    file = join(work, 'deploy.yml');
    const written = readFileSync(file, 'utf8');
    expect(written).toContain('# Workspaces found: backend, frontend.');
    expect(written).toContain('APP_BUILD: "npm run build -w frontend"');
    expect(written).toContain('APP_START: "npm run start -w backend"');
    expect(written).toContain('APP_MIGRATE: "npm exec -w backend --no -- sequelize-cli db:migrate"');

    // What this fleet adds: hosts, key, where to deploy, the balancer block, the database (which does not exist yet).
    const c = parse(written) as Record<string, any>;
    c.deploy_to = deployTo;
    c.keep_releases = 3;
    c.ssh = { ...c.ssh, identity_file: f.key, known_hosts: f.knownHosts, connect_timeout: 5 };
    c.env = {
      ...c.env,
      DATABASE_URL: { secret: `postgres://shop:sh0p-pw@${addressOf(f, 'db1')}:5432/shop` },
      DB_ADMIN_URL: `postgres://postgres@${addressOf(f, 'db1')}:5432/postgres`,
    };
    c.health = { ...c.health, retries: 60, interval: 0.25, timeout: 3 };
    c.roles = { web: { batch: 1 }, balancer: { balancer: balancerRole(f) } };
    c.stages = { staging: { hosts: f.hosts.map((h) => ({ name: h.name, address: h.address, roles: h.roles })) } };
    writeFileSync(file, stringify(c));
  });

  it('first deploy: role and database created, frontend built by vite from devDependencies, then pruned; migrated once', async () => {
    expect(await psql("select count(*) from pg_roles where rolname = 'shop'")).toBe('0');
    const r = await deploy('first deploy');
    const [r1] = releases;
    expect(r.stdout).not.toMatch(/skipped: no (build|migrate)/);
    expect(await psql("select count(*) from pg_roles where rolname = 'shop'")).toBe('1');
    for (const h of webs(f)) {
      expect(await health(`http://${addressOf(f, h)}:3000/health`)).toMatchObject({
        status: 'ok',
        version: 'v1',
        release: r1,
        migrations: 1,
        bcrypt: true,
      });
      // The page vite built, served by the backend.
      const page = await (await fetch(`http://${addressOf(f, h)}:3000/`)).text();
      const asset = /src="(\/assets\/index-[^"]+\.js)"/.exec(page)?.[1];
      expect(asset, page).toBeDefined();
      expect((await fetch(`http://${addressOf(f, h)}:3000${asset}`)).status).toBe(200);
    }
    for (const h of codeHosts(f)) {
      // Pruned: the build tools are gone, the production dependencies are there.
      expect(await on(f, h, `cd '${deployTo}/releases/${r1}' && ls -d node_modules/vite node_modules/react 2>/dev/null | wc -l`)).toBe('0');
      expect(
        await on(
          f,
          h,
          `cd '${deployTo}/releases/${r1}' && ls -d node_modules/express node_modules/bcrypt node_modules/sequelize-cli | wc -l`,
        ),
      ).toBe('3');
    }
    // The install's own tree (devDependencies too) is kept for the next release with the same lockfile.
    for (const h of codeHosts(f)) {
      expect(await on(f, h, `cat '${cache}.key'`)).toMatch(/^[0-9a-f]{64} v\d+\.\d+\.\d+$/);
      expect(await on(f, h, `ls -d '${cache}/vite' '${cache}/express' | wc -l`)).toBe('2');
    }
    // The app's role owns its database and the migration ran in it, as that role.
    expect(await psql("select pg_get_userbyid(datdba) from pg_database where datname = 'shop'")).toBe('shop');
    expect(
      await on(f, 'db1', `psql 'postgres://shop:sh0p-pw@${addressOf(f, 'db1')}:5432/shop' -Atc 'select count(*) from "SequelizeMeta"'`),
    ).toBe('1');
  }, 600_000);

  it('a change with a new migration, under load through the balancer: the live node_modules is never touched, no request fails', async () => {
    const [r1] = releases;
    commit('v2', () =>
      writeFileSync(
        join(work, 'backend', 'migrations', '20250201000000-add-user-name.js'),
        "'use strict';\n\nmodule.exports = {\n  up: (q, S) => q.addColumn('users', 'name', { type: S.STRING }),\n  down: (q) => q.removeColumn('users', 'name'),\n};\n",
      ),
    );
    const before = await treeOf(f, 'web1', `${deployTo}/releases/${r1}`);
    const cached = await cacheId();
    const { result: r, load } = await underLoad(f, () => deploy('lockfile unchanged, a new migration'));
    // The lockfile did not change: the install was a copy of the cached tree (an install would have replaced it).
    expect(await cacheId()).toBe(cached);
    const r2 = releases[1]!;
    expect(r.stdout).toMatch(new RegExp(`started from a copy of node_modules of release ${r1} \\(package-lock.json unchanged\\)`));
    expect(r.stdout).toMatch(/task:db:create skipped: role shop and database shop exist in /);
    expect(load.failures, JSON.stringify(load.errors)).toBe(0);
    expect(load.requests).toBeGreaterThan(50);
    expect(load.versions.flat()).toContain('v2');
    for (const h of webs(f))
      expect(await health(`http://${addressOf(f, h)}:3000/health`)).toMatchObject({ version: 'v2', release: r2, migrations: 2 });
    // The install reconciled a copy of r1's tree (devDependencies added back), vite wrote under node_modules,
    // npm prune rewrote node_modules/.package-lock.json: none of it reached the release that was live.
    expect(await treeOf(f, 'web1', `${deployTo}/releases/${r1}`)).toBe(before);
  }, 600_000);

  it('one dependency changed: reconciled from the previous tree, and the result is what a clean install gives', async () => {
    commit('v3', () => {
      const pkgFile = join(work, 'backend', 'package.json');
      const pkg = JSON.parse(readFileSync(pkgFile, 'utf8'));
      pkg.dependencies.dayjs = '1.11.13';
      writeFileSync(pkgFile, `${JSON.stringify(pkg, null, 2)}\n`);
      const lockFile = join(work, 'package-lock.json');
      const lock = JSON.parse(readFileSync(lockFile, 'utf8'));
      lock.packages.backend.dependencies.dayjs = '1.11.13';
      lock.packages['node_modules/dayjs'] = {
        version: '1.11.13',
        integrity: 'sha512-oaMBel6gjolK862uaPQOVTA7q3TZhuSvuMQAAglQDOWYO9A91IrAOUJEyKVlqJlHE0vq5p5UXxzdPfMH/x6xNg==',
        license: 'MIT',
      };
      writeFileSync(lockFile, `${JSON.stringify(lock, null, 2)}\n`);
    });
    const r2 = releases[1]!;
    const before = await treeOf(f, 'web1', `${deployTo}/releases/${r2}`);
    const cached = await cacheId();
    const r = await deploy('one dependency changed');
    expect(await cacheId()).not.toBe(cached);
    expect(await on(f, 'web1', `node -p "require('${cache}/dayjs/package.json').version"`)).toBe('1.11.13');
    const r3 = releases[2]!;
    expect(r.stdout).toMatch(new RegExp(`reconciled a copy of node_modules of release ${r2} with the changed package-lock.json`));
    expect(await treeOf(f, 'web1', `${deployTo}/releases/${r2}`)).toBe(before);
    expect(await on(f, 'web1', `node -p "require('${deployTo}/releases/${r3}/node_modules/dayjs/package.json').version"`)).toBe('1.11.13');

    // A clean install of the same commit, the recipe's way (with devDependencies, then pruned), next to it.
    const clean = `${deployTo}/clean-${r3}`;
    await on(
      f,
      'web1',
      `rm -rf '${clean}' && mkdir -p '${clean}' && cd '${deployTo}/releases/${r3}' && cp --parents package.json package-lock.json backend/package.json frontend/package.json '${clean}/' && cd '${clean}' && NODE_ENV=production npm ci --include=dev --no-audit --no-fund >/dev/null 2>&1 && npm prune --omit=dev --no-audit --no-fund >/dev/null 2>&1`,
      300_000,
    );
    // The hidden lockfile records where it was written and vite leaves its temp dir: content, not bookkeeping.
    const skip = "-not -path 'node_modules/.package-lock.json' -not -path 'node_modules/.vite-temp/*'";
    const reconciled = await treeOf(f, 'web1', `${deployTo}/releases/${r3}`, skip);
    const fresh = await treeOf(f, 'web1', clean, skip);
    expect(reconciled.split('\n').length).toBeGreaterThan(1000);
    expect(reconciled).toBe(fresh);
    await on(f, 'web1', `rm -rf '${clean}'`);
  }, 600_000);

  it('code only: the copy of node_modules is reused (devDependencies added back for the build)', async () => {
    commit('v4', () =>
      writeFileSync(join(work, 'frontend', 'src', 'main.js'), `${readFileSync(join(work, 'frontend', 'src', 'main.js'), 'utf8')}\n// v4\n`),
    );
    const cached = await cacheId();
    const r = await deploy('code only');
    expect(await cacheId()).toBe(cached);
    expect(r.stdout).toMatch(new RegExp(`started from a copy of node_modules of release ${releases[2]} \\(package-lock.json unchanged\\)`));
    for (const h of webs(f))
      expect(await health(`http://${addressOf(f, h)}:3000/health`)).toMatchObject({ version: 'v4', release: releases[3] });
  }, 600_000);

  it('rolls back under load: v3 again on every web host, no request fails', async () => {
    const r3 = releases[2]!;
    const { result: r, load } = await underLoad(f, () => cli(['rollback', 'staging', '-c', file], { cwd: work }));
    expect(r.code, r.stderr + r.stdout).toBe(0);
    expect(load.failures, JSON.stringify(load.errors)).toBe(0);
    for (const h of webs(f))
      expect(await health(`http://${addressOf(f, h)}:3000/health`)).toMatchObject({ version: 'v3', release: r3, migrations: 2 });
    expect(await health(`${f.balancer!.url}/health`)).toMatchObject({ version: 'v3' });
  }, 300_000);
});
