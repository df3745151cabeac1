import { describe, expect, it } from 'vitest';
import { type DeployError, SwitchedBackError } from '../../../src/errors.js';
import { rotationFor } from '../../../src/tasks/balancer.js';
import { canaryPolicy } from '../../../src/tasks/canary.js';
import { rollout, type RolloutParams } from '../../../src/tasks/switch.js';
import { NEW, OLD, scripted, type Scripted } from './scripted.js';

// `--canary` on a scripted fleet of two web hosts rolled out all at once (batch 100%): the canary goes first.

const failure = (p: Promise<unknown>) => p.then(() => undefined, (e: unknown) => e as DeployError);
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
    expect(moves(s)).toEqual([`web1: switch current to ${NEW}`, `web1: restart the app (${NEW})`, `web1: switch current to ${OLD}`, `web1: restart the app (${OLD})`]);
  });

  it('at a terminal, Enter → the rest follow', async () => {
    const s = scripted({ batch: '100%' });
    await run(s, canaryPolicy(s.ctx, true, { interactive: true, ask: () => Promise.resolve('') }));
    expect(moves(s)).toEqual([`web1: switch current to ${NEW}`, `web1: restart the app (${NEW})`, `web2: switch current to ${NEW}`, `web2: restart the app (${NEW})`]);
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
