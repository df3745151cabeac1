import { execFileSync } from 'node:child_process';
import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { fleet, tempFleet, type TempFleet } from '../fleet/context.js';
import { demoConfigValues, sshRun, type Fleet } from '../fleet/fleet.js';
import { underLoad } from './support/load.js';
import { appRepo, cli, repoRoot, scratch, writeDeployYml, type AppRepo } from './support/project.js';

// Ports of our own: the shared fleet's balancer pool is :3000, which other suites use.
const NODE_PORT = 3107;

async function on(f: Fleet, host: string, command: string): Promise<string> {
  const r = await sshRun(f, host, command);
  if (r.code !== 0) throw new Error(`${host}: ${command}: exit ${r.code}: ${r.stderr}`);
  return r.stdout.trim();
}

const addressOf = (f: Fleet, name: string) => f.hosts.find((h) => h.name === name)!.address;
const webs = (f: Fleet) => f.hosts.filter((h) => h.roles.includes('web'));
const codeHosts = (f: Fleet) => f.hosts.filter((h) => !h.roles.includes('balancer')).map((h) => h.name);
const releaseOf = (stdout: string) => /release (\d{14})/.exec(stdout)?.[1] ?? '';

async function currentOn(f: Fleet, deployTo: string): Promise<string[]> {
  const out: string[] = [];
  for (const h of codeHosts(f)) out.push((await sshRun(f, h, `readlink '${deployTo}/current' | xargs -r basename`)).stdout.trim());
  return out;
}

async function getJson(url: string): Promise<Record<string, unknown>> {
  const r = await fetch(url, { signal: AbortSignal.timeout(5000) });
  return (await r.json()) as Record<string, unknown>;
}

const psql = (f: Fleet, sql: string) => on(f, 'db1', `psql -h ${addressOf(f, 'db1')} -U postgres -d app -Atc "${sql}"`);

describe('recipe: node — fixtures/app, v1, v2 with a migration, rollback', () => {
  let f: Fleet;
  let repo: AppRepo;
  let dir: string;
  let file: string;
  let deployTo: string;
  let database: string;
  let r1: string;

  const health = async (host: string) => getJson(`http://${addressOf(f, host)}:${NODE_PORT}/health`);

  beforeAll(async () => {
    f = fleet();
    repo = appRepo();
    dir = scratch('recipe-node');
    deployTo = `/srv/rn-${dir.split('-').pop()}`;
    database = `rn_${dir
      .split('-')
      .pop()!
      .toLowerCase()
      .replace(/[^a-z0-9]/g, '')}`;
    await psql(f, `create database ${database}`);
    const hosts = f.hosts.filter((h) => !h.roles.includes('balancer')).map((h) => ({ name: h.name, address: h.address, roles: h.roles }));
    file = writeDeployYml(dir, f, {
      deploy_to: deployTo,
      recipe: 'node',
      repository: repo.url,
      env: { PORT: NODE_PORT, DATABASE_URL: `postgres://postgres@${addressOf(f, 'db1')}:5432/${database}` },
      health: { path: '/health', port: NODE_PORT, retries: 40, interval: 0.25, timeout: 2 },
      stages: { staging: { hosts } },
    });
  });

  afterAll(async () => {
    await cli(['task', 'staging', 'node:stop', '-c', file]);
    await psql(f, `drop database if exists ${database} with (force)`).catch(() => undefined);
  });

  it('deploys v1: npm ci into the release, migrations once, the app started from its pid file on every web host', async () => {
    const v1 = repo.commit('v1');
    const r = await cli(['staging', '-c', file]);
    expect(r.code, r.stderr + r.stdout).toBe(0);
    r1 = releaseOf(r.stdout);
    expect(await currentOn(f, deployTo)).toEqual(codeHosts(f).map(() => r1));
    for (const h of webs(f))
      expect(await health(h.name)).toMatchObject({ status: 'ok', version: 'v1', release: r1, revision: v1, schema: 2 });
    expect(r.stdout).toContain('task:node:build skipped: no build script in package.json');
    const pid = await on(f, 'web1', `cat '${deployTo}/shared/tmp/pids/node.pid'`);
    expect(await on(f, 'web1', `readlink /proc/${pid}/cwd`)).toBe(`${deployTo}/releases/${r1}`);
  });

  it('deploys v2 with a new migration: node_modules reused, migrated once, each web host restarted on v2', async () => {
    repo.commit('v2', {
      migration: {
        name: '003_recipe_runs.sql',
        sql: 'create table recipe_runs (id serial primary key);\ninsert into recipe_runs default values;\n',
      },
    });
    const r = await cli(['staging', '-c', file]);
    expect(r.code, r.stderr + r.stdout).toBe(0);
    const r2 = releaseOf(r.stdout);
    expect(r.stdout).toMatch(/started from a copy of node_modules of release \d{14} \(package-lock.json unchanged\)/);
    for (const h of webs(f)) expect(await health(h.name)).toMatchObject({ version: 'v2', release: r2, schema: 3 });
    expect(await on(f, 'db1', `psql -h ${addressOf(f, 'db1')} -U postgres -d ${database} -Atc 'select count(*) from recipe_runs'`)).toBe(
      '1',
    );
    // The old release's processes are gone: every process of the app runs from the new release.
    const dirs = await on(
      f,
      'web1',
      `for p in /proc/[0-9]*; do readlink "$p/cwd"; done 2>/dev/null | grep '^${deployTo}/releases/' | sort -u`,
    );
    expect(dirs).toBe(`${deployTo}/releases/${r2}`);
  });

  it('rolls back to v1: every web host serves v1 again', async () => {
    const r = await cli(['rollback', 'staging', '-c', file]);
    expect(r.code, r.stderr + r.stdout).toBe(0);
    expect(await currentOn(f, deployTo)).toEqual(codeHosts(f).map(() => r1));
    for (const h of webs(f)) expect(await health(h.name)).toMatchObject({ version: 'v1', release: r1, schema: 3 });
  });

  it('deploy tasks lists the recipe tasks with where they come from', async () => {
    const r = await cli(['tasks', 'staging', '-c', file, '--json']);
    expect(r.code, r.stderr).toBe(0);
    const rows = JSON.parse(r.stdout) as { name: string; kind: string; recipe?: string; hooks: string[] }[];
    expect(rows.find((t) => t.name === 'node:build')).toMatchObject({ kind: 'recipe', recipe: 'node', hooks: ['after install'] });
  });
});

describe('recipe: django — `deploy init --recipe django`, v1, v2 with a migration, rollback, through the balancer', () => {
  let t: TempFleet;
  let f: Fleet;
  let work: string;
  let bare: string;
  let file: string;
  const deployTo = '/srv/djangoapp';
  const database = 'djangoapp';
  let r1: string;
  let r2: string;

  const gitEnv = () => {
    const config = join(scratch('gitcfg'), 'gitconfig');
    writeFileSync(config, '[safe]\n\tdirectory = *\n');
    return {
      ...process.env,
      GIT_CONFIG_GLOBAL: config,
      GIT_AUTHOR_NAME: 't',
      GIT_AUTHOR_EMAIL: 't@t',
      GIT_COMMITTER_NAME: 't',
      GIT_COMMITTER_EMAIL: 't@t',
    };
  };
  let env: NodeJS.ProcessEnv;
  const git = (...args: string[]) => execFileSync('git', args, { cwd: work, env, encoding: 'utf8' }).trim();
  const commit = (version: string, files: Record<string, string> = {}) => {
    writeFileSync(join(work, 'VERSION'), `${version}\n`);
    for (const [name, text] of Object.entries(files)) writeFileSync(join(work, name), text);
    git('add', '-A');
    git('commit', '-q', '-m', version);
    git('push', '-q', 'origin', 'main');
    execFileSync('chown', ['-R', 'deploy:deploy', bare]);
    return git('rev-parse', 'HEAD');
  };
  const viaBalancer = () => getJson(`${f.balancer!.url}/health`);

  beforeAll(async () => {
    // A fleet of our own: its balancer pool is :3000, where gunicorn listens here.
    t = await tempFleet({ webs: 2, balancer: 'nginx', mediaDeployTo: deployTo });
    f = t.fleet;
    env = gitEnv();
    const root = scratch('recipe-django');
    work = join(root, 'work');
    bare = join(root, 'app.git');
    cpSync(join(repoRoot, 'fixtures', 'django-app'), work, {
      recursive: true,
      filter: (src) => !/__pycache__|\/public$|\/\.venv$/.test(src),
    });
    execFileSync('git', ['init', '-q', '--bare', '-b', 'main', bare], { env });
    git('init', '-q', '-b', 'main');
    git('remote', 'add', 'origin', bare);
    commit('v1');
    await psql(f, `create database ${database}`);
  }, 180_000);

  afterAll(async () => {
    if (file) await cli(['task', 'staging', 'django:stop', '-c', file]);
    await t?.down();
  });

  it('deploy init --recipe django writes a deploy.yml that plans with only the hosts filled in', async () => {
    const r = await cli(['init', '--recipe', 'django'], { cwd: work, env: { HOME: process.env.HOME ?? '/root' } });
    expect(r.code, r.stderr).toBe(0);
    file = join(work, 'deploy.yml');
    const written = readFileSync(file, 'utf8');
    expect(written).toContain('recipe: django');
    expect(written).toContain('DJANGO_SETTINGS_MODULE: mysite.settings');
    expect(written).toContain(`repository: "${bare}"`);
    expect(readFileSync(join(work, '.env'), 'utf8')).toMatch(/^DJANGO_SECRET_KEY=\S{40,}$/m);

    // Only the hosts: the rest is what init wrote.
    const config = parse(written) as Record<string, any>;
    config.stages = { staging: { hosts: f.hosts.map((h) => ({ name: h.name, address: h.address, roles: h.roles })) } };
    writeFileSync(file, stringify(config));
    const plan = await cli(['plan', 'staging', '-c', file]);
    expect(plan.code, plan.stderr).toBe(0);
    for (const text of ['-m venv', 'task:django:collectstatic', 'task:django:check', 'manage.py migrate --noinput', 'kill -USR2'])
      expect(plan.stdout).toContain(text);
  });

  it('deploys v1 to the fleet: a virtualenv from Debian packages, offline; migrate once; static files on the media host', async () => {
    // What this fleet needs besides the hosts: its SSH key, an offline virtualenv, the balancer's port and name.
    const config = parse(readFileSync(file, 'utf8')) as Record<string, any>;
    config.deploy_to = deployTo;
    config.ssh = { identity_file: f.key, known_hosts: f.knownHosts, connect_timeout: 5 };
    config.env = {
      ...config.env,
      DATABASE_URL: { secret: `postgres://postgres@${addressOf(f, 'db1')}:5432/${database}` },
      DB_ADMIN_URL: `postgres://postgres@${addressOf(f, 'db1')}:5432/postgres`,
      ALLOWED_HOSTS: new URL(f.balancer!.url).hostname,
      MEDIA_URL: f.media!.url,
      PORT: 3000,
      VENV_OPTIONS: '--system-site-packages',
      PIP_OPTIONS: '--no-index',
    };
    config.health = { path: '/health', port: 3000, retries: 40, interval: 0.25, timeout: 3 };
    writeFileSync(file, stringify(config));
    const r = await cli(['staging', '-c', file], { cwd: work });
    expect(r.code, r.stderr + r.stdout).toBe(0);
    r1 = releaseOf(r.stdout);
    expect(await currentOn(f, deployTo)).toEqual(codeHosts(f).map(() => r1));
    // check --deploy's findings are warnings; the deploy went on.
    expect(r.stdout).toMatch(/warning +task django:check failed .*going on/);
    expect(r.stdout).toContain('security.W004');
    for (const h of webs(f)) {
      expect(await getJson(`http://${h.address}:3000/health`)).toMatchObject({
        status: 'ok',
        version: 'v1',
        release: r1,
        schema: '0001_initial',
      });
    }
    expect(await viaBalancer()).toMatchObject({ version: 'v1', release: r1, schema: '0001_initial' });
    const page = await (await fetch(`${f.balancer!.url}/`)).text();
    expect(page).toContain('<li>Hello from Django</li>');
    const css = await fetch(`${f.media!.url}/assets/${r1}/greetings/style.css`);
    expect(css.status).toBe(200);
    expect(page).toContain(`${f.media!.url}/assets/${r1}/greetings/style.css`);
    // The release's .venv links to a venv in shared/venvs, made once per requirements file.
    expect(await on(f, 'web1', `readlink '${deployTo}/releases/${r1}/.venv'`)).toMatch(
      new RegExp(`^${deployTo}/shared/venvs/[0-9a-f]{16}$`),
    );
  });

  it('deploys v2 with a new migration under a steady load through the balancer: the venv is reused, gunicorn upgraded in place, no request fails', async () => {
    commit('v2', {
      'greetings/migrations/0002_second_greeting.py': `from django.db import migrations


def second(apps, schema_editor):
    apps.get_model('greetings', 'Greeting').objects.create(message='Hello again, from v2')


class Migration(migrations.Migration):
    dependencies = [('greetings', '0001_initial')]
    operations = [migrations.RunPython(second, migrations.RunPython.noop)]
`,
    });
    const { result: r, load } = await underLoad(f, () => cli(['staging', '-c', file], { cwd: work }));
    expect(r.code, r.stderr + r.stdout).toBe(0);
    r2 = releaseOf(r.stdout);
    // requirements.txt unchanged: the new release links to the same virtualenv, none was built.
    const venvOf = (release: string) => on(f, 'web1', `readlink '${deployTo}/releases/${release}/.venv'`);
    expect(await venvOf(r2)).toBe(await venvOf(r1));
    expect(await on(f, 'web1', `ls '${deployTo}/shared/venvs' | wc -l`)).toBe('1');
    expect(load.failures, JSON.stringify(load.errors)).toBe(0);
    expect(load.requests).toBeGreaterThan(50);
    expect(new Set(load.versions.flat())).toEqual(new Set(['v1', 'v2']));
    expect(await viaBalancer()).toMatchObject({ version: 'v2', release: r2, schema: '0002_second_greeting' });
    expect(await (await fetch(`${f.balancer!.url}/`)).text()).toContain('<li>Hello again, from v2</li>');
    const applied = await on(
      f,
      'db1',
      `psql -h ${addressOf(f, 'db1')} -U postgres -d ${database} -Atc "select count(*) from django_migrations where app = 'greetings'"`,
    );
    expect(applied).toBe('2');
    // The new master runs with the new release's environment (USR2 re-executes with the old one otherwise).
    const pid = await on(f, 'web1', `cat '${deployTo}/shared/tmp/pids/gunicorn.pid'`);
    expect(await on(f, 'web1', `tr '\\0' '\\n' < /proc/${pid}/environ | grep '^DEPLOY_RELEASE='`)).toBe(`DEPLOY_RELEASE=${r2}`);
  });

  it('rolls back under load: the code returns to v1 (the schema stays migrated), no request fails', async () => {
    const { result: r, load } = await underLoad(f, () => cli(['rollback', 'staging', '-c', file], { cwd: work }));
    expect(r.code, r.stderr + r.stdout).toBe(0);
    expect(load.failures, JSON.stringify(load.errors)).toBe(0);
    expect(await currentOn(f, deployTo)).toEqual(codeHosts(f).map(() => r1));
    expect(await viaBalancer()).toMatchObject({ version: 'v1', release: r1, schema: '0002_second_greeting' });
  });

  it('deploy tasks shows the recipe tasks and their hooks', async () => {
    const r = await cli(['tasks', 'staging', '-c', file], { cwd: work });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/django:collectstatic .*\n +on web,media; runs after install — recipe django \(.*recipes\/django\.yml\)/);
    expect(r.stdout).toMatch(/django:prune-venvs .*\n +on web,db,media; runs after cleanup — recipe django/);
  });
});

describe('recipe: node behind the balancer — v2 and a rollback under a steady load, no request fails', () => {
  let f: Fleet;
  let repo: AppRepo;
  let file: string;
  let deployTo: string;
  let database: string;

  beforeAll(async () => {
    f = fleet();
    repo = appRepo();
    const dir = scratch('recipe-node-lb');
    deployTo = `/srv/rl-${dir.split('-').pop()}`;
    database = `rl_${dir
      .split('-')
      .pop()!
      .toLowerCase()
      .replace(/[^a-z0-9]/g, '')}`;
    await psql(f, `create database ${database}`);
    const b = demoConfigValues(f).balancer! as { upstreamFile: string; reload: string };
    file = writeDeployYml(dir, f, {
      deploy_to: deployTo,
      recipe: 'node',
      repository: repo.url,
      env: { DATABASE_URL: `postgres://postgres@${addressOf(f, 'db1')}:5432/${database}` },
      health: { path: '/health', port: 3000, retries: 40, interval: 0.25, timeout: 2 },
      roles: {
        balancer: {
          balancer: { kind: 'nginx', pool: 'web', port: 3000, upstream_file: b.upstreamFile, upstream_name: 'app', reload: b.reload },
        },
      },
      stages: { staging: { hosts: f.hosts.map((h) => ({ name: h.name, address: h.address, roles: h.roles })) } },
    });
    repo.commit('v1');
    const r = await cli(['staging', '-c', file]);
    expect(r.code, r.stderr + r.stdout).toBe(0);
  });

  afterAll(async () => {
    await cli(['task', 'staging', 'node:stop', '-c', file]);
    await psql(f, `drop database if exists ${database} with (force)`).catch(() => undefined);
  });

  const cliUnderLoad = async (args: string[]) => {
    const { result: r, load } = await underLoad(f, () => cli(args));
    return { r, load };
  };

  it('deploys v2 through drain, restart and health check: 0 failed requests, v1 then v2', async () => {
    repo.commit('v2');
    const { r, load } = await cliUnderLoad(['staging', '-c', file]);
    expect(r.code, r.stderr + r.stdout).toBe(0);
    expect(load.failures, JSON.stringify(load.errors)).toBe(0);
    expect(load.requests).toBeGreaterThan(200);
    for (const seen of load.versions) expect(seen[seen.length - 1]).toBe('v2');
  });

  it('rolls back: 0 failed requests, v1 at the end', async () => {
    const { r, load } = await cliUnderLoad(['rollback', 'staging', '-c', file]);
    expect(r.code, r.stderr + r.stdout).toBe(0);
    expect(load.failures, JSON.stringify(load.errors)).toBe(0);
    for (const seen of load.versions) expect(seen[seen.length - 1]).toBe('v1');
  });
});
