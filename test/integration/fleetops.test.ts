/**
 * Fleet lifecycle on the real fleet: `deploy sync` brings web hosts added to deploy.yml to the live release (a
 * sibling fleet of 4 web hosts behind haproxy, 2 of them in deploy.yml at first), `deploy drain`/`undrain` behind
 * haproxy and nginx, a host removed from deploy.yml leaving the pool, and the `purge` hook point. Every change runs
 * under a steady request stream through the balancer and must fail no request.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { parse, stringify } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fleet, tempFleet, type TempFleet } from '../fleet/context.js';
import { sshRun, type Fleet } from '../fleet/fleet.js';
import { appRepo, cli, type AppRepo } from './support/project.js';
import { underLoad } from './support/load.js';
import { currentOf, rotationOf, stopApps, streamCli, tieredProject, type Streamed } from './support/tiers.js';

interface StatusJson {
  hosts: { host: string; current: string | null; rotation: string; behind?: string; drainedSince?: string }[];
}

const endOf = (s: Streamed) => s.events.find((e) => e.type === 'run:end')!;
const chosen = (s: Streamed) => s.events.filter((e) => e.type === 'release:chosen').map((e) => e.release);

async function on(f: Fleet, host: string, command: string): Promise<string> {
  const r = await sshRun(f, host, command);
  if (r.code !== 0) throw new Error(`${host}: ${command}: exit ${r.code}: ${r.stderr}`);
  return r.stdout.trim();
}

/** Rewrites the stage's hosts of deploy.yml to the fleet's hosts named (plus every host that is not a web host). */
function keepWebs(file: string, f: Fleet, webs: readonly string[]): void {
  const doc = parse(readFileSync(file, 'utf8')) as { stages: { staging: { hosts: { name: string; roles: string[] }[] } } };
  const all = f.hosts.map((h) => ({ name: h.name, address: h.address, roles: h.roles, vars: { HOST: h.address } }));
  doc.stages.staging.hosts = all.filter((h) => !h.roles.includes('web') || webs.includes(h.name));
  writeFileSync(file, stringify(doc));
}

async function status(file: string): Promise<StatusJson> {
  const r = await cli(['status', 'staging', '-c', file, '--json']);
  return JSON.parse(r.stdout) as StatusJson;
}

describe('deploy sync: a fleet grown from 2 to 4 web hosts behind haproxy', () => {
  let temp: TempFleet;
  let f: Fleet;
  let repo: AppRepo;
  let p: ReturnType<typeof tieredProject>;
  let live = '';

  beforeAll(async () => {
    temp = await tempFleet({ balancer: 'haproxy', webs: 4, media: false });
    f = temp.fleet;
    repo = appRepo();
    p = tieredProject(f, repo, { deployTo: `/srv/fleetops-${Date.now()}` });
    keepWebs(p.file, f, ['web1', 'web2']);
    repo.commit('v1');
    const first = await streamCli(['staging', '-c', p.file]);
    expect(first.code, first.stderr).toBe(0);
    live = chosen(first).at(-1)!;
  }, 240_000);

  afterAll(async () => {
    if (!f) return;
    await stopApps(f, p.deployTo);
    await temp.down();
  });

  it('status names the new hosts as behind and says `deploy sync` fixes them', async () => {
    keepWebs(p.file, f, ['web1', 'web2', 'web3', 'web4']);
    const s = await status(p.file);
    expect(s.hosts.filter((h) => h.behind).map((h) => `${h.host} ${h.behind}`)).toEqual([`web3 ${live}`, `web4 ${live}`]);
    const text = await cli(['status', 'staging', '-c', p.file]);
    expect(text.stdout).toContain(`warning: web3, web4 are behind: their role serves ${live}; \`deploy sync staging\` brings them to it`);
  });

  it('sync brings them to the live release (same id, same revision, no migration, no new release) and into rotation only when healthy: 0 failed requests', async () => {
    const revision = await on(f, 'web1', `cat ${p.deployTo}/releases/${live}/REVISION`);
    // web3 reads 2 s before its app may answer: a host put into rotation before its health check fails requests.
    const { result, load } = await underLoad(f, () => streamCli(['sync', 'staging', '-c', p.file]));
    expect(result.code, result.stderr).toBe(0);
    expect(load.failures, JSON.stringify(load.errors)).toBe(0);
    expect(load.requests).toBeGreaterThan(20);
    expect(chosen(result)).toEqual([]);
    expect(result.events.some((e) => e.step === 'migrate')).toBe(false);
    for (const h of ['web1', 'web2', 'web3', 'web4']) expect(`${h} ${await currentOf(f, p.deployTo, h)}`).toBe(`${h} ${live}`);
    for (const h of ['web3', 'web4']) expect(await on(f, h, `cat ${p.deployTo}/releases/${live}/REVISION`)).toBe(revision);
    expect(await rotationOf(f)).toEqual({ web1: 'in', web2: 'in', web3: 'in', web4: 'in' });
    // Each new host went into rotation after its health check passed.
    for (const h of ['web3', 'web4']) {
      const healthy = result.events.findIndex((e) => e.type === 'health' && e.host === h && e.ok);
      const ready = result.events.findIndex((e) => e.type === 'drain' && e.host === h && e.action === 'ready');
      expect(healthy, h).toBeGreaterThan(-1);
      expect(ready, h).toBeGreaterThan(healthy);
    }
    expect(endOf(result).summary?.hosts.map((h) => `${h.host} ${h.current}`)).toEqual([`web3 ${live}`, `web4 ${live}`]);
    const hosts = new Set<string>();
    for (let i = 0; i < 16; i++) hosts.add(((await (await fetch(`${f.balancer!.url}/health`)).json()) as { host: string }).host);
    expect([...hosts].sort()).toEqual(['web1', 'web2', 'web3', 'web4']);
    expect((await status(p.file)).hosts.filter((h) => h.behind)).toEqual([]);
    // Nothing left to do: a second sync changes nothing.
    const again = await streamCli(['sync', 'staging', '-c', p.file]);
    expect(again.code, again.stderr).toBe(0);
    expect(again.events.some((e) => e.type === 'info' && e.message?.includes('nothing to sync'))).toBe(true);
  });

  it('drain and undrain under load: 0 failed requests, status shows since when', async () => {
    const drained = await underLoad(f, () => streamCli(['drain', 'staging', '-c', p.file, '--hosts', 'web3']));
    expect(drained.result.code, drained.result.stderr).toBe(0);
    expect(drained.load.failures, JSON.stringify(drained.load.errors)).toBe(0);
    expect(await rotationOf(f)).toMatchObject({ web3: 'maint', web1: 'in' });
    const s = await status(p.file);
    const web3 = s.hosts.find((h) => h.host === 'web3')!;
    expect(web3.rotation).toBe('out');
    expect(web3.drainedSince).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    expect((await cli(['status', 'staging', '-c', p.file])).stdout).toMatch(
      /\nweb3 .* DRAINED since \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ \(\d+s\)/,
    );

    const back = await underLoad(f, () => streamCli(['undrain', 'staging', '-c', p.file, '--hosts', 'web3']));
    expect(back.result.code, back.result.stderr).toBe(0);
    expect(back.load.failures, JSON.stringify(back.load.errors)).toBe(0);
    const healthy = back.result.events.findIndex((e) => e.type === 'health' && e.host === 'web3' && e.ok);
    const ready = back.result.events.findIndex((e) => e.type === 'drain' && e.host === 'web3' && e.action === 'ready');
    expect(healthy).toBeGreaterThan(-1);
    expect(ready).toBeGreaterThan(healthy);
    expect(await rotationOf(f)).toMatchObject({ web3: 'in' });
    expect((await status(p.file)).hosts.find((h) => h.host === 'web3')).not.toHaveProperty('drainedSince');
  });

  it('undrain refuses a host that fails its health check, and it stays out', async () => {
    await streamCli(['drain', 'staging', '-c', p.file, '--hosts', 'web4']);
    const stop = await cli(['run', 'staging', '-c', p.file, '--hosts', 'web4', '--', 'bin/stop']);
    expect(stop.code, stop.stderr).toBe(0);
    const r = await streamCli(['undrain', 'staging', '-c', p.file, '--hosts', 'web4']);
    expect(r.code).toBe(5);
    expect(await rotationOf(f)).toMatchObject({ web4: 'maint' });
    const start = await cli(['run', 'staging', '-c', p.file, '--hosts', 'web4', '--', 'bin/start']);
    expect(start.code, start.stderr).toBe(0);
    const ok = await streamCli(['undrain', 'staging', '-c', p.file, '--hosts', 'web4']);
    expect(ok.code, ok.stderr).toBe(0);
    expect(await rotationOf(f)).toMatchObject({ web4: 'in' });
  });

  it('a host removed from deploy.yml leaves the pool on the next deploy (which brings every host listed to the new release), and status says so: 0 failed requests', async () => {
    keepWebs(p.file, f, ['web1', 'web2', 'web3']);
    expect((await cli(['status', 'staging', '-c', p.file])).stdout).toContain(
      'warning: lb1 still sends requests to web4, which is not in the pool in deploy.yml: the next deploy takes it out',
    );
    repo.commit('v2');
    const { result, load } = await underLoad(f, () => streamCli(['staging', '-c', p.file]));
    expect(result.code, result.stderr).toBe(0);
    expect(load.failures, JSON.stringify(load.errors)).toBe(0);
    const release = chosen(result).at(-1)!;
    for (const h of ['web1', 'web2', 'web3']) expect(`${h} ${await currentOf(f, p.deployTo, h)}`).toBe(`${h} ${release}`);
    expect(result.events.some((e) => e.type === 'info' && e.host === 'lb1' && e.message?.startsWith('web4 left the pool'))).toBe(true);
    expect(await rotationOf(f)).toEqual({ web1: 'in', web2: 'in', web3: 'in', web4: 'maint' });
    const hosts = new Set<string>();
    for (let i = 0; i < 12; i++) hosts.add(((await (await fetch(`${f.balancer!.url}/health`)).json()) as { host: string }).host);
    expect([...hosts].sort()).toEqual(['web1', 'web2', 'web3']);
    const text = (await cli(['status', 'staging', '-c', p.file])).stdout;
    expect(text).toContain('warning: web4 left the pool of lb1: it is not in the pool in deploy.yml');
    expect(text).not.toContain('behind');
  });
});

describe('deploy drain / undrain behind nginx', () => {
  let f: Fleet;
  let repo: AppRepo;
  let p: ReturnType<typeof tieredProject>;
  let upstream = '';

  beforeAll(async () => {
    f = fleet();
    upstream = await on(f, 'lb1', 'cat /srv/lb/upstream.conf');
    repo = appRepo();
    p = tieredProject(f, repo, { deployTo: `/srv/fleetops-nginx-${Date.now()}` });
    repo.commit('v1');
    const first = await streamCli(['staging', '-c', p.file]);
    expect(first.code, first.stderr).toBe(0);
  }, 240_000);

  afterAll(async () => {
    if (!f) return;
    await stopApps(f, p.deployTo);
    await on(
      f,
      'lb1',
      `cat > /srv/lb/upstream.conf.new <<'EOF'\n${upstream}\nEOF\nmv /srv/lb/upstream.conf.new /srv/lb/upstream.conf && /usr/sbin/nginx -c /srv/lb/nginx.conf -s reload`,
    );
  });

  it('drain web2 under load, never the last serving host, undrain it: 0 failed requests', async () => {
    const drained = await underLoad(f, () => streamCli(['drain', 'staging', '-c', p.file, '--hosts', 'web2']));
    expect(drained.result.code, drained.result.stderr).toBe(0);
    expect(drained.load.failures, JSON.stringify(drained.load.errors)).toBe(0);
    expect(await rotationOf(f)).toEqual({ web1: 'in', web2: 'down' });
    for (let i = 0; i < 6; i++) expect(((await (await fetch(`${f.balancer!.url}/health`)).json()) as { host: string }).host).toBe('web1');
    expect((await status(p.file)).hosts.find((h) => h.host === 'web2')).toMatchObject({
      rotation: 'out',
      drainedSince: expect.stringMatching(/Z$/),
    });

    const last = await streamCli(['drain', 'staging', '-c', p.file, '--hosts', 'web1']);
    expect(last.code).toBe(5);
    expect(last.stderr).toContain(
      'taking web1 out of rotation would leave lb1 with no host to send requests to; web2 (down) is out of rotation',
    );
    expect(await rotationOf(f)).toEqual({ web1: 'in', web2: 'down' });

    const back = await underLoad(f, () => streamCli(['undrain', 'staging', '-c', p.file, '--hosts', 'web2']));
    expect(back.result.code, back.result.stderr).toBe(0);
    expect(back.load.failures, JSON.stringify(back.load.errors)).toBe(0);
    expect(await rotationOf(f)).toEqual({ web1: 'in', web2: 'in' });
  });

  it('names what it cannot drain: a host of no pool, no --hosts', async () => {
    const none = await cli(['drain', 'staging', '-c', p.file]);
    expect(none.code).toBe(2);
    expect(none.stderr).toContain('deploy drain needs the hosts: --hosts web3 (or --roles)');
    const db = await cli(['drain', 'staging', '-c', p.file, '--hosts', 'db1']);
    expect(db.code).toBe(2);
    expect(db.stderr).toContain("db1 is in no balancer's pool (role web): nothing to drain");
  });

  it('sync records a live release whose revisions.log line was lost before it moves the host on (a late line), so no later run removes it as left behind', async () => {
    const live = await currentOf(f, p.deployTo, 'web1');
    repo.commit('v2');
    const next = await cli(['staging', '-c', p.file]);
    expect(next.code, next.stderr).toBe(0);
    const lost = await currentOf(f, p.deployTo, 'web2');
    // web2's line for the new release is lost (a failed write, so no live mark either); web1 is back on the release
    // before, its line gone too.
    const dropLine = `sed -i '/"release":"${lost}"/d' '${p.deployTo}/revisions.log' && rm -f '${p.deployTo}/releases/${lost}/.deploy-live'`;
    await on(f, 'web2', dropLine);
    await on(f, 'web1', `${dropLine} && cd '${p.deployTo}' && ln -sfn 'releases/${live}' current.tmp && mv -T current.tmp current`);
    const synced = await streamCli(['sync', 'staging', '-c', p.file]);
    expect(synced.code, synced.stderr).toBe(0);
    expect(await currentOf(f, p.deployTo, 'web2')).toBe(live);
    const lines = (await on(f, 'web2', `tail -n 2 '${p.deployTo}/revisions.log'`))
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines).toMatchObject([
      { release: lost, outcome: 'deployed', late: true },
      { release: live, outcome: 'deployed' },
    ]);
  });
});

describe('the purge hook point', () => {
  let f: Fleet;
  let repo: AppRepo;
  let p: ReturnType<typeof tieredProject>;

  const purgeLogs = async () => {
    const logs: Record<string, string[]> = {};
    for (const h of ['web1', 'web2']) {
      const text = (await sshRun(f, h, `cat '${p.deployTo}/purge.log' 2>/dev/null; rm -f '${p.deployTo}/purge.log'`)).stdout.trim();
      if (text) logs[h] = text.split('\n');
    }
    return logs;
  };

  beforeAll(async () => {
    f = fleet();
    repo = appRepo();
    p = tieredProject(f, repo, {
      deployTo: `/srv/fleetops-purge-${Date.now()}`,
      extra: {
        env: { MEDIA_URL: 'http://media.test' },
        tasks: {
          purge_cdn: {
            run: '{ echo "run $DEPLOY_VERB $DEPLOY_OUTCOME $DEPLOY_RELEASE"; sed "s|^|$MEDIA_URL/assets/current/|" "$DEPLOY_PURGE_MANIFEST"; } >> "$DEPLOY_TO/purge.log"',
            roles: ['web'],
            once: true,
          },
        },
        hooks: { after: { purge: ['purge_cdn'] } },
      },
    });
    repo.commit('v1');
    const first = await cli(['staging', '-c', p.file]);
    expect(first.code, first.stderr).toBe(0);
  }, 240_000);

  afterAll(async () => {
    if (f) await stopApps(f, p.deployTo);
  });

  it('runs once after the switch with the assets that changed, and once after a rollback with the same list', async () => {
    const first = await purgeLogs();
    // The first deploy: every asset is new.
    expect(
      Object.values(first)
        .flat()
        .filter((l) => l.startsWith('http')),
    ).toEqual(['app.js', 'logo.svg', 'style.css'].map((a) => `http://media.test/assets/current/${a}`));
    repo.commit('v2', { files: { 'public/style.css': 'body { color: red }\n', 'public/added.txt': 'new\n' } });
    const deployed = await streamCli(['staging', '-c', p.file]);
    expect(deployed.code, deployed.stderr).toBe(0);
    const release = chosen(deployed).at(-1)!;
    const logs = await purgeLogs();
    expect(Object.values(logs)).toEqual([
      [`run deploy deployed ${release}`, 'http://media.test/assets/current/added.txt', 'http://media.test/assets/current/style.css'],
    ]);

    const back = await streamCli(['rollback', 'staging', '-c', p.file]);
    expect(back.code, back.stderr).toBe(0);
    const before = await currentOf(f, p.deployTo, 'web1');
    expect(Object.values(await purgeLogs())).toEqual([
      [`run rollback rolled-back ${before}`, 'http://media.test/assets/current/added.txt', 'http://media.test/assets/current/style.css'],
    ]);
  });
});
