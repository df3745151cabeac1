import { existsSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fleet, netOf, tempFleet, type TempFleet } from '../fleet/context.js';
import { refuse, restore, smallSrv, sshRun, startHost, stopHost, type Fleet } from '../fleet/fleet.js';
import { FleetError, MAX_WEBS, planHosts, repoRoot, resolveOptions, siblingNet, webAddress } from '../fleet/plan.js';
import { waitFor } from '../fleet/proc.js';

const APP_SRC = join(repoRoot, 'fixtures', 'app');

async function run(f: Fleet, host: string, command: string): Promise<string> {
  const r = await sshRun(f, host, command);
  if (r.code !== 0) throw new Error(`${host}: \`${command}\` exited ${r.code}\n${r.stderr}\n${r.stdout}`);
  return r.stdout;
}

interface Reply {
  status: number;
  body: string;
  type: string | undefined;
}

/** Plain node:http, so paths like /a/../b reach the server unnormalised. */
function get(url: string, timeoutMs = 5000): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const u = new URL(url);
    const path = url.slice(url.indexOf('/', u.protocol.length + 2));
    const req = http.get({ host: u.hostname, port: u.port, path, agent: false, timeout: timeoutMs }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body, type: res.headers['content-type'] }));
    });
    req.on('timeout', () => req.destroy(new Error(`GET ${url}: no answer in ${timeoutMs} ms`)));
    req.on('error', reject);
  });
}

interface Health {
  httpStatus: number;
  [field: string]: unknown;
}

async function health(url: string): Promise<Health> {
  const r = await get(`${url}/health`);
  return { ...(JSON.parse(r.body) as Record<string, unknown>), httpStatus: r.status };
}

function connectResult(address: string, port: number): Promise<string> {
  return new Promise((done) => {
    const s = net.connect(port, address);
    s.on('connect', () => (s.destroy(), done('connected')));
    s.on('error', (e: NodeJS.ErrnoException) => done(e.code ?? e.message));
  });
}

const hostOf = (f: Fleet, name: string) => {
  const h = f.hosts.find((x) => x.name === name);
  if (!h) throw new Error(`no ${name} in fleet`);
  return h;
};

/** Ships fixtures/app to releases/<release> under deployTo; node_modules by `npm ci` on the host or by copy. */
async function shipApp(f: Fleet, host: string, deployTo: string, release: string, install: 'npm-ci' | 'copy'): Promise<void> {
  const dest = `${host}:${deployTo}/releases/${release}/`;
  const args = ['-a', '--mkpath', '--delete', '--exclude', 'FAIL_HEALTH', '-e', `ssh -F ${f.sshConfig}`];
  if (install === 'npm-ci') args.push('--exclude', 'node_modules');
  await execa('rsync', [...args, `${APP_SRC}/`, dest]);
  if (install === 'npm-ci') {
    await run(f, host, `cd ${deployTo}/releases/${release} && npm_config_update_notifier=false npm ci --omit=dev --no-audit --no-fund`);
  }
  await run(f, host, `ln -sfn releases/${release} ${deployTo}/current`);
}

function startApp(f: Fleet, host: string, deployTo: string, env: Record<string, string | undefined>): Promise<string> {
  const vars = Object.entries(env)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => `${k}='${v}'`)
    .join(' ');
  return run(f, host, `cd ${deployTo}/current && env ${vars} bin/start`);
}

async function ensureLocalNodeModules(): Promise<void> {
  if (existsSync(join(APP_SRC, 'node_modules', 'pg', 'package.json'))) return;
  await execa('npm', ['ci', '--no-audit', '--no-fund', '--prefer-offline'], { cwd: APP_SRC });
}

describe('fleet layout', () => {
  it('gives web hosts distinct addresses that never collide with db1, media1 and lb1', () => {
    const o = resolveOptions({ webs: 50, net: '127.0.42', stateDir: '/var/tmp/x', jsonPath: '/var/tmp/x.json' }, {});
    const hosts = planHosts(o);
    const addresses = hosts.map((h) => h.address);
    expect(new Set(addresses).size).toBe(hosts.length);
    expect(hosts.filter((h) => h.roles.includes('web'))).toHaveLength(50);
    expect(webAddress('127.0.42', 9)).toBe('127.0.42.9');
    expect(webAddress('127.0.42', 10)).toBe('127.0.42.100');
    expect(webAddress('127.0.42', 100)).toBe('127.0.42.190');
    expect(webAddress('127.0.42', 164)).toBe('127.0.42.254');
    expect(webAddress('127.0.42', 165)).toBe('127.0.42.31');
    expect(webAddress('127.0.42', MAX_WEBS)).toBe('127.0.42.66');
    expect(hosts.slice(-3).map((h) => `${h.name}=${h.address}`)).toEqual(['db1=127.0.42.10', 'media1=127.0.42.20', 'lb1=127.0.42.30']);
    const all = planHosts(
      resolveOptions({ webs: MAX_WEBS, bastion: true, net: '127.0.42', stateDir: '/var/tmp/x', jsonPath: '/var/tmp/x.json' }, {}),
    );
    expect(new Set(all.map((h) => h.address)).size).toBe(MAX_WEBS + 4);
    expect(all.at(-1)).toEqual({ name: 'bastion1', address: '127.0.42.99', roles: ['bastion'] });
    expect(siblingNet('127.0.1')).toBe('127.1.1');
  });

  it('refuses state dirs that the hosts overmount and addresses outside 127/8', () => {
    expect(() => resolveOptions({ stateDir: '/tmp/fleet' }, {})).toThrow(FleetError);
    expect(() => resolveOptions({ stateDir: '/srv' }, {})).toThrow(/mounted per host/);
    expect(() => resolveOptions({ net: '10.0.1' }, {})).toThrow(/address block/);
    expect(() => resolveOptions({ net: '127.0.0' }, {})).toThrow(/address block/);
    expect(() => resolveOptions({}, { FLEET_BALANCER: 'apache' })).toThrow(/FLEET_BALANCER/);
    expect(resolveOptions({}, { FLEET_NET: '127.0.3', FLEET_STATE: '/var/tmp/f3', FLEET_BALANCER: 'none' })).toMatchObject({
      net: '127.0.3',
      stateDir: '/var/tmp/f3',
      balancer: false,
    });
  });
});

describe('shared fleet', () => {
  let f: Fleet;
  beforeAll(() => {
    f = fleet();
  });

  it('every host accepts the deploy user over strict ssh and knows its own name', async () => {
    const names = await Promise.all(f.hosts.map((h) => run(f, h.name, 'echo "$(hostname) $(id -un) $DEPLOY_ADDRESS"')));
    expect(names).toEqual(f.hosts.map((h) => `${h.name} deploy ${h.address}`));
  });

  it('keeps /srv, /tmp and home private to each host', async () => {
    const tag = `iso-${process.pid}-${Date.now()}`;
    await run(f, 'web1', `echo ${tag} > /srv/${tag} && echo ${tag} > /tmp/${tag} && echo ${tag} > ~/${tag}`);
    try {
      expect(await run(f, 'web1', `cat /srv/${tag} /tmp/${tag} ~/${tag}`)).toBe(`${tag}\n${tag}\n${tag}`);
      const other = await sshRun(f, 'web2', `ls /srv/${tag} /tmp/${tag} ~/${tag}`);
      expect(other.code).not.toBe(0);
      expect(other.stderr.match(/No such file/g)).toHaveLength(3);
    } finally {
      await run(f, 'web1', `rm -f /srv/${tag} /tmp/${tag} ~/${tag}`);
    }
  });

  it('keeps processes private to each host, with sshd as the host init', async () => {
    const marker = 4000 + (process.pid % 1000);
    const pid = (await run(f, 'web1', `nohup sleep ${marker} >/dev/null 2>&1 </dev/null & echo $!`)).trim();
    try {
      expect(await run(f, 'web1', 'ps -eo args')).toContain(`sleep ${marker}`);
      expect(await run(f, 'web2', 'ps -eo args')).not.toContain(`sleep ${marker}`);
      expect(await run(f, 'web2', `grep -l 'sleep' /proc/[0-9]*/cmdline 2>/dev/null | xargs -r cat | tr '\\0' ' '`)).not.toContain(
        `sleep ${marker}`,
      );
      expect((await run(f, 'web1', 'cat /proc/1/comm')).trim()).toBe('sshd');
    } finally {
      await run(f, 'web1', `kill ${pid}`);
    }
  });

  it('refuses a host whose key does not match known_hosts', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fleet-kh-'));
    try {
      const lines = readFileSync(f.knownHosts, 'utf8').trim().split('\n');
      const web2Key = lines
        .find((l) => l.startsWith('web2,'))!
        .split(' ')
        .slice(1)
        .join(' ');
      const wrong = join(dir, 'wrong');
      writeFileSync(wrong, `${lines.map((l) => (l.startsWith('web1,') ? `${l.split(' ')[0]} ${web2Key}` : l)).join('\n')}\n`);
      const missing = join(dir, 'missing');
      writeFileSync(missing, `${lines.filter((l) => !l.startsWith('web1,')).join('\n')}\n`);

      const ssh = (kh: string) => execa('ssh', ['-F', f.sshConfig, '-o', `UserKnownHostsFile=${kh}`, 'web1', 'true'], { reject: false });
      const mismatch = await ssh(wrong);
      expect(mismatch.exitCode).toBe(255);
      expect(mismatch.stderr).toContain('Host key verification failed');
      const unknown = await ssh(missing);
      expect(unknown.exitCode).toBe(255);
      expect(unknown.stderr).toContain('Host key verification failed');
      expect((await ssh(f.knownHosts)).exitCode).toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  describe('demo app on web1 and web2', () => {
    const deployTo = '/srv/fleet-test';
    const release = `fleettest${process.pid}`;
    const webs = ['web1', 'web2'];
    let databaseUrl: string;
    let mediaUrl: string;

    beforeAll(async () => {
      if (!f.databaseUrl || !f.media || !f.balancer) throw new Error('this suite needs the default fleet: postgres, media and a balancer');
      // A database of its own, so this file neither sees nor leaves data for other suites on the shared fleet.
      const db = f.databaseUrl.replace(/\/app$/, '/fleet_test');
      await run(f, 'db1', 'psql -h /tmp -U postgres -qc "drop database if exists fleet_test" -c "create database fleet_test"');
      databaseUrl = db;
      mediaUrl = f.media.url;
      await ensureLocalNodeModules();
      const assets = `${f.media.host}:${f.media.deployTo}/releases/${release}/public/`;
      await Promise.all([
        shipApp(f, 'web1', deployTo, release, 'npm-ci'),
        shipApp(f, 'web2', deployTo, release, 'copy'),
        execa('rsync', ['-a', '--mkpath', '-e', `ssh -F ${f.sshConfig}`, `${APP_SRC}/public/`, assets]),
      ]);
    });

    afterAll(async () => {
      await Promise.all(webs.map((w) => sshRun(f, w, `${deployTo}/current/bin/stop; rm -rf ${deployTo}`)));
      await sshRun(f, 'db1', 'psql -h /tmp -U postgres -qc "drop database if exists fleet_test"');
      await sshRun(f, f.media!.host, `rm -rf ${f.media!.deployTo}/releases/${release}`);
    });

    it('migrate applies each migration once and records it in schema_migrations', async () => {
      const migrate = `cd ${deployTo}/current && DATABASE_URL='${databaseUrl}' npm run --silent migrate`;
      const first = await run(f, 'web1', migrate);
      expect(first).toContain('applied 001_create_greetings.sql');
      expect(first).toContain('applied 002_create_visits.sql');
      expect(first).toContain('migrated to schema 2');
      expect(await run(f, 'web2', migrate)).toBe('nothing to migrate (schema 2)');
    });

    it('starts with bin/start and answers on its own address with release, version and schema', async () => {
      for (const w of webs) {
        expect(await startApp(f, w, deployTo, { DATABASE_URL: databaseUrl, MEDIA_URL: mediaUrl })).toMatch(/^app started \(pid \d+/);
      }
      for (const w of webs) {
        const h = await health(`http://${hostOf(f, w).address}:3000`);
        expect(h).toMatchObject({ httpStatus: 200, status: 'ok', release, version: '1.0.0', schema: 2, host: w });
      }
    });

    it('serves both web hosts through the balancer and renders rows and versioned asset links', async () => {
      const seen = new Set<unknown>();
      for (let i = 0; i < 6; i++) seen.add((await health(f.balancer!.url)).host);
      expect([...seen].sort()).toEqual(webs);
      const page = await get(`${f.balancer!.url}/`);
      expect(page.status).toBe(200);
      expect(page.body).toContain('<span id="version">1.0.0</span>');
      expect(page.body).toContain('<li data-id="1">Hello from the database</li>');
      const css = `${mediaUrl}/assets/${release}/style.css`;
      expect(page.body).toContain(`href="${css}"`);
      expect(await get(css)).toMatchObject({ status: 200, type: 'text/css' });
    });

    it('fails /health with 500 while FAIL_HEALTH exists in the release', async () => {
      const url = `http://${hostOf(f, 'web2').address}:3000`;
      await run(f, 'web2', `touch ${deployTo}/current/FAIL_HEALTH`);
      expect(await health(url)).toMatchObject({ httpStatus: 500, status: 'failing' });
      await run(f, 'web2', `rm ${deployTo}/current/FAIL_HEALTH`);
      expect(await health(url)).toMatchObject({ httpStatus: 200 });
    });

    it('bin/stop finishes an in-flight request, then the balancer sends everything to the other host', async () => {
      const web1 = `http://${hostOf(f, 'web1').address}:3000`;
      // The request is sent long before ssh has even connected; the log line below proves it was in flight.
      const slow = get(`${web1}/slow?ms=700`);
      const stop = await run(f, 'web1', `${deployTo}/current/bin/stop`);
      expect(stop).toMatch(/^app stopped \(pid \d+\)/);
      expect((await slow).status).toBe(200);
      expect(await run(f, 'web1', `grep -c 'finishing 1 request' ${deployTo}/shared/log/app.log`)).toBe('1');
      expect(await connectResult(hostOf(f, 'web1').address, 3000)).toBe('ECONNREFUSED');
      const hosts = await Promise.all(Array.from({ length: 6 }, () => health(f.balancer!.url)));
      expect(hosts.map((h) => `${h.httpStatus} ${String(h.host)}`)).toEqual(Array(6).fill('200 web2'));
      expect(await run(f, 'web1', `${deployTo}/current/bin/stop`)).toMatch(/^app not running/);
    });
  });

  describe('media host', () => {
    const rels = [`fleetmedia${process.pid}a`, `fleetmedia${process.pid}b`];
    let root: string;

    beforeAll(async () => {
      root = f.media!.deployTo;
      const media = f.media!.host;
      for (const r of rels) {
        await execa('rsync', [
          '-a',
          '--mkpath',
          '-e',
          `ssh -F ${f.sshConfig}`,
          `${APP_SRC}/public/`,
          `${media}:${root}/releases/${r}/public/`,
        ]);
      }
      await run(
        f,
        media,
        [
          `cd ${root}`,
          `echo 'body { color: red }' > releases/${rels[1]}/public/style.css`,
          `echo secret > releases/${rels[0]}/secret.txt`,
          `ln -s ../secret.txt releases/${rels[0]}/public/link.txt`,
          `ln -sfn releases/${rels[1]} current`,
        ].join(' && '),
      );
    });

    afterAll(async () => {
      await sshRun(f, f.media!.host, `cd ${root} && rm -rf ${rels.map((r) => `releases/${r}`).join(' ')} && rm -f current`);
    });

    it('serves the assets of old and new releases side by side, and current', async () => {
      const url = f.media!.url;
      const a = await get(`${url}/assets/${rels[0]}/style.css`);
      expect(a).toMatchObject({
        status: 200,
        body: readFileSync(join(APP_SRC, 'public', 'style.css'), 'utf8'),
        type: 'text/css',
      });
      expect(await get(`${url}/assets/${rels[1]}/style.css`)).toMatchObject({
        status: 200,
        body: 'body { color: red }\n',
      });
      expect(await get(`${url}/assets/current/style.css`)).toMatchObject({
        status: 200,
        body: 'body { color: red }\n',
      });
      expect(await get(`${url}/assets/${rels[0]}/logo.svg`)).toMatchObject({ status: 200, type: 'image/svg+xml' });
      expect((await get(`${url}/assets/${rels[0]}/nope.css`)).status).toBe(404);
    });

    it('exposes nothing outside public/', async () => {
      const url = f.media!.url;
      for (const path of [
        `/assets/${rels[0]}/../secret.txt`,
        `/assets/${rels[0]}/%2e%2e/secret.txt`,
        `/assets/${rels[0]}/..%2fsecret.txt`,
        `/assets/${rels[0]}/link.txt`,
        `/assets/../releases/${rels[0]}/secret.txt`,
        `/assets/current/../secret.txt`,
        `/assets/${rels[0]}/../../../../etc/passwd`,
      ]) {
        const r = await get(`${url}${path}`);
        expect({ path, status: r.status, body: r.body.includes('secret') }).toMatchObject({ path, body: false });
        expect(r.status, path).toBeGreaterThanOrEqual(400);
      }
    });
  });
});

describe('sibling fleet: haproxy, fault controls and teardown', () => {
  let t: TempFleet | undefined;
  let f: Fleet;
  const pidFile = '/srv/demo/shared/tmp/pids/app.pid';
  const socat = (cmd: string) => `echo '${cmd}' | socat stdio /srv/lb/haproxy.sock`;

  beforeAll(async () => {
    t = await tempFleet({ webs: 2, balancer: 'haproxy', postgres: true, media: false });
    f = t.fleet;
    expect(netOf(f)).toBe(siblingNet(netOf(fleet())));
    await ensureLocalNodeModules();
    await Promise.all(['web1', 'web2'].map((w) => shipApp(f, w, '/srv/demo', 'r1', 'copy')));
    await run(f, 'web1', `cd /srv/demo/current && DATABASE_URL='${f.databaseUrl}' npm run --silent migrate`);
    await Promise.all(['web1', 'web2'].map((w) => startApp(f, w, '/srv/demo', { DATABASE_URL: f.databaseUrl })));
  });

  afterAll(async () => {
    await t?.down();
  });

  it('haproxy balances over both web hosts and its admin socket can drain one', async () => {
    const state = await waitFor(
      'haproxy to see web1 and web2 up',
      async () => {
        const out = await run(f, 'lb1', socat('show servers state app'));
        const up = out.split('\n').filter((l) => / web[12] [\d.]+ 2 /.test(l));
        return up.length === 2 ? out : undefined;
      },
      { timeoutMs: 10_000, intervalMs: 200 },
    );
    expect(state).toMatch(/app \d+ web1 /);
    const hosts = async () => new Set(await Promise.all(Array.from({ length: 6 }, async () => (await health(f.balancer!.url)).host)));
    expect([...(await hosts())].sort()).toEqual(['web1', 'web2']);

    await run(f, 'lb1', socat('set server app/web1 state drain'));
    expect([...(await hosts())]).toEqual(['web2']);
    await run(f, 'lb1', socat('set server app/web1 state ready'));
    expect([...(await hosts())].sort()).toEqual(['web1', 'web2']);
  });

  it('refuse: new ssh connections get ECONNREFUSED while the host keeps serving; restore brings ssh back', async () => {
    const web1 = hostOf(f, 'web1').address;
    const pid = await run(f, 'web1', `cat ${pidFile}`);
    await refuse(f, 'web1');
    expect(await connectResult(web1, 22)).toBe('ECONNREFUSED');
    const r = await sshRun(f, 'web1', 'true');
    expect(r.code).toBe(255);
    expect(r.stderr).toContain('Connection refused');
    expect(await health(`http://${web1}:3000`)).toMatchObject({ httpStatus: 200 });
    await restore(f, 'web1');
    expect(await run(f, 'web1', `cat ${pidFile}`)).toBe(pid);
  });

  it('stopHost/startHost: everything on the host dies; it comes back with the same key, postgres and haproxy', async () => {
    const web1 = `http://${hostOf(f, 'web1').address}:3000`;
    await stopHost(f, 'db1');
    expect(await connectResult(hostOf(f, 'db1').address, 22)).toBe('ECONNREFUSED');
    expect(await connectResult(hostOf(f, 'db1').address, 5432)).toBe('ECONNREFUSED');
    expect(await health(web1)).toMatchObject({ httpStatus: 503, status: 'database unreachable' });
    await startHost(f, 'db1');
    expect(await run(f, 'db1', 'hostname')).toBe('db1');
    await waitFor('web1 to reach the database again', async () => (await health(web1)).httpStatus === 200, {
      timeoutMs: 10_000,
      intervalMs: 100,
    });
    expect(await health(web1)).toMatchObject({ schema: 2 });

    await stopHost(f, 'lb1');
    expect(await connectResult(hostOf(f, 'lb1').address, 8080)).toBe('ECONNREFUSED');
    await startHost(f, 'lb1');
    await waitFor(
      'haproxy to answer again',
      async () => (await get(`${f.balancer!.url}/health`).catch(() => ({ status: 0 }))).status === 200,
      {
        timeoutMs: 10_000,
        intervalMs: 100,
      },
    );
    expect(await run(f, 'lb1', socat('show info'))).toMatch(/^Name: HAProxy/m);
  });

  it('smallSrv: /srv becomes a small tmpfs seeded with the host files, that a test can fill', async () => {
    await smallSrv(f, 'web2', 16);
    const df = await run(f, 'web2', 'df -m --output=size,target /srv | tail -1');
    expect(df).toMatch(/^\s*16 \/srv$/);
    expect(await run(f, 'web2', 'test -f /srv/demo/current/server.js && echo seeded')).toBe('seeded');
    const fill = await sshRun(f, 'web2', 'dd if=/dev/zero of=/srv/fill bs=1M count=32');
    expect(fill.code).not.toBe(0);
    expect(fill.stderr).toContain('No space left on device');
    await smallSrv(f, 'web2', 0);
    expect(await run(f, 'web2', 'test -e /srv/fill && echo present || echo gone')).toBe('gone');
  });

  it('fleetDown leaves no process in the hosts and nothing listening on their addresses', async () => {
    const namespaces = new Set(await Promise.all(f.hosts.map(async (h) => (await run(f, h.name, 'readlink /proc/self/ns/pid')).trim())));
    expect(namespaces.size).toBe(f.hosts.length);
    await run(f, 'web1', 'nohup sleep 600 >/dev/null 2>&1 </dev/null &');
    const prefix = `${netOf(f)}.`;
    const listening = async () => (await execa('ss', ['-ltnH'])).stdout.split('\n').filter((l) => l.split(/\s+/)[3]?.startsWith(prefix));
    expect(await listening()).not.toHaveLength(0);

    await t!.down();
    t = undefined;

    const left = readdirSync('/proc')
      .filter((p) => /^\d+$/.test(p))
      .filter((p) => {
        try {
          return namespaces.has(readlinkSync(`/proc/${p}/ns/pid`));
        } catch {
          return false;
        }
      });
    expect(left).toEqual([]);
    expect(await listening()).toEqual([]);
    expect(existsSync(f.stateDir)).toBe(false);
  });
});
