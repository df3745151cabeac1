/**
 * The switch under failure on the real fleet (tasks/switch.ts, tasks/balancer.ts): interrupts during the switch, a
 * balancer that stops reloading, hosts found out of rotation, failed first deploys, and every wait ending on
 * Ctrl-C. Behind nginx (the shared fleet, two web hosts) and haproxy (a sibling fleet, three), each deploy under a
 * steady request stream through the balancer.
 */
import { join } from 'node:path';
import { stripVTControlCharacters } from 'node:util';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fleet, tempFleet, type TempFleet } from '../fleet/context.js';
import { dropConnections, hostExec, sshRun, type Fleet } from '../fleet/fleet.js';
import { appRepo, cli, project, repoRoot, type AppRepo } from './support/project.js';
import {
  currentOf,
  lastSaid,
  lbOf,
  rotationOf,
  stopApps,
  streamCli,
  tieredProject,
  webs,
  type JsonEvent,
  type Streamed,
} from './support/tiers.js';
import { underLoad } from './support/load.js';
import { until } from '../support/until.js';
import { parseServersState } from '../../src/facts/balancer.js';
import { LB_HAPROXY_SOCKET, LB_NGINX_CONF, LB_UPSTREAM } from '../fleet/render.js';

const NGINX = `/usr/sbin/nginx -c ${LB_NGINX_CONF}`;

async function on(f: Fleet, host: string, command: string): Promise<string> {
  const r = await sshRun(f, host, command);
  if (r.code !== 0) throw new Error(`${host}: ${command}: exit ${r.code}: ${r.stderr}`);
  return r.stdout.trim();
}

const haproxy = (f: Fleet, command: string) =>
  on(f, lbOf(f), `printf '%s\\n' '${command}' | socat stdio unix-connect:${LB_HAPROXY_SOCKET}`);
const codeHosts = (f: Fleet) => f.hosts.filter((h) => !h.roles.includes('balancer')).map((h) => h.name);
const allIn = (f: Fleet) => Object.fromEntries(webs(f).map((w) => [w, 'in']));
const endOf = (s: Streamed) => s.events.find((e) => e.type === 'run:end')!;
const warnings = (s: Streamed) => s.events.filter((e) => e.type === 'warning').map((e) => `${e.host ?? '-'}: ${e.message}`);

/** Every code host serves `release`; the balancer really routes to every web host; the run's last word agrees. */
async function expectAllOn(f: Fleet, deployTo: string, release: string, run?: Streamed): Promise<void> {
  for (const h of codeHosts(f)) expect(`${h} ${await currentOf(f, deployTo, h)}`).toBe(`${h} ${release}`);
  expect(await rotationOf(f)).toEqual(allIn(f));
  if (run) {
    const said = lastSaid(run.events);
    for (const [host, where] of Object.entries(said)) expect(`${host} ${where}`).toBe(`${host} in`);
    for (const h of endOf(run).summary?.hosts ?? []) expect(`${h.host} ${h.current}`).toBe(`${h.host} ${release}`);
  }
}

for (const kind of ['nginx', 'haproxy'] as const) {
  describe(`the switch under failure behind ${kind}`, () => {
    let f: Fleet;
    let temp: TempFleet | undefined;
    let repo: AppRepo;
    let p: ReturnType<typeof tieredProject>;
    let upstream: string | undefined;
    const args = () => ['staging', '-c', p.file];

    /** Puts every web host back into rotation by hand (what the fleet had before this file). */
    const restoreRotation = async () => {
      if (kind === 'nginx')
        await on(
          f,
          lbOf(f),
          `cat > ${LB_UPSTREAM}.new <<'EOF'\n${upstream}\nEOF\nmv ${LB_UPSTREAM}.new ${LB_UPSTREAM} && ${NGINX} -t -q && ${NGINX} -s reload`,
        );
      else for (const w of webs(f)) await haproxy(f, `set weight app/${w} 100%`).then(() => haproxy(f, `set server app/${w} state ready`));
    };

    /**
     * A deploy under load that goes live: exit 0, 0 failed requests, `first` as the first web batch, every host on a
     * release other than `good`.
     */
    const deploysFirst = async (first: readonly string[], good: string): Promise<Streamed> => {
      const { result, load } = await underLoad(f, () => streamCli(args()));
      expect(result.code, result.stderr).toBe(0);
      expect(load.failures, JSON.stringify(load.errors)).toBe(0);
      const batches = result.events.filter((e) => e.type === 'batch' && e.role === 'web').map((e) => e.hosts);
      expect(batches[0]).toEqual(first);
      const release = result.events.filter((e) => e.type === 'release:chosen').at(-1)!.release!;
      expect(release).not.toBe(good);
      await expectAllOn(f, p.deployTo, release, result);
      return result;
    };

    beforeAll(async () => {
      if (kind === 'nginx') f = fleet();
      else {
        temp = await tempFleet({ balancer: 'haproxy', webs: 3 });
        f = temp.fleet;
      }
      if (kind === 'nginx') upstream = await on(f, lbOf(f), `cat ${LB_UPSTREAM}`);
      repo = appRepo();
      // web2's restart takes a second longer: a window to interrupt the second batch in.
      p = tieredProject(f, repo, {
        deployTo: `/srv/switch-${kind}-${Date.now()}`,
        extra: { restart: { command: 'if [ "$DEPLOY_HOST" = web2 ]; then sleep 1; fi; bin/restart', stop: 'bin/stop' } },
      });
      repo.commit('v1');
      const first = await cli(args());
      expect(first.code, first.stderr).toBe(0);
    });

    afterAll(async () => {
      if (!f) return;
      await stopApps(f, p.deployTo);
      if (kind === 'nginx' && upstream !== undefined) await restoreRotation();
      await temp?.down();
    });

    for (const signal of ['SIGINT', 'SIGTERM'] as const) {
      const when = signal === 'SIGINT' ? 'while the second batch restarts' : 'at the second batch’s first failed health check';
      it(`${signal} ${when}: exit 130, every host back on the release before and in rotation, 0 failed requests, no false event`, async () => {
        const good = await currentOf(f, p.deployTo, 'web1');
        repo.commit(`v-${signal}`, signal === 'SIGTERM' ? { failHealth: ['web2'] } : {});
        let sent = 0;
        const { result, load } = await underLoad(f, () =>
          streamCli(args(), (e, kill) => {
            const at =
              signal === 'SIGINT'
                ? e.type === 'command' && e.step === 'restart' && e.host === 'web2'
                : e.type === 'health' && e.host === 'web2' && e.ok === false;
            if (at && !sent) {
              sent = Date.now();
              kill(signal);
            }
          }),
        );
        expect(sent).toBeGreaterThan(0);
        expect(result.code, result.stderr).toBe(130);
        expect(endOf(result).exitCode).toBe(130);
        expect(load.failures, JSON.stringify(load.errors)).toBe(0);
        await expectAllOn(f, p.deployTo, good, result);
        expect(result.stderr).toContain('after switching back:');
        for (const w of webs(f).slice(0, 2)) expect(result.stderr).toMatch(new RegExp(`\\n {2}${w} +back on ${good} · in rotation`));
      });
    }

    it('hosts an earlier run or an operator left out of rotation are reported, switch first as a batch of their own and come back on the new release before web1 drains: 0 failed requests', async () => {
      const good = await currentOf(f, p.deployTo, 'web1');
      // What an interrupted run of the old code left: every host but web1 out.
      if (kind === 'nginx') {
        await on(
          f,
          lbOf(f),
          `sed -i 's/^\\(  server 127[.0-9]*:3000\\) max_fails=1 fail_timeout=5s;\\( # web2\\)$/\\1 down;\\2/' ${LB_UPSTREAM} && ${NGINX} -s reload`,
        );
      } else {
        await haproxy(f, 'set server app/web2 state maint');
        await haproxy(f, 'set weight app/web3 0');
      }
      const left = kind === 'nginx' ? { web2: 'down' } : { web2: 'maint', web3: 'weight 0' };
      expect(await rotationOf(f)).toMatchObject(left);
      repo.commit('v-repair');
      // They serve nothing: they go first, and come into rotation on the new release before web1 leaves it.
      const result = await deploysFirst(Object.keys(left), good);
      const list = Object.entries(left)
        .map(([h, why]) => `${h} (${why})`)
        .join(', ');
      expect(warnings(result)).toContain(`lb1: found out of rotation, not by this run: ${list}`);
    });

    it('hosts out of rotation whose app is down (crashed, restarted without it) switch first, start on the new release and come in; web1 drains only then: 0 failed requests', async () => {
      const good = await currentOf(f, p.deployTo, 'web1');
      const others = webs(f).slice(1);
      for (const w of others) await on(f, w, `'${p.deployTo}/current/bin/stop'`);
      if (kind === 'nginx')
        await on(
          f,
          lbOf(f),
          `sed -i 's/^\\(  server 127[.0-9]*:3000\\) max_fails=1 fail_timeout=5s;\\( # web2\\)$/\\1 down;\\2/' ${LB_UPSTREAM} && ${NGINX} -s reload`,
        );
      else for (const w of others) await haproxy(f, `set server app/${w} state maint`);
      try {
        repo.commit('v-crashed');
        // Before, this refused (draining web1 would leave lb1 no host, and the others failed their health check), and
        // the fleet needed a repair by hand (the fault sweep's crash of web2 while it restarts).
        await deploysFirst(kind === 'nginx' ? ['web2'] : others, good);
      } finally {
        for (const w of others) await on(f, w, `'${p.deployTo}/current/bin/start'`);
        await restoreRotation();
      }
    });

    it('a host whose app died while in rotation (the balancer still lists it) switches first and comes back on the new release; web1 drains only then: 0 failed requests', async () => {
      const good = await currentOf(f, p.deployTo, 'web1');
      const others = webs(f).slice(1);
      for (const w of others) await on(f, w, `'${p.deployTo}/current/bin/stop'`);
      // HAProxy answers 503 for a dead server until its own check marks it down; the deploy starts after that.
      if (kind === 'haproxy')
        await until(
          async () =>
            parseServersState(await haproxy(f, 'show servers state app'))
              .filter((s) => others.includes(s.server))
              .every((s) => s.operational !== 'running'),
          { timeout: 20_000, what: `haproxy's check to mark ${others.join(', ')} down` },
        );
      try {
        repo.commit('v-died');
        // Before, web1 drained first behind nginx, which then had only web2 — dead — to send requests to: HTTP 502
        // for web1's restart (the fault sweep's crash of web2 in the clean-up, then the next deploy).
        await deploysFirst(others, good);
      } finally {
        for (const w of others) await on(f, w, `'${p.deployTo}/current/bin/start'`).catch(() => undefined);
      }
    });

    it('the connection to web2 is lost while it restarts: it is switched back on a new connection, and the run says so: 0 failed requests', async () => {
      const good = await currentOf(f, p.deployTo, 'web1');
      // This release's restart on web2 only waits, then exits: what the lost session leaves running is harmless.
      const slow = '/tmp/slow-restart';
      await on(f, 'web2', `touch ${slow}`);
      const restart = `if [ -e ${slow} ]; then sleep 3; exit 0; fi; bin/restart`;
      const slowProject = tieredProject(f, repo, { deployTo: p.deployTo, extra: { restart: { command: restart, stop: 'bin/stop' } } });
      repo.commit('v-lost');
      let dropped = 0;
      const { result, load } = await underLoad(f, () =>
        streamCli(['staging', '-c', slowProject.file], async (e) => {
          if (e.type === 'command' && e.step === 'restart' && e.host === 'web2' && !dropped) {
            dropped = -1;
            await hostExec(f, 'web2', ['rm', '-f', slow]);
            dropped = dropConnections(f, 'web2');
          }
        }),
      );
      expect(dropped).toBeGreaterThan(0);
      expect(result.code, result.stderr).toBe(6);
      expect(load.failures, JSON.stringify(load.errors)).toBe(0);
      expect(result.stderr).toMatch(/web2: .*(connection|closed)/i);
      expect(result.stderr).toMatch(new RegExp(`\\n {2}web2 +back on ${good} · in rotation`));
      await expectAllOn(f, p.deployTo, good, result);
      expect(endOf(result).summary!.hosts.find((h) => h.host === 'web2')).toMatchObject({ outcome: 'switched-back', current: good });
    });

    if (kind === 'nginx') {
      it('nginx stops reloading between two batches: the host it serves alone is not restarted, 0 failed requests, status tells the truth; the next deploy repairs it', async () => {
        const lb = lbOf(f);
        const conf = await on(f, lb, `cat ${LB_NGINX_CONF}`);
        const good = await currentOf(f, p.deployTo, 'web1');
        repo.commit('v-broken-nginx');
        let broken = false;
        let result: Streamed;
        try {
          const run = await underLoad(f, () =>
            streamCli(args(), async (e) => {
              if (e.type === 'batch' && e.index === 2 && !broken) {
                broken = true;
                await on(f, lb, `echo 'garbage on;' >> ${LB_NGINX_CONF}`);
              }
            }),
          );
          result = run.result;
          expect(broken).toBe(true);
          expect(result.code, result.stderr).toBe(6);
          expect(run.load.failures, JSON.stringify(run.load.errors)).toBe(0);
          const bad = result.events.filter((e) => e.type === 'release:chosen').at(-1)!.release!;
          expect(result.stderr).toMatch(
            /lb1: balancer: nginx did not reload: nginx: \[emerg\] unknown directive "garbage" in \/srv\/lb\/nginx\.conf:\d+/,
          );
          expect(result.stderr).toMatch(/web1 +still on/);
          expect(result.stderr).toContain(
            `still on ${bad}, the failed release: not switched back: lb1 serves it alone and could not take it out of rotation, so restarting it would fail every request · in rotation`,
          );
          expect(result.stderr).toMatch(new RegExp(`web2 +back on ${good} · out of rotation on lb1 \\(down\\)`));
          expect(await currentOf(f, p.deployTo, 'web1')).toBe(bad);
          expect(await currentOf(f, p.deployTo, 'web2')).toBe(good);
          // The upstream file says what nginx runs: web1 only, which answers every request.
          expect(await rotationOf(f)).toEqual({ web1: 'in', web2: 'down' });
          for (let i = 0; i < 6; i++)
            expect(await (await fetch(`${f.balancer!.url}/health`)).json()).toMatchObject({ host: 'web1', release: bad });
          const summary = endOf(result).summary!.hosts;
          expect(summary.find((h) => h.host === 'web1')).toMatchObject({ outcome: 'deployed', current: bad });
          expect(summary.find((h) => h.host === 'web2')).toMatchObject({ outcome: 'switched-back', current: good });
          const status = JSON.parse((await cli(['status', 'staging', '-c', p.file, '--json'])).stdout) as {
            hosts: { host: string; current: string; rotation: string }[];
            mixed: Record<string, unknown>;
          };
          expect(status.hosts.find((h) => h.host === 'web1')).toMatchObject({ current: bad, rotation: 'in' });
          expect(status.hosts.find((h) => h.host === 'web2')).toMatchObject({ current: good, rotation: 'out' });
          expect(Object.keys(status.mixed)).toContain('web');
        } finally {
          await on(f, lb, `cat > ${LB_NGINX_CONF}.new <<'EOF'\n${conf}\nEOF\nmv ${LB_NGINX_CONF}.new ${LB_NGINX_CONF} && ${NGINX} -t -q`);
        }
        // nginx works again: the next deploy finds web2 out, checks it, brings it back before web1 leaves.
        repo.commit('v-after-nginx');
        const { result: next, load } = await underLoad(f, () => streamCli(args()));
        expect(next.code, next.stderr).toBe(0);
        expect(load.failures, JSON.stringify(load.errors)).toBe(0);
        expect(warnings(next)).toContain('lb1: found out of rotation, not by this run: web2 (down)');
        await expectAllOn(f, p.deployTo, next.events.filter((e) => e.type === 'release:chosen').at(-1)!.release!, next);
      });
    }

    describe('a first deploy whose health check fails', () => {
      const made: string[] = [];
      const firstRepo = () => {
        const r = appRepo();
        r.commit('v-first-broken', { failHealth: true });
        return r;
      };

      beforeAll(async () => {
        // The pool's port is the balancer's: the earlier releases' apps make room.
        await stopApps(f, p.deployTo);
      });
      afterAll(async () => {
        for (const deployTo of made) await stopApps(f, deployTo);
        await restoreRotation();
      });

      for (const stop of [true, false]) {
        it(
          stop
            ? 'with restart.stop: the new app is stopped, current removed, and it says so'
            : 'without restart.stop: the host stays out of rotation, and it says so',
          async () => {
            await restoreRotation();
            const first = tieredProject(f, firstRepo(), {
              deployTo: `/srv/first-${stop ? 'stop' : 'nostop'}-${Date.now()}`,
              extra: { restart: { command: 'bin/restart', ...(stop ? { stop: 'bin/stop' } : {}) } },
            });
            made.push(first.deployTo);
            const result = await streamCli(['staging', '-c', first.file]);
            expect(result.code, result.stderr).toBe(6);
            const listening = await sshRun(f, 'web1', `curl -s -o /dev/null -w '%{http_code}' http://$DEPLOY_ADDRESS:3000/health`);
            if (stop) {
              expect(listening.stdout).toBe('000');
              expect(result.stderr).toMatch(
                /\n {2}web1 +no earlier release to switch back to: the new app was stopped \(restart\.stop\), current removed · out of rotation on lb1 \((down|maint)\)/,
              );
            } else {
              expect(listening.stdout).toBe('500');
              expect(result.stderr).toMatch(
                /\n {2}web1 +no earlier release to switch back to: the new app was not stopped \(deploy\.yml has no restart\.stop\), current removed · out of rotation on lb1 \((down|maint)\)/,
              );
            }
            expect(await currentOf(f, first.deployTo, 'web1')).toBe('');
            expect((await rotationOf(f)).web1).not.toBe('in');
            expect(lastSaid(result.events).web1).toBe('out');
            await stopApps(f, first.deployTo);
          },
        );
      }
    });
  });
}

describe('every wait of the switch ends within a second of Ctrl-C', () => {
  let f: Fleet;
  const PORT = 3105;
  const made: string[] = [];

  beforeAll(() => {
    f = fleet();
  });
  afterAll(async () => {
    for (const deployTo of made) await stopApps(f, deployTo);
  });

  /** A first deploy of fixtures/app on its own port (no balancer), interrupted at the event `at`. */
  async function interrupted(
    name: string,
    o: { extra?: Record<string, unknown>; failHealth?: boolean; flags?: string[] },
    at: (e: JsonEvent) => boolean,
  ) {
    // An app an earlier case left on the port (a first deploy's switch-back may not stop it) would fail this one.
    for (const deployTo of made) await stopApps(f, deployTo);
    const repo = appRepo();
    repo.commit(name, o.failHealth ? { failHealth: ['web1'] } : {});
    const p = project(f, {
      source: { repository: repo.url },
      deployTo: `/srv/waits-${name}-${Date.now()}`,
      extra: {
        restart: { command: 'bin/restart', stop: 'bin/stop' },
        health: { path: '/health', port: PORT, retries: 20, interval: 0.25, timeout: 2 },
        env: { PORT: String(PORT) },
        ...o.extra,
      },
    });
    made.push(p.deployTo);
    let sent = 0;
    const result = await streamCli(['staging', '-c', p.file, ...(o.flags ?? [])], (e, kill) => {
      if (!sent && at(e)) {
        sent = Date.now();
        kill('SIGINT');
      }
    });
    expect(sent, 'the event to interrupt at').toBeGreaterThan(0);
    expect(result.code, result.stderr).toBe(130);
    console.log(`[waits] ${name}: exited ${result.exitedAt - sent} ms after SIGINT`);
    return { took: result.exitedAt - sent, result };
  }

  it('the canary question in a terminal: the live rows step aside while it is asked, and come back after Enter', async () => {
    for (const deployTo of made) await stopApps(f, deployTo);
    const repo = appRepo();
    repo.commit('canary-question');
    const p = project(f, {
      source: { repository: repo.url },
      deployTo: `/srv/waits-question-${Date.now()}`,
      extra: {
        restart: { command: 'bin/restart', stop: 'bin/stop' },
        health: { path: '/health', port: PORT, retries: 20, interval: 0.25, timeout: 2 },
        env: { PORT: String(PORT) },
      },
    });
    made.push(p.deployTo);
    // script(1) gives the CLI a terminal: the live rows, and a question instead of a watch.
    const command = `stty cols 120 rows 40; exec node ${join(repoRoot, 'dist', 'cli', 'bin.js')} staging -c ${p.file} --canary`;
    const env: Record<string, string | undefined> = { ...process.env, TERM: 'xterm-256color' };
    delete env.CI;
    const child = execa('script', ['-qefc', command, '/dev/null'], {
      env,
      extendEnv: false,
      reject: false,
      timeout: 180_000,
      forceKillAfterDelay: false,
    });
    let screen = '';
    let askedAt = -1;
    child.stdout!.on('data', (c: Buffer) => {
      screen += stripVTControlCharacters(c.toString());
      if (
        askedAt < 0 &&
        screen.includes('The canary web1 serves the new release. Enter to roll out to the rest, "abort" to switch it back:')
      ) {
        askedAt = screen.length;
        // The rows stay away while the question is open.
        setTimeout(() => child.stdin!.write('\r'), 1500);
      }
    });
    const r = await child;
    expect(askedAt, screen.slice(-3000)).toBeGreaterThan(0);
    expect(r.exitCode, screen.slice(-3000)).toBe(0);
    const after = screen.slice(askedAt);
    expect(after).toContain('switch · web batch 2/2');
    expect(after).toMatch(/success in [\d.]+s \(exit 0\)/);
  });

  it('the pause between batches', async () => {
    let batch = 0;
    const { took } = await interrupted('pause', { extra: { roles: { web: { batch: 1, pause: 60 } } } }, (e) => {
      if (e.type === 'batch' && e.hosts?.includes('web1')) batch = 1;
      return batch === 1 && e.type === 'step:end' && e.step === 'switch';
    });
    expect(took).toBeLessThan(3000);
  });

  it('the canary watch', async () => {
    const { took } = await interrupted(
      'canary',
      { flags: ['--canary', '60'] },
      (e) => e.type === 'info' && e.message === 'canary: watching web1 for 60s before the rest',
    );
    expect(took).toBeLessThan(3000);
  });

  it('health retries', async () => {
    const { took } = await interrupted(
      'health',
      { failHealth: true, extra: { health: { path: '/health', port: PORT, retries: 100, interval: 10, timeout: 2 } } },
      (e) => e.type === 'health' && e.host === 'web1' && e.ok === false,
    );
    expect(took).toBeLessThan(3000);
  });
});
