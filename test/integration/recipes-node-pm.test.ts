import { execFileSync } from 'node:child_process';
import { chmodSync, cpSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { fleet } from '../fleet/context.js';
import { sshRun, type Fleet } from '../fleet/fleet.js';
import { cli, repoRoot, scratch } from './support/project.js';
import { releaseOf } from './support/tiers.js';

// fixtures/node-pm with yarn 1 and with pnpm 9 (installed for the test from the npm registry, as the hosts would
// have them): the build needs a devDependency, the prune removes it, and a deploy with the same lockfile copies the
// cached install instead of running the package manager.

async function on(f: Fleet, host: string, command: string): Promise<string> {
  const r = await sshRun(f, host, command);
  if (r.code !== 0) throw new Error(`${host}: ${command}: exit ${r.code}: ${r.stderr}`);
  return r.stdout.trim();
}

let tools: string;

beforeAll(() => {
  tools = scratch('package-managers');
  execFileSync('npm', ['install', '--prefix', tools, '--no-audit', '--no-fund', '--loglevel=error', 'yarn@1.22.22', 'pnpm@9.15.9'], {
    stdio: 'pipe',
  });
  chmodSync(tools, 0o755);
  execFileSync('chmod', ['-R', 'a+rX', tools]);
}, 300_000);

describe.each([
  ['yarn', 'yarn.lock', 'pnpm-lock.yaml'],
  ['pnpm', 'pnpm-lock.yaml', 'yarn.lock'],
])('recipe: node with %s — built from devDependencies, pruned, the cached install reused', (pm, lock, other) => {
  const f = fleet();
  const deployTo = `/srv/pm-${pm}`;
  const port = pm === 'yarn' ? 3101 : 3102;
  const host = f.hosts.find((h) => h.roles.includes('web'))!;
  const cache = `${deployTo}/shared/cache/node_modules-dev`;
  let work: string;
  let file: string;
  let env: NodeJS.ProcessEnv;
  const git = (...args: string[]) => execFileSync('git', args, { cwd: work, env, encoding: 'utf8' }).trim();
  const commit = (version: string) => {
    writeFileSync(join(work, 'VERSION'), `${version}\n`);
    git('add', '-A');
    git('commit', '-q', '-m', version);
    git('push', '-q', 'origin', 'main');
    execFileSync('chown', ['-R', 'deploy:deploy', join(work, '..', 'app.git')]);
  };
  const health = async () =>
    (await (await fetch(`http://${host.address}:${port}/`, { signal: AbortSignal.timeout(5000) })).json()) as Record<string, unknown>;
  const deploy = async () => {
    const r = await cli(['staging', '-c', file], { cwd: work, timeoutMs: 300_000 });
    expect(r.code, r.stderr + r.stdout).toBe(0);
    return releaseOf(r.stdout);
  };
  const cacheId = () => on(f, host.name, `stat -c '%i %Y' '${cache}' '${cache}.key'`);

  beforeAll(() => {
    const root = scratch(`recipe-node-${pm}`);
    work = join(root, 'work');
    const bare = join(root, 'app.git');
    const config = join(root, 'gitconfig');
    writeFileSync(config, '[safe]\n\tdirectory = *\n');
    env = {
      ...process.env,
      GIT_CONFIG_GLOBAL: config,
      GIT_AUTHOR_NAME: 't',
      GIT_AUTHOR_EMAIL: 't@t',
      GIT_COMMITTER_NAME: 't',
      GIT_COMMITTER_EMAIL: 't@t',
    };
    cpSync(join(repoRoot, 'fixtures', 'node-pm'), work, { recursive: true, filter: (src) => !/node_modules/.test(src) });
    rmSync(join(work, other));
    execFileSync('git', ['init', '-q', '--bare', '-b', 'main', bare], { env });
    git('init', '-q', '-b', 'main');
    git('remote', 'add', 'origin', bare);
    commit('v1');
  });

  afterAll(async () => {
    if (file) await cli(['task', 'staging', 'node:stop', '-c', file], { cwd: work });
    await on(f, host.name, `rm -rf '${deployTo}'`).catch(() => {});
  }, 120_000);

  it(`deploy init writes ${lock} as the lockfile; the first deploy builds with the devDependency and prunes it`, async () => {
    const r = await cli(['init', '--recipe', 'node'], { cwd: work, env: { HOME: process.env.HOME ?? '/root' } });
    expect(r.code, r.stderr).toBe(0);
    file = join(work, 'deploy.yml');
    const c = parse(readFileSync(file, 'utf8')) as Record<string, any>;
    expect(c.install?.lockfile).toBe(lock);
    c.repository = join(work, '..', 'app.git');
    c.deploy_to = deployTo;
    c.ssh = { ...c.ssh, identity_file: f.key, known_hosts: f.knownHosts, connect_timeout: 5 };
    c.env = { ...c.env, PORT: port, PATH: `${tools}/node_modules/.bin:/usr/local/bin:/usr/bin:/bin` };
    c.migrate = null;
    c.health = { path: '/', port, retries: 60, interval: 0.25, timeout: 3 };
    c.stages = { staging: { hosts: [{ name: host.name, address: host.address, roles: ['web'] }] } };
    writeFileSync(file, stringify(c));

    const r1 = await deploy();
    expect(await health()).toMatchObject({ status: 'ok', version: 'v1', release: r1, built: 'built true', hour: 3_600_000 });
    const release = `${deployTo}/releases/${r1}`;
    expect(await on(f, host.name, `ls -d '${release}/node_modules/ms' | wc -l`)).toBe('1');
    expect(await on(f, host.name, `ls -d '${release}/node_modules/is-number' 2>/dev/null | wc -l`)).toBe('0');
    expect(await on(f, host.name, `ls -d '${cache}/is-number' '${cache}/ms' | wc -l`)).toBe('2');
  });

  it('a code-only change: no package manager runs (the cached install is copied), built and pruned again', async () => {
    const before = await cacheId();
    commit('v2');
    const r2 = await deploy();
    expect(await cacheId()).toBe(before);
    expect(await health()).toMatchObject({ version: 'v2', release: r2, built: 'built true' });
    expect(await on(f, host.name, `ls -d '${deployTo}/releases/${r2}/node_modules/is-number' 2>/dev/null | wc -l`)).toBe('0');
  });
});
