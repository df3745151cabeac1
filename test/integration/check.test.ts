import { chmodSync, chownSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fleet } from '../fleet/context.js';
import { refuse, restore, sshRun, type Fleet } from '../fleet/fleet.js';
import { appRepo, cli, project, scratch, type AppRepo } from './support/project.js';
import { until } from '../support/until.js';

const PORT = 3113;
const codeHosts = (f: Fleet) => f.hosts.filter((h) => !h.roles.includes('balancer')).map((h) => h.name);
const addressOf = (f: Fleet, name: string) => f.hosts.find((h) => h.name === name)!.address;
const absent = async (f: Fleet, host: string, dir: string) =>
  (await sshRun(f, host, `test -e '${dir}' && echo exists || echo absent`)).stdout.trim();

describe('preflight: what a deploy needs from each host, checked before anything is written', () => {
  let f: Fleet;
  let repo: AppRepo;
  let listener = '';

  beforeAll(() => {
    f = fleet();
    repo = appRepo();
    repo.commit('v1');
  });

  afterAll(async () => {
    if (listener) await sshRun(f, 'web1', `kill ${listener} 2>/dev/null || true`);
  });

  it('deploy check names each host that cannot read the repository, with what git said', async () => {
    // Root (this machine) can read it; the hosts' deploy user cannot: the credentials that count are the host's.
    const hidden = join(scratch('private'), 'repo');
    mkdirSync(hidden);
    chownSync(hidden, 0, 0);
    chmodSync(hidden, 0o700);
    const p = project(f, { source: { repository: `${hidden}/app.git` } });
    const r = await cli(['check', 'staging', '-c', p.file]);
    expect(r.code, r.stdout).toBe(5);
    for (const h of codeHosts(f)) {
      expect(r.stderr).toMatch(
        new RegExp(
          `${h}: check: cannot read the repository ${hidden}/app\\.git from this host with its own credentials \\(git: fatal: .*\\)`,
        ),
      );
    }
    expect(r.stderr).not.toContain('lb1: check');
    // The same repository, readable: the check passes and says so.
    const ok = await cli(['check', 'staging', '-c', project(f, { source: { repository: repo.url } }).file]);
    expect(ok.code, ok.stderr).toBe(0);
    expect(ok.stdout).toMatch(/web1 +info +ok: .*repository readable/);
  });

  it('a host that refuses connections fails the check (exit 4, named); the others give their locks back; nothing to unlock', async () => {
    const p = project(f, { source: { repository: repo.url } });
    await refuse(f, 'web2');
    let r: Awaited<ReturnType<typeof cli>>;
    try {
      r = await cli(['staging', '-c', p.file]);
    } finally {
      await restore(f, 'web2');
    }
    expect(r.code, r.stderr).toBe(4);
    expect(r.stderr).toMatch(/web2: check: connection refused by [\d.]+:22/);
    // web2 was never reached, so it holds no lock of this run: nothing to release there, nothing to unlock.
    expect(r.stderr).not.toMatch(/could not be released|deploy unlock/);
    for (const h of f.hosts.map((x) => x.name)) expect(await absent(f, h, `${p.deployTo}/deploy.lock`)).toBe('absent');
    const again = await cli(['staging', '-c', p.file]);
    expect(again.code, again.stderr).toBe(0);
    expect(`${again.stdout}${again.stderr}`).not.toMatch(/taking over the lock|held by/);
    for (const h of ['web1', 'web2']) await sshRun(f, h, `'${p.deployTo}/current/bin/stop' || true`);
  });

  it('a first deploy whose app port is taken on a host fails in preflight naming host and port, and writes nothing', async () => {
    const started = await sshRun(
      f,
      'web1',
      `cd /tmp; nohup python3 -m http.server ${PORT} --bind ${addressOf(f, 'web1')} >/dev/null 2>&1 </dev/null & echo $!`,
    );
    listener = started.stdout.trim();
    const answers = async () => (await sshRun(f, 'web1', `curl -s -o /dev/null http://${addressOf(f, 'web1')}:${PORT}/`)).code === 0;
    await until(answers, { timeout: 10_000, interval: 100, what: `the listener on port ${PORT} of web1` });
    const p = project(f, {
      source: { repository: repo.url },
      extra: { env: { PORT: String(PORT) }, health: { path: '/health', port: PORT, retries: 20, interval: 0.25 } },
    });
    const r = await cli(['staging', '-c', p.file]);
    expect(r.code, r.stdout).toBe(5);
    expect(r.stderr).toContain(
      `web1: check: port ${PORT} on ${addressOf(f, 'web1')} is already in use, and this is the host's first deploy`,
    );
    expect(r.stderr).not.toContain('web2: check');
    for (const h of codeHosts(f)) expect(await absent(f, h, p.deployTo)).toBe('absent');
    const check = await cli(['check', 'staging', '-c', p.file]);
    expect(check.code).toBe(5);
    expect(check.stderr).toContain(`web1: check: port ${PORT} on ${addressOf(f, 'web1')} is already in use`);

    await sshRun(f, 'web1', `kill ${listener}`);
    listener = '';
    const again = await cli(['staging', '-c', p.file]);
    expect(again.code, again.stderr).toBe(0);
    // Not a first deploy any more: the app's own port is in use by the app, and that is fine.
    const redeploy = await cli(['check', 'staging', '-c', p.file]);
    expect(redeploy.code, redeploy.stderr).toBe(0);
    for (const h of ['web1', 'web2']) await sshRun(f, h, `'${p.deployTo}/current/bin/stop' || true`);
  });
});
