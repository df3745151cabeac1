/**
 * `watch:` (tasks/watch.ts) on the real fleet behind nginx (the shared fleet, its lb1 logging in the
 * `deploy_upstream` format for the file's duration) and haproxy (a sibling fleet), each deploy under a steady request
 * stream through the balancer: a healthy watch ends with exit 0; an app that starts failing after the switch (the
 * ERROR_RATE file of fixtures/app written into the new release on the hosts) is rolled back by itself, exit 6, the
 * release marked bad, the `purge` hook point run for the rollback; Ctrl-C during the watch ends it without rolling
 * back.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fleet, tempFleet, type TempFleet } from '../fleet/context.js';
import { sshRun, type Fleet } from '../fleet/fleet.js';
import { appRepo, cli, type AppRepo } from './support/project.js';
import {
  ACCESS_LOG,
  balancerRole,
  currentOf,
  logUpstream,
  rotationOf,
  stopApps,
  streamCli,
  tieredProject,
  webs,
  type JsonEvent,
  type Streamed,
} from './support/tiers.js';
import { recordedLoad, type Answer } from './support/traffic.js';
import { until } from '../support/until.js';

const WINDOW_S = 4;

interface WatchJson extends JsonEvent {
  phase: 'start' | 'sample' | 'verdict' | 'interrupted';
  hosts: string[];
  windowMs: number;
  elapsedMs: number;
  fleet: { requests: number; errors: number; errorRate: number };
  unhealthy: string[];
  ok?: boolean;
  reason?: string;
}

const watchEvents = (s: Streamed) => s.events.filter((e) => e.type === 'watch') as WatchJson[];
const endOf = (s: Streamed) => s.events.find((e) => e.type === 'run:end')! as JsonEvent & { summary?: { watch?: WatchJson } };

for (const kind of ['nginx', 'haproxy'] as const)
  describe(`watch after the switch, behind ${kind}`, () => {
    let temp: TempFleet | undefined;
    let restoreNginx: (() => Promise<void>) | undefined;
    let f: Fleet;
    let repo: AppRepo;
    let p: ReturnType<typeof tieredProject>;
    const args = () => ['staging', '-c', p.file];

    /** Runs the CLI under a steady request stream to /info through the balancer. */
    async function underLoad(
      onEvent?: Parameters<typeof streamCli>[1],
      extra: string[] = [],
    ): Promise<{ run: Streamed; answers: Answer[] }> {
      const load = recordedLoad(`${f.balancer!.url}/info`, { concurrency: 3, pauseMs: 10, maxSeconds: 150 });
      // The stream is under way before the run starts.
      await until(() => load.answers.length >= 5, { timeout: 30_000, what: 'the first answers of the request stream' });
      let run: Streamed;
      try {
        run = await streamCli([...args(), ...extra], onEvent);
      } finally {
        await load.stop();
      }
      return { run, answers: load.answers };
    }

    /** What the `purge` task logged since the last call, per host that ran it: `deploy deployed <id>`, then the manifest. */
    const purgeLog = async (): Promise<string[]> => {
      const logs = await Promise.all(
        webs(f).map(async (h) => (await sshRun(f, h, `cat '${p.deployTo}/purge.log' 2>/dev/null; rm -f '${p.deployTo}/purge.log'`)).stdout),
      );
      return logs.join('').trim().split('\n').filter(Boolean);
    };

    beforeAll(async () => {
      if (kind === 'nginx') {
        f = fleet();
        restoreNginx = await logUpstream(f);
      } else {
        temp = await tempFleet({ balancer: 'haproxy', webs: 2, media: false });
        f = temp.fleet;
      }
      repo = appRepo();
      const balancer = { ...balancerRole(f), ...(kind === 'nginx' ? { access_log: ACCESS_LOG } : {}) };
      p = tieredProject(f, repo, {
        deployTo: `/srv/watch-${kind}-${Date.now()}`,
        extra: {
          roles: { web: { batch: 1 }, balancer: { balancer } },
          watch: { duration: WINDOW_S, max_error_rate: '2%', health: true },
          tasks: {
            purge_log: {
              run: '{ echo "$DEPLOY_VERB $DEPLOY_OUTCOME $DEPLOY_RELEASE"; cat "$DEPLOY_PURGE_MANIFEST"; } >> "$DEPLOY_TO/purge.log"',
              roles: ['web'],
              once: true,
            },
            rolled_log: { run: 'echo "rolled_back $DEPLOY_OUTCOME $DEPLOY_RELEASE" >> "$DEPLOY_TO/purge.log"', roles: ['web'], once: true },
          },
          hooks: { after: { purge: ['purge_log'], rolled_back: ['rolled_log'] } },
        },
      });
      repo.commit('v1');
      // A first deploy has nothing to roll back to; its watch passes on a healthy app.
      const first = await cli(args());
      expect(first.code, first.stderr).toBe(0);
      await purgeLog();
    });

    afterAll(async () => {
      if (!f) return;
      await stopApps(f, p.deployTo);
      await restoreNginx?.();
      await temp?.down();
    });

    it('a healthy watch reads the fleet for its whole window and ends with exit 0; every host serves the new release, no request failed', async () => {
      repo.commit('v2');
      const { run, answers } = await underLoad();
      expect(run.code, run.stderr).toBe(0);
      const release = run.events.find((e) => e.type === 'release:chosen')!.release!;
      const events = watchEvents(run);
      expect(events[0]!.phase).toBe('start');
      expect(events[0]!.hosts).toEqual(['web1', 'web2']);
      const verdict = events.find((e) => e.phase === 'verdict')!;
      expect(verdict.ok).toBe(true);
      expect(verdict.elapsedMs).toBeGreaterThanOrEqual(WINDOW_S * 1000 - 50);
      expect(verdict.fleet.requests).toBeGreaterThan(50);
      expect(verdict.fleet.errors).toBe(0);
      // The balancer's counters saw the requests the clients sent in the window (give or take the ones in flight at
      // its edges, and the last reading's second).
      const sent = answers.filter((a) => a.at >= Date.parse(events[0]!.time) && a.at <= Date.parse(verdict.time)).length;
      console.log(
        `[watch ${kind}] healthy: the balancer counted ${verdict.fleet.requests} requests, the clients got ${sent} answers in the window`,
      );
      expect(Math.abs(verdict.fleet.requests - sent)).toBeLessThanOrEqual(Math.max(30, sent * 0.1));
      expect(endOf(run).summary?.watch).toMatchObject({ phase: 'verdict', ok: true });
      expect(answers.filter((a) => a.status !== 200)).toEqual([]);
      for (const w of webs(f)) expect(`${w} ${(await sshRun(f, w, `cat ${p.deployTo}/current/VERSION`)).stdout.trim()}`).toBe(`${w} v2`);
      expect(await purgeLog()).toEqual([`deploy deployed ${release}`]);
    });

    it('an app that starts failing after the switch is seen by the watch and the whole fleet is rolled back by itself: exit 6, numbers said, release marked bad', async () => {
      const before = await currentOf(f, p.deployTo, 'web1');
      repo.commit('v3-fails-later', { files: { 'public/style.css': 'body { color: red }\n' } });
      let broke = 0;
      const { run, answers } = await underLoad(
        async (e) => {
          if (e.type === 'watch' && (e as WatchJson).phase === 'start' && !broke) {
            broke = Date.now();
            // The new release is live and healthy; from now on half of its requests answer 500.
            await Promise.all(webs(f).map((w) => sshRun(f, w, `echo 0.5 > "$(readlink -f ${p.deployTo}/current)/ERROR_RATE"`)));
          }
        },
        ['--report', join(p.dir, 'watch.html')],
      );
      expect(broke).toBeGreaterThan(0);
      expect(run.code, run.stderr).toBe(6);
      const verdict = watchEvents(run).find((e) => e.phase === 'verdict')!;
      expect(verdict.ok).toBe(false);
      expect(verdict.reason).toMatch(
        /^the fleet's error rate \d+(\.\d)?% is over the limit of 2% \(error rate \d+(\.\d)?% \(\d+ of \d+ requests\)/,
      );
      expect(verdict.elapsedMs).toBeLessThan(WINDOW_S * 1000);
      expect(verdict.fleet.errors).toBeGreaterThanOrEqual(5);
      const end = endOf(run);
      expect(end.summary?.watch).toMatchObject({ phase: 'verdict', ok: false });
      expect(end.error).toMatch(/the watch after the switch failed at \d+\/4 s: the fleet's error rate/);
      expect(end.error).toContain(`every host was rolled back to ${before}`);
      expect(run.stderr).toContain('the watch after the switch failed');
      const bad = (end.error as string).match(/release (\d+) is marked bad/)![1]!;
      for (const w of webs(f)) {
        expect(`${w} ${await currentOf(f, p.deployTo, w)}`).toBe(`${w} ${before}`);
        expect((await sshRun(f, w, `test -e '${p.deployTo}/releases/${bad}/.deploy-bad' && echo bad`)).stdout.trim()).toBe('bad');
        expect((await sshRun(f, w, `cat ${p.deployTo}/current/VERSION`)).stdout.trim()).toBe('v2');
        // revisions.log: the release failed its watch, then the fleet went back to the one before.
        const log = (await sshRun(f, w, `tail -n 2 '${p.deployTo}/revisions.log'`)).stdout
          .trim()
          .split('\n')
          .map((l) => JSON.parse(l) as { release: string; outcome: string; message?: string });
        expect(log.map((l) => `${l.release} ${l.outcome}`)).toEqual([`${bad} failed`, `${before} rolled-back`]);
        expect(log[0]!.message).toMatch(/^watch after the switch: the fleet's error rate/);
      }
      expect(Object.values(await rotationOf(f)).every((r) => r === 'in')).toBe(true);
      // Failed requests are the failing release's own 500s, and none came after the rollback.
      const failed = answers.filter((a) => a.status !== 200);
      expect(failed.length).toBeGreaterThan(0);
      expect(failed.filter((a) => !(a.status === 500 && a.version === 'v3-fails-later'))).toEqual([]);
      console.log(
        `[watch ${kind}] failing app: ${answers.length} requests, ${failed.length} failed, caught ${verdict.elapsedMs} ms into the watch`,
      );
      // The report's Watch section: the verdict with its numbers, and each host's move back.
      const html = readFileSync(join(p.dir, 'watch.html'), 'utf8');
      expect(html).toContain('<div class="watch bad" data-verdict="failed">');
      expect(html).toContain(
        `<td>the fleet</td><td class="num">${verdict.fleet.requests}</td><td class="num">${verdict.fleet.errors}</td>`,
      );
      const moved = /<p class="watch-rollback" data-ok="true">rolled back: ([^<]*)<\/p>/.exec(html)?.[1] ?? '';
      for (const w of webs(f)) expect(moved).toContain(`${w} ${bad} → ${before}`);
      // The lock was held through the watch and the rollback, and released after them.
      const status = await cli(['lock', 'staging', '-c', p.file, 'status']);
      expect(status.stdout).toContain('staging: unlocked');
      // `purge` ran after the switch, and again after the watch's rollback, as after `deploy rollback`: the release
      // that serves now, and the assets the rollback changed.
      // …and `rolled_back` too: the release every host serves again, not the failed one.
      expect(await purgeLog()).toEqual([
        `deploy deployed ${bad}`,
        'style.css',
        `deploy rolled-back ${before}`,
        'style.css',
        `rolled_back rolled-back ${before}`,
      ]);
    });

    it('Ctrl-C during the watch ends it without rolling back (exit 0: the release is live), and says so', async () => {
      repo.commit('v4', { files: { ERROR_RATE: '0\n' } });
      let sent = 0;
      const { run } = await underLoad((e, kill) => {
        if (e.type === 'watch' && (e as WatchJson).phase === 'sample' && !sent) {
          sent = Date.now();
          kill('SIGINT');
        }
      });
      expect(sent).toBeGreaterThan(0);
      expect(run.code, run.stderr).toBe(0);
      const stopped = watchEvents(run).find((e) => e.phase === 'interrupted')!;
      expect(stopped.reason).toContain('nothing was rolled back');
      expect(watchEvents(run).some((e) => e.phase === 'verdict')).toBe(false);
      expect(endOf(run).summary?.watch).toMatchObject({ phase: 'interrupted' });
      expect(run.exitedAt - sent).toBeLessThan(10_000);
      for (const w of webs(f)) expect(`${w} ${(await sshRun(f, w, `cat ${p.deployTo}/current/VERSION`)).stdout.trim()}`).toBe(`${w} v4`);
      expect(Object.values(await rotationOf(f)).every((r) => r === 'in')).toBe(true);
    });
  });
