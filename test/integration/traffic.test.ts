/**
 * A canary by share of traffic (tasks/canary.ts) on the real fleet, behind nginx (the shared fleet, its lb1 running
 * the access log docs/traffic.md asks for, for the duration of this file) and haproxy (a sibling fleet), each deploy
 * under a steady request stream through the balancer: a healthy canary gets its share and is promoted; one whose
 * app answers 500 on a share of requests (fixtures/app's ERROR_RATE) is caught within the window and switched back.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fleet, tempFleet, type TempFleet } from '../fleet/context.js';
import { parseServersState } from '../../src/facts/balancer.js';
import { sshRun, type Fleet } from '../fleet/fleet.js';
import { appRepo, cli, type AppRepo } from './support/project.js';
import {
  ACCESS_LOG,
  balancerRole,
  currentOf,
  lbOf,
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
import { LB_UPSTREAM } from '../fleet/render.js';

const WINDOW_S = 5;

interface CanaryJson extends JsonEvent {
  phase: 'start' | 'sample' | 'verdict';
  share: number;
  windowMs: number;
  elapsedMs: number;
  canary: { requests: number; errors: number; errorRate: number };
  rest: { requests: number; errors: number; errorRate: number };
  reason?: string;
}

async function on(f: Fleet, host: string, command: string, input?: string): Promise<string> {
  const r = await sshRun(f, host, command, input === undefined ? {} : { input });
  if (r.code !== 0) throw new Error(`${host}: ${command}: exit ${r.code}: ${r.stderr}`);
  return r.stdout;
}

const canaryEvents = (s: Streamed) => s.events.filter((e) => e.type === 'canary') as CanaryJson[];
const endOf = (s: Streamed) => s.events.find((e) => e.type === 'run:end')! as JsonEvent & { summary?: { canary?: CanaryJson } };

/** Runs the CLI under a steady request stream to /info through the balancer; returns the run and every answer. */
async function deployUnderLoad(f: Fleet, args: string[]): Promise<{ run: Streamed; answers: Answer[] }> {
  const load = recordedLoad(`${f.balancer!.url}/info`, { concurrency: 3, pauseMs: 10, maxSeconds: 150 });
  // The stream is under way before the run starts.
  await until(() => load.answers.length >= 5, { timeout: 30_000, what: 'the first answers of the request stream' });
  let run: Streamed;
  try {
    run = await streamCli(args);
  } finally {
    // A few answers after the run, from the pool it left behind.
    const after = load.answers.length + 5;
    await until(() => load.answers.length >= after, { timeout: 30_000, what: 'answers after the run' });
    await load.stop();
  }
  return { run, answers: load.answers };
}

for (const kind of ['nginx', 'haproxy'] as const) {
  describe(`a canary by share of traffic behind ${kind}`, () => {
    let f: Fleet;
    let temp: TempFleet | undefined;
    let repo: AppRepo;
    let p: ReturnType<typeof tieredProject>;
    let restoreNginx: (() => Promise<void>) | undefined;
    const args = () => ['staging', '-c', p.file];

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
        deployTo: `/srv/traffic-${kind}-${Date.now()}`,
        extra: {
          roles: {
            web: { batch: 1, canary: { traffic: '10%', duration: WINDOW_S, max_error_rate: '2%', max_p95_ms: 5000 } },
            balancer: { balancer },
          },
        },
      });
      repo.commit('v1');
      const first = await cli(args());
      expect(first.code, first.stderr).toBe(0);
    });

    afterAll(async () => {
      if (!f) return;
      await stopApps(f, p.deployTo);
      await restoreNginx?.();
      await temp?.down();
    });

    it('a healthy canary at 10 % gets 10 % ± 3 % of the requests in its window, passes, and the rollout goes on; 0 failed requests', async () => {
      repo.commit('v2');
      const { run, answers } = await deployUnderLoad(f, args());
      expect(run.code, `${run.stderr}\n${JSON.stringify(canaryEvents(run).at(-1))}`).toBe(0);
      const events = canaryEvents(run);
      const start = events.find((e) => e.phase === 'start')!;
      const verdict = events.find((e) => e.phase === 'verdict')!;
      expect(start.hosts).toEqual(['web1']);
      expect(start.share).toBeCloseTo(0.1, 5);
      expect(verdict.ok).toBe(true);
      expect(verdict.elapsedMs).toBeGreaterThanOrEqual(WINDOW_S * 1000 - 50);
      // What the clients saw within the window: who answered.
      const inWindow = answers.filter((a) => a.at >= Date.parse(start.time) && a.at <= Date.parse(verdict.time));
      const share = inWindow.filter((a) => a.host === 'web1').length / inWindow.length;
      console.log(
        `[traffic ${kind}] healthy canary: ${inWindow.length} requests in the window, web1 answered ${(share * 100).toFixed(1)} %; balancer counted canary ${verdict.canary.requests}, rest ${verdict.rest.requests}`,
      );
      expect(inWindow.length).toBeGreaterThan(100);
      expect(share).toBeGreaterThanOrEqual(0.07);
      expect(share).toBeLessThanOrEqual(0.13);
      // The balancer's own counters saw the same split.
      const counted = verdict.canary.requests / (verdict.canary.requests + verdict.rest.requests);
      expect(counted).toBeGreaterThanOrEqual(0.07);
      expect(counted).toBeLessThanOrEqual(0.13);
      expect(endOf(run).summary?.canary?.ok).toBe(true);
      expect(answers.filter((a) => a.status !== 200)).toEqual([]);
      for (const w of webs(f)) expect(`${w} ${(await sshRun(f, w, `cat ${p.deployTo}/current/VERSION`)).stdout.trim()}`).toBe(`${w} v2`);
      expect(Object.values(await rotationOf(f)).every((r) => r === 'in')).toBe(true);
    });

    it('a canary whose app answers 500 on half its requests is caught within the window, switched back (exit 6, the numbers said), and no other request fails', async () => {
      const before = await currentOf(f, p.deployTo, 'web1');
      repo.commit('v3-bad', { files: { ERROR_RATE: '0.5\n' } });
      const { run, answers } = await deployUnderLoad(f, args());
      expect(run.code, run.stderr).toBe(6);
      const verdict = canaryEvents(run).find((e) => e.phase === 'verdict')!;
      expect(verdict.ok).toBe(false);
      expect(verdict.reason).toMatch(/^error rate \d+(\.\d)?% is over the limit of 2%/);
      expect(verdict.elapsedMs).toBeLessThanOrEqual(WINDOW_S * 1000);
      expect(verdict.canary.errors).toBeGreaterThanOrEqual(5);
      expect(verdict.rest.errors).toBe(0);
      const end = endOf(run);
      expect(end.error).toContain('the canary web1 failed: error rate');
      expect(end.error).toContain('the rest error rate 0%');
      expect(end.summary?.canary?.ok).toBe(false);
      expect(run.stderr).toContain('the canary web1 failed');
      // Every failed request is one of the canary's own injected errors; nothing else failed.
      const failed = answers.filter((a) => a.status !== 200);
      const foreign = failed.filter((a) => !(a.status === 500 && a.host === 'web1' && a.version === 'v3-bad'));
      console.log(
        `[traffic ${kind}] bad canary: ${answers.length} requests, ${failed.length} failed (all the canary's own: ${foreign.length === 0}), caught after ${verdict.elapsedMs} ms`,
      );
      expect(foreign).toEqual([]);
      expect(failed.length).toBeGreaterThan(0);
      for (const w of webs(f)) expect(`${w} ${await currentOf(f, p.deployTo, w)}`).toBe(`${w} ${before}`);
      expect(Object.values(await rotationOf(f)).every((r) => r === 'in')).toBe(true);
      // The weights are back as configured: web1 takes its equal share again.
      const after = recordedLoad(`${f.balancer!.url}/info`, { concurrency: 1, pauseMs: 0 });
      await until(() => after.answers.length >= 200, { timeout: 60_000, what: '200 answers after the canary' });
      const later = await after.stop();
      const web1 = later.filter((a) => a.host === 'web1').length / later.length;
      expect(web1).toBeGreaterThan(0.35);
      expect(web1).toBeLessThan(0.65);
    });

    it('Ctrl-C during the window ends it at once: the canary is switched back (exit 130), the weights go back, no request fails', async () => {
      const before = await currentOf(f, p.deployTo, 'web1');
      repo.commit('v4-interrupted', { files: { ERROR_RATE: '0\n' } });
      let sent = 0;
      const load = recordedLoad(`${f.balancer!.url}/info`, { concurrency: 3, pauseMs: 10, maxSeconds: 150 });
      let run: Streamed;
      try {
        run = await streamCli(args(), (e, kill) => {
          if (e.type === 'canary' && (e as CanaryJson).phase === 'sample' && !sent) {
            sent = Date.now();
            kill('SIGINT');
          }
        });
      } finally {
        await load.stop();
      }
      expect(sent).toBeGreaterThan(0);
      expect(run.code, run.stderr).toBe(130);
      expect(canaryEvents(run).some((e) => e.phase === 'verdict')).toBe(false);
      // The window was 5 s; the run ended well before it would have, switch-back included.
      const started = Date.parse(canaryEvents(run).find((e) => e.phase === 'start')!.time);
      console.log(`[traffic ${kind}] interrupted canary: exited ${run.exitedAt - sent} ms after SIGINT`);
      expect(run.exitedAt - sent).toBeLessThan(15_000);
      expect(sent - started).toBeLessThan(WINDOW_S * 1000);
      expect(load.answers.filter((a) => a.status !== 200)).toEqual([]);
      for (const w of webs(f)) expect(`${w} ${await currentOf(f, p.deployTo, w)}`).toBe(`${w} ${before}`);
      expect(Object.values(await rotationOf(f)).every((r) => r === 'in')).toBe(true);
      if (kind === 'haproxy') {
        const state = await on(f, lbOf(f), `printf '%s\\n' 'show servers state app' | socat stdio unix-connect:/srv/lb/haproxy.sock`);
        expect(parseServersState(state).map((x) => `${x.server} ${x.weight}`)).toEqual(['web1 1', 'web2 1']);
      } else {
        expect(await on(f, lbOf(f), `cat ${LB_UPSTREAM}`)).not.toContain('weight=');
      }
    });
  });
}
