import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execa } from 'execa';
import { join } from 'node:path';
import { fleet } from '../fleet/context.js';
import { sshRun, type Fleet } from '../fleet/fleet.js';
import { appRepo, cli, project, repoRoot, type AppRepo } from './support/project.js';
import { until } from '../support/until.js';

const PORT = '3111';
const codeHosts = (f: Fleet) => f.hosts.filter((h) => !h.roles.includes('balancer')).map((h) => h.name);

async function listing(f: Fleet, deployTo: string): Promise<string> {
  const out: string[] = [];
  for (const h of codeHosts(f))
    out.push(
      `${h}: ${(await sshRun(f, h, `ls '${deployTo}/releases' 2>/dev/null; readlink '${deployTo}/current' || true`)).stdout.trim()}`,
    );
  return out.join('\n');
}

describe('what a deploy must not do', () => {
  let f: Fleet;
  let repo: AppRepo;
  let p: ReturnType<typeof project>;

  beforeAll(async () => {
    f = fleet();
    repo = appRepo();
    repo.commit('v1');
    p = project(f, {
      source: { repository: repo.url },
      extra: { env: { PORT }, health: { path: '/health', port: Number(PORT), retries: 20, interval: 0.25 } },
    });
    const first = await cli(['staging', '-c', p.file]);
    expect(first.code, first.stderr).toBe(0);
  });
  afterAll(async () => {
    for (const h of ['web1', 'web2']) await sshRun(f, h, `'${p.deployTo}/current/bin/stop' || true`);
  });

  it('--dry-run reads the real state, prints the writes per host, and changes nothing', async () => {
    const before = await listing(f, p.deployTo);
    const r = await cli(['staging', '--dry-run', '-c', p.file]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^web1 \(/m);
    expect(r.stdout).toContain('switch');
    expect(r.stdout).toMatch(/\$ ln -sfn /);
    // The real state was read: install would reuse the live release's node_modules (a fresh host would not).
    expect(r.stdout).toMatch(/cp -al .*node_modules/);
    expect(await listing(f, p.deployTo)).toBe(before);
    const lock = await cli(['lock', 'staging', 'status', '-c', p.file]);
    expect(lock.stdout).toContain('unlocked');
  });

  it('a preflight failure reports every failing host at once, exits 5, and writes nothing', async () => {
    const broken = project(f, { source: { repository: repo.url }, extra: { install: { command: 'no-such-installer ci' } } });
    const r = await cli(['staging', '-c', broken.file]);
    expect(r.code).toBe(5);
    for (const h of codeHosts(f)) expect(r.stderr).toContain(`${h}: check: missing tools: no-such-installer`);
    for (const h of codeHosts(f))
      expect((await sshRun(f, h, `test -e '${broken.deployTo}' && echo exists || echo absent`)).stdout.trim()).toBe('absent');
  });

  it('SIGINT mid-deploy exits 130, releases the lock and leaves every host on one release', async () => {
    const before = await listing(f, p.deployTo);
    repo.commit('v2', { files: { 'slow-install.sh': 'sleep 30\n' } });
    const slow = project(f, {
      source: { repository: repo.url },
      deployTo: p.deployTo,
      extra: { env: { PORT }, health: { path: '/health', port: Number(PORT) }, install: { command: 'sh slow-install.sh' } },
    });
    const child = execa('node', [join(repoRoot, 'dist', 'cli', 'bin.js'), 'staging', '-c', slow.file], {
      reject: false,
      env: { CI: 'true' },
    });
    let output = '';
    child.stdout?.on('data', (c: Buffer) => (output += c.toString()));
    await until(() => output.includes('shared'), { timeout: 60_000, interval: 100, what: 'the shared step' });
    child.kill('SIGINT');
    const r = await child;
    expect(r.exitCode).toBe(130);
    expect(await listing(f, p.deployTo)).toBe(before);
    const lock = await cli(['lock', 'staging', 'status', '-c', p.file]);
    expect(lock.stdout).toContain('unlocked');
  });

  it('a reader that goes away (| head) does not stop the deploy half-way: it finishes and releases the lock', async () => {
    repo.commit('v3');
    const bin = join(repoRoot, 'dist', 'cli', 'bin.js');
    const r = await execa('sh', ['-c', `node '${bin}' staging --json -c '${p.file}' | head -n 1`], { reject: false, env: { CI: 'true' } });
    expect(r.exitCode).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ type: 'run:start', stage: 'staging' });
    let lock = '';
    const unlocked = async () => (lock = (await cli(['lock', 'staging', 'status', '-c', p.file])).stdout).includes('unlocked');
    await until(unlocked, { timeout: 60_000, interval: 500, what: () => `the lock released; last saw: ${lock}` });
    for (const h of codeHosts(f)) expect((await sshRun(f, h, `cat '${p.deployTo}/current/VERSION'`)).stdout.trim()).toBe('v3');
  });

  it('run executes an ad-hoc command on the selected hosts, output grouped per host', async () => {
    const r = await cli(['run', 'staging', '--roles', 'web', '-c', p.file, '--', 'hostname; cat VERSION']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe('── web1 (exit 0)\nweb1\nv3\n── web2 (exit 0)\nweb2\nv3');
    const failing = await cli(['run', 'staging', '--hosts', 'db1', '-c', p.file, '--', 'exit 7']);
    expect(failing.code).toBe(5);
    expect(failing.stdout).toContain('── db1 (exit 7)');
  });

  it('run: several words are one program and its arguments, each quoted; one word stays a shell snippet', async () => {
    const hosts = f.hosts.map((h) => h.name);
    for (const h of hosts) await sshRun(f, h, 'rm -f /tmp/PWNED');
    const argv = await cli(['run', 'staging', '-c', p.file, '--', 'printf', '[%s]\\n', 'a b', 'x; touch /tmp/PWNED']);
    expect(argv.code, argv.stderr).toBe(0);
    expect(argv.stdout).toBe(hosts.map((h) => `── ${h} (exit 0)\n[a b]\n[x; touch /tmp/PWNED]`).join('\n'));
    for (const h of hosts) expect((await sshRun(f, h, 'test -e /tmp/PWNED && echo PWNED || echo clean')).stdout.trim(), h).toBe('clean');
    const snippet = await cli(['run', 'staging', '--hosts', 'web1', '-c', p.file, '--', "printf 'a\\nb\\n' | wc -l"]);
    expect(snippet.code, snippet.stderr).toBe(0);
    expect(snippet.stdout).toBe('── web1 (exit 0)\n2');
  });
});
