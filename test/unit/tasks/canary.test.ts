import { describe, expect, it } from 'vitest';
import { type DeployError, SwitchedBackError } from '../../../src/errors.js';
import { rotationFor } from '../../../src/tasks/balancer.js';
import { canaryLine } from '../../../src/output/canary.js';
import { canaryPolicy, judge, trafficSpec } from '../../../src/tasks/canary.js';
import { rollout, type RolloutParams } from '../../../src/tasks/switch.js';
import { NEW, OLD, scripted, type Scripted } from './scripted.js';

// `--canary` on a scripted fleet of two web hosts rolled out all at once (batch 100%): the canary goes first.

const failure = (p: Promise<unknown>) =>
  p.then(
    () => undefined,
    (e: unknown) => e as DeployError,
  );
const noQuestion = () => Promise.reject(new Error('nobody should be asked'));

function run(s: Scripted, canary: RolloutParams['canary']) {
  const hosts = s.ctx.config.hosts.filter((h) => h.roles.includes('web'));
  return rollout(s.ctx, {
    release: { id: NEW, dir: `/srv/shop/releases/${NEW}` },
    previous: new Map(hosts.map((h) => [h.name, OLD])),
    hosts,
    rotation: rotationFor(s.ctx),
    ...(canary ? { canary } : {}),
  });
}
const moves = (s: Scripted) => s.log.filter((l) => /^web\d: (switch current|restart the app)/.test(l));

describe('canaryPolicy', () => {
  it('no flag: no canary', () => {
    expect(canaryPolicy(scripted().ctx, undefined, { interactive: true, ask: noQuestion })).toBeUndefined();
  });

  it('at a terminal, "abort" → the canary goes back, the other host is never touched, exit 6', async () => {
    const s = scripted({ batch: '100%' });
    const asked: string[] = [];
    const gate = canaryPolicy(s.ctx, true, { interactive: true, ask: (q) => (asked.push(q), Promise.resolve('abort')) });
    const e = await failure(run(s, gate));
    expect(e).toBeInstanceOf(SwitchedBackError);
    expect(e!.exitCode).toBe(6);
    expect(e!.message).toContain('the canary web1 was not confirmed');
    expect(asked).toEqual(['The canary web1 serves the new release. Enter to roll out to the rest, "abort" to switch it back: ']);
    expect(moves(s)).toEqual([
      `web1: switch current to ${NEW}`,
      `web1: restart the app (${NEW})`,
      `web1: switch current to ${OLD}`,
      `web1: restart the app (${OLD})`,
    ]);
  });

  it('at a terminal, Enter → the rest follow', async () => {
    const s = scripted({ batch: '100%' });
    await run(s, canaryPolicy(s.ctx, true, { interactive: true, ask: () => Promise.resolve('') }));
    expect(moves(s)).toEqual([
      `web1: switch current to ${NEW}`,
      `web1: restart the app (${NEW})`,
      `web2: switch current to ${NEW}`,
      `web2: restart the app (${NEW})`,
    ]);
  });

  it('in CI nobody is asked: the canary is watched for the seconds given and must still be healthy', async () => {
    const s = scripted({ batch: '100%' });
    const gate = canaryPolicy(s.ctx, 0, { interactive: false, ask: noQuestion });
    // web1 passes its own health check, then falls over while it is watched.
    let probes = 0;
    s.world.before = (host, c) => {
      if (host === 'web1' && c.description?.startsWith('probe') && ++probes === 2) s.world.unhealthy.set(NEW, ['web1']);
    };
    const e = await failure(run(s, gate));
    expect(e).toBeInstanceOf(SwitchedBackError);
    expect(s.trace(['info', 'warning'])).toContainEqual('info web1: canary: watching web1 for 0s before the rest');
    expect(s.trace(['warning'])).toContainEqual(expect.stringMatching(/^warning web1: canary unhealthy: /));
    expect(moves(s).filter((l) => l.startsWith('web2'))).toEqual([]);
  });
});

describe('a canary by share of traffic', () => {
  const limits = { maxErrorRate: 0.01, maxP95Ms: 800 };
  const numbers = (requests: number, errors: number, p95Ms?: number) => ({
    requests,
    errors,
    errorRate: requests ? errors / requests : 0,
    ...(p95Ms !== undefined ? { p95Ms } : {}),
  });

  it.each([
    ['within the limits at the end', numbers(200, 1, 120), true, { ok: true }],
    ['over the error rate at the end', numbers(200, 4, 120), true, { ok: false, reason: 'error rate 2% is over the limit of 1%' }],
    ['over the p95 at the end', numbers(200, 0, 950), true, { ok: false, reason: 'p95 response time 950 ms is over the limit of 800 ms' }],
    [
      'both',
      numbers(100, 50, 950),
      false,
      { ok: false, reason: 'error rate 50% is over the limit of 1%; p95 response time 950 ms is over the limit of 800 ms' },
    ],
    ['early: too few requests to say', numbers(19, 19, 10), false, { ok: undefined }],
    ['early: enough requests, too few errors to say', numbers(40, 4, 10), false, { ok: undefined }],
    ['early: enough of both', numbers(40, 5, 10), false, { ok: false, reason: 'error rate 12.5% is over the limit of 1%' }],
    ['early: within so far', numbers(400, 0, 10), false, { ok: undefined }],
    [
      'at the end without a request',
      numbers(0, 0),
      true,
      { ok: true, reason: 'no request reached the canary in the window: judged by its health check only' },
    ],
    [
      'haproxy: its average stands in for the p95',
      { requests: 50, errors: 0, errorRate: 0, avgMs: 900 },
      true,
      { ok: false, reason: 'average response time 900 ms is over the limit of 800 ms' },
    ],
  ] as const)('judge: %s', (_name, canary, final, expected) => {
    expect(judge(canary, limits, final)).toEqual(expected);
  });

  it('trafficSpec: deploy.yml’s canary runs on every deploy; --canary 10% sets the share, --canary <s> the duration', () => {
    const withCanary = scripted({
      extra: {
        roles: {
          web: { batch: 1, canary: { traffic: '20%', duration: 30, max_error_rate: '0.5%' } },
          balancer: { balancer: { kind: 'haproxy', admin_socket: '/srv/lb/haproxy.sock', backend: 'app' } },
        },
      },
    });
    expect(trafficSpec(withCanary.ctx.config, undefined)).toEqual({ traffic: 0.2, duration: 30, maxErrorRate: 0.005 });
    expect(trafficSpec(withCanary.ctx.config, { share: 0.05 })).toEqual({ traffic: 0.05, duration: 30, maxErrorRate: 0.005 });
    expect(trafficSpec(withCanary.ctx.config, 10)).toEqual({ traffic: 0.2, duration: 10, maxErrorRate: 0.005 });
    const plain = scripted();
    expect(trafficSpec(plain.ctx.config, undefined)).toBeUndefined();
    expect(trafficSpec(plain.ctx.config, 60)).toBeUndefined();
    expect(trafficSpec(plain.ctx.config, { share: 0.1 })).toEqual({ traffic: 0.1, duration: 120, maxErrorRate: 0.01 });
  });

  it('--canary 10% without a balancer fails before anything runs (exit 2)', () => {
    const s = scripted({ extra: { roles: { web: { batch: 1 } } } });
    const lone = { ...s.ctx.config, roles: { ...s.ctx.config.roles, balancer: { ...s.ctx.config.roles.balancer!, balancer: undefined } } };
    let error: DeployError | undefined;
    try {
      trafficSpec(lone, { share: 0.1 });
    } catch (e) {
      error = e as DeployError;
    }
    expect(error?.exitCode).toBe(2);
    expect(error?.message).toContain('a canary by share of traffic (10%) needs a balancer');
  });

  it('canaryPolicy: a share asks no question, even at a terminal', () => {
    const s = scripted();
    expect(canaryPolicy(s.ctx, { share: 0.1 }, { interactive: true, ask: noQuestion })).toBeTypeOf('function');
  });

  it('the live line and the CI lines', () => {
    expect(canaryLine({ share: 0.1, windowMs: 120_000, elapsedMs: 42_400, canary: numbers(51, 1, 14), rest: numbers(460, 0, 9) })).toBe(
      'canary at 10% of the requests, 42/120 s: canary error rate 2% (1 of 51 requests), p95 14 ms; the rest error rate 0% (0 of 460 requests), p95 9 ms',
    );
  });
});
