import { readFileSync, writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fleet } from '../fleet/context.js';
import { sshRun, type Fleet } from '../fleet/fleet.js';
import { appRepo, cli, project, scratch, type AppRepo } from './support/project.js';

const MIGRATION_003 = {
  name: '003_count_runs.sql',
  sql: 'create table migration_runs (id serial primary key);\ninsert into migration_runs default values;\n',
};

async function on(f: Fleet, host: string, command: string): Promise<string> {
  const r = await sshRun(f, host, command);
  if (r.code !== 0) throw new Error(`${host}: ${command}: exit ${r.code}: ${r.stderr}`);
  return r.stdout.trim();
}

const codeHosts = (f: Fleet) => f.hosts.filter((h) => !h.roles.includes('balancer')).map((h) => h.name);
const webHosts = (f: Fleet) => f.hosts.filter((h) => h.roles.includes('web')).map((h) => h.name);

async function currentOn(f: Fleet, deployTo: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const h of codeHosts(f)) out[h] = (await sshRun(f, h, `readlink '${deployTo}/current' | xargs -r basename`)).stdout.trim();
  return out;
}

async function viaBalancer(f: Fleet): Promise<{ version: string; release: string }> {
  const r = await fetch(`${f.balancer!.url}/health`);
  return (await r.json()) as { version: string; release: string };
}

const stopApps = async (f: Fleet, deployTo: string) => {
  for (const h of webHosts(f)) await sshRun(f, h, `[ -x '${deployTo}/current/bin/stop' ] && '${deployTo}/current/bin/stop' || true`);
};

const releaseOf = (stdout: string) => /release (\d{14})/.exec(stdout)?.[1] ?? '';

describe('deploy with the git strategy', () => {
  let f: Fleet;
  let repo: AppRepo;
  let p: ReturnType<typeof project>;
  let v1: string;
  let v2: string;
  let r1: string;
  let r2: string;

  beforeAll(() => {
    f = fleet();
    repo = appRepo();
    p = project(f, { source: { repository: repo.url }, keepReleases: 3 });
  });
  afterAll(() => stopApps(f, p.deployTo));

  it('deploys v1 to every host, the app serves it through the balancer', async () => {
    v1 = repo.commit('v1');
    const r = await cli(['staging', '-c', p.file]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    r1 = releaseOf(r.stdout);
    expect(Object.values(await currentOn(f, p.deployTo))).toEqual(codeHosts(f).map(() => r1));
    for (const h of codeHosts(f)) expect(await on(f, h, `cat '${p.deployTo}/current/REVISION'`)).toBe(v1);
    expect(await viaBalancer(f)).toMatchObject({ version: 'v1', release: r1 });
  });

  it('deploys v2 with a new migration, applied exactly once; shared files survive; the lockfile is reused', async () => {
    await on(f, 'web1', `echo kept > '${p.deployTo}/shared/log/keep.txt'`);
    v2 = repo.commit('v2', { migration: MIGRATION_003 });
    const r = await cli(['staging', '-c', p.file]);
    expect(r.code, r.stderr).toBe(0);
    r2 = releaseOf(r.stdout);
    expect(r2 > r1).toBe(true);
    expect(r.stdout).toContain('reused node_modules');
    expect(Object.values(await currentOn(f, p.deployTo))).toEqual(codeHosts(f).map(() => r2));
    for (const h of codeHosts(f)) expect(await on(f, h, `cat '${p.deployTo}/current/REVISION'`)).toBe(v2);
    expect(await on(f, 'web1', `cat '${p.deployTo}/current/log/keep.txt'`)).toBe('kept');
    expect(await viaBalancer(f)).toMatchObject({ version: 'v2', release: r2 });
    const runs = await on(
      f,
      'db1',
      `psql -h ${f.hosts.find((h) => h.name === 'db1')!.address} -U postgres -d app -Atc 'select count(*) from migration_runs'`,
    );
    expect(runs).toBe('1');
  });

  it('rolls back to v1 on every host and marks v2 bad; releases shows it', async () => {
    const r = await cli(['rollback', 'staging', '-c', p.file]);
    expect(r.code, r.stderr).toBe(0);
    expect(Object.values(await currentOn(f, p.deployTo))).toEqual(codeHosts(f).map(() => r1));
    expect(await viaBalancer(f)).toMatchObject({ version: 'v1', release: r1 });
    for (const h of codeHosts(f)) expect(await on(f, h, `test -e '${p.deployTo}/releases/${r2}/.deploy-bad' && echo bad`)).toBe('bad');
    const rel = await cli(['releases', 'staging', '-c', p.file, '--json']);
    const web1 = rel.stdout
      .split('\n')
      .map((l) => JSON.parse(l))
      .find((x) => x.host === 'web1');
    expect(web1).toMatchObject({ current: r1, bad: [r2] });
    const log = await on(f, 'web1', `tail -n 1 '${p.deployTo}/revisions.log'`);
    expect(JSON.parse(log)).toMatchObject({ release: r1, outcome: 'rolled-back', stage: 'staging' });
  });

  it('a second rollback with nothing earlier refuses and changes nothing', async () => {
    const r = await cli(['rollback', 'staging', '-c', p.file]);
    expect(r.code).toBe(5);
    expect(r.stderr).toContain('no single earlier release');
    expect(Object.values(await currentOn(f, p.deployTo))).toEqual(codeHosts(f).map(() => r1));
  });

  it('keeps keep_releases releases, never the live one or the rollback target', async () => {
    for (const v of ['v3', 'v4', 'v5']) {
      repo.commit(v);
      const r = await cli(['staging', '-c', p.file]);
      expect(r.code, r.stderr).toBe(0);
    }
    for (const h of codeHosts(f)) {
      const releases = (await on(f, h, `ls '${p.deployTo}/releases'`)).split('\n');
      expect(releases).toHaveLength(3);
    }
    expect((await viaBalancer(f)).version).toBe('v5');
  });

  it('fails before the switch on a missing required shared file: exit 5, current untouched, release removed', async () => {
    const before = await currentOn(f, p.deployTo);
    const broken = project(f, {
      source: { repository: repo.url },
      deployTo: p.deployTo,
      extra: { shared: { dirs: ['log', 'tmp/pids'], files: ['config/secret.yml'] } },
    });
    const r = await cli(['staging', '-c', broken.file]);
    expect(r.code).toBe(5);
    expect(r.stderr).toContain(`web1: shared: `);
    expect(r.stderr).toContain(`missing shared file: ${p.deployTo}/shared/config/secret.yml`);
    const release = releaseOf(r.stdout);
    expect(await currentOn(f, p.deployTo)).toEqual(before);
    for (const h of codeHosts(f))
      expect(await on(f, h, `test -e '${p.deployTo}/releases/${release}' && echo left || echo gone`)).toBe('gone');
    const lock = await cli(['lock', 'staging', 'status', '-c', p.file]);
    expect(lock.stdout).toContain('unlocked');
  });

  it('a release whose health check fails is switched back everywhere: exit 6, one consistent release', async () => {
    const before = await currentOn(f, p.deployTo);
    repo.commit('v6-broken', { failHealth: true });
    const r = await cli(['staging', '-c', p.file]);
    expect(r.code).toBe(6);
    expect(r.stderr).toMatch(/health/);
    const bad = releaseOf(r.stdout);
    expect(await currentOn(f, p.deployTo)).toEqual(before);
    expect((await viaBalancer(f)).version).toBe('v5');
    for (const h of codeHosts(f)) expect(await on(f, h, `test -e '${p.deployTo}/releases/${bad}/.deploy-bad' && echo bad`)).toBe('bad');
  });

  it('of two deploys started at once exactly one wins; the other exits 3 naming the holder', async () => {
    repo.commit('v7');
    const [a, b] = await Promise.all([cli(['staging', '-c', p.file, '-m', 'first']), cli(['staging', '-c', p.file, '-m', 'second'])]);
    const codes = [a.code, b.code].sort();
    expect(codes).toEqual([0, 3]);
    const loser = a.code === 3 ? a : b;
    expect(loser.stderr).toMatch(/stage staging is locked on db1 by \S+@\S+ \(deploy \d{8}-\d{6}\) since .* ago\): "(first|second)"/);
  });
});

describe('deploy with the artifact strategy', () => {
  let f: Fleet;
  let repo: AppRepo;
  let p: ReturnType<typeof project>;
  const port = '3101';

  beforeAll(() => {
    f = fleet();
    repo = appRepo();
    p = project(f, {
      source: { artifact: { build: `rm -rf build && mkdir build && git -C ${repo.work} archive HEAD | tar -x -C build`, path: 'build' } },
      extra: {
        env: { PORT: port, DATABASE_URL: `postgres://postgres@${f.hosts.find((h) => h.name === 'db1')!.address}:5432/app` },
        health: { path: '/health', port: Number(port), retries: 20, interval: 0.25 },
      },
    });
  });
  afterAll(() => stopApps(f, p.deployTo));

  it('builds once, uploads with a checksum, and serves v1 then v2 on every web host', async () => {
    for (const v of ['v1', 'v2']) {
      repo.commit(v);
      const r = await cli(['staging', '-c', p.file]);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toMatch(/artifact \d+ bytes, sha256 [0-9a-f]{64}/);
      const release = releaseOf(r.stdout);
      for (const h of webHosts(f)) {
        const address = f.hosts.find((x) => x.name === h)!.address;
        const health = JSON.parse(await on(f, h, `curl -s http://${address}:${port}/health`));
        expect(health).toMatchObject({ version: v, release });
      }
    }
  });
});

describe('a deploy_to with spaces, quotes and $(…)', () => {
  it('works and runs nothing it should not', async () => {
    const f = fleet();
    const repo = appRepo();
    repo.commit('v1');
    const deployTo = `/srv/we ird'dir $(touch /tmp/pwned)`;
    const p = project(f, {
      source: { repository: repo.url },
      deployTo,
      extra: { env: { PORT: '3102' }, health: { path: '/health', port: 3102 } },
    });
    try {
      const r = await cli(['staging', '-c', p.file]);
      expect(r.code, r.stderr).toBe(0);
      const q = `'/srv/we ird'\\''dir $(touch /tmp/pwned)'`;
      for (const h of codeHosts(f)) {
        expect(await on(f, h, `test -L ${q}/current && echo linked`)).toBe('linked');
        expect(await on(f, h, `test -e /tmp/pwned && echo PWNED || echo clean`)).toBe('clean');
      }
    } finally {
      for (const h of webHosts(f)) await sshRun(f, h, `'/srv/we ird'\\''dir $(touch /tmp/pwned)/current/bin/stop' || true`);
    }
  });
});

describe('host keys', () => {
  it('a wrong host key is refused with exit 4, naming the host and the fingerprint; nothing runs', async () => {
    const f = fleet();
    const repo = appRepo();
    repo.commit('v1');
    const p = project(f, { source: { repository: repo.url }, hosts: ['web1', 'db1'] });
    const lines = readFileSync(f.knownHosts, 'utf8').split('\n');
    const web2Key = lines
      .find((l) => l.split(' ')[0]?.split(',').includes('web2'))!
      .split(' ')
      .slice(1)
      .join(' ');
    const forged = lines.map((l) => (l.split(' ')[0]?.split(',').includes('web1') ? `${l.split(' ')[0]} ${web2Key}` : l)).join('\n');
    const kh = `${p.dir}/known_hosts`;
    writeFileSync(kh, forged);
    writeFileSync(p.file, readFileSync(p.file, 'utf8').replace(f.knownHosts, kh));
    const r = await cli(['staging', '-c', p.file]);
    expect(r.code, r.stderr).toBe(4);
    expect(r.stderr).toMatch(/web1/);
    expect(r.stderr).toMatch(/SHA256:[A-Za-z0-9+/]{43}/);
    expect(await on(f, 'web1', `test -e '${p.deployTo}' && echo exists || echo absent`)).toBe('absent');
  });

  it('StrictHostKeyChecking no in the ssh config is not followed: unknown hosts exit 4, each named; deploy.yml may opt in', async () => {
    const f = fleet();
    const repo = appRepo();
    repo.commit('v1');
    const dir = scratch('hostkeys');
    const knownHosts = `${dir}/known_hosts`;
    writeFileSync(knownHosts, '');
    writeFileSync(`${dir}/ssh_config`, "# the user's own, for other hosts\nHost *\n  StrictHostKeyChecking no\n");
    const hosts = ['web1', 'db1'];
    const ssh = { user: 'deploy', identity_file: f.key, known_hosts: knownHosts, config_file: `${dir}/ssh_config`, connect_timeout: 5 };
    const app = { env: { PORT: '3112' }, health: { path: '/health', port: 3112, retries: 20, interval: 0.25 } };
    const refused = project(f, { source: { repository: repo.url }, hosts, extra: { ...app, ssh } });
    const r = await cli(['staging', '-c', refused.file]);
    expect(r.code, r.stderr).toBe(4);
    for (const h of hosts) {
      expect(r.stdout).toMatch(
        new RegExp(
          `^\\S+ ${h}\\s+warning\\s+${dir}/ssh_config:3: StrictHostKeyChecking no was not followed for ${h}: host keys are checked strictly`,
          'm',
        ),
      );
      expect(r.stderr).toMatch(new RegExp(`^  ${h}: check: host key verification failed: 127\\.\\S+ is unknown`, 'm'));
      expect(await on(f, h, `test -e '${refused.deployTo}' && echo exists || echo absent`)).toBe('absent');
    }

    const opted = project(f, { source: { repository: repo.url }, hosts, extra: { ...app, ssh: { ...ssh, accept_new_host_keys: true } } });
    try {
      const ok = await cli(['staging', '-c', opted.file]);
      expect(ok.code, ok.stderr).toBe(0);
      const accepted = ok.stdout.split('\n').filter((l) => / warning /.test(l));
      expect(accepted.map((l) => l.split(/\s+/)[1]).sort()).toEqual([...hosts].sort());
      for (const l of accepted)
        expect(l).toMatch(
          /is not in known_hosts; accepted for this run \(ssh.accept_new_host_keys\), nothing written: it offered ssh-ed25519 key SHA256:/,
        );
      for (const h of hosts) expect(await on(f, h, `readlink '${opted.deployTo}/current'`)).toMatch(/releases\/\d{14}$/);
      expect(readFileSync(knownHosts, 'utf8')).toBe('');
    } finally {
      await sshRun(f, 'web1', `'${opted.deployTo}/current/bin/stop' || true`);
    }
  });
});
