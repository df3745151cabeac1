import { describe, expect, it } from 'vitest';
import { rolloutPlan } from '../../../src/tasks/switch.js';
import { config, planContext } from './fixtures.js';

const names = (plan: ReturnType<typeof rolloutPlan>) =>
  plan.map((p) => ({ role: p.role, batches: p.batches.map((b) => b.map((h) => h.name)), canary: p.canary }));

describe('rolloutPlan', () => {
  it('goes tier by tier in rollout order, each role in its batches', () => {
    const { ctx } = planContext();
    expect(names(rolloutPlan(ctx, ctx.config.hosts))).toEqual([
      { role: 'db', batches: [['db1']], canary: false },
      { role: 'media', batches: [['media1']], canary: false },
      { role: 'web', batches: [['web1'], ['web2']], canary: false },
      { role: 'balancer', batches: [['lb1']], canary: false },
    ]);
  });

  it('a canary makes the app tier start with one host', () => {
    const base = config();
    const c = { ...base, roles: { ...base.roles, web: { ...base.roles.web!, batch: '100%' as const } } };
    const { ctx } = planContext(c);
    expect(names(rolloutPlan(ctx, ctx.config.hosts, true)).find((p) => p.role === 'web')).toEqual({
      role: 'web',
      batches: [['web1'], ['web2']],
      canary: true,
    });
    expect(names(rolloutPlan(ctx, ctx.config.hosts, false)).find((p) => p.role === 'web')).toEqual({
      role: 'web',
      batches: [['web1', 'web2']],
      canary: false,
    });
  });

  it('places a host with several roles once, in its earliest tier', () => {
    const base = config();
    const hosts = base.hosts.map((h) => (h.name === 'web2' ? { ...h, roles: ['web', 'db'] } : h));
    const { ctx } = planContext({ ...base, hosts });
    const plan = names(rolloutPlan(ctx, hosts));
    expect(plan[0]).toEqual({ role: 'db', batches: [['web2', 'db1']], canary: false });
    expect(plan.find((p) => p.role === 'web')!.batches).toEqual([['web1']]);
  });
});

// ── the switch-back, on a scripted fleet (tasks/balancer.ts over a model of the hosts and the balancer) ──────────

import { ConnectionError, type DeployError, InterruptedError, SwitchedBackError } from '../../../src/errors.js';
import { nginxComplaint, rotationFor } from '../../../src/tasks/balancer.js';
import { canaryGate } from '../../../src/tasks/canary.js';
import { rollout, type RolloutParams } from '../../../src/tasks/switch.js';
import { NEW, NGINX_COMPLAINT, OLD, scripted, type Scripted } from './scripted.js';

function params(s: Scripted, extra: Partial<RolloutParams> = {}): RolloutParams {
  const hosts = s.ctx.config.hosts.filter((h) => h.roles.includes('web'));
  return {
    release: { id: NEW, dir: `/srv/shop/releases/${NEW}` },
    previous: new Map(hosts.map((h) => [h.name, s.world.current.get(h.name) ?? null])),
    hosts,
    rotation: rotationFor(s.ctx),
    ...extra,
  };
}

const failure = (p: Promise<unknown>) =>
  p.then(
    () => undefined,
    (e: unknown) => e as DeployError,
  );
const ofWeb = (m: Map<string, string | null>) => Object.fromEntries([...m].filter(([h]) => h.startsWith('web')));

for (const kind of ['nginx', 'haproxy'] as const) {
  describe(`switching back behind ${kind}`, () => {
    it('after an interrupt during batch 2: the balancer changes still run, each event after its change, every host back and in rotation', async () => {
      const s = scripted({ kind });
      s.world.before = (host, c) => {
        if (host === 'web2' && c.description?.startsWith('probe') && s.world.app.get('web2') === NEW)
          s.abort.abort(new InterruptedError('interrupted by SIGINT'));
      };
      const e = await failure(rollout(s.ctx, params(s)));
      expect(e).toBeInstanceOf(InterruptedError);
      expect(e!.exitCode).toBe(130);
      expect(e!.message).toContain('web2: interrupted by SIGINT');
      expect(e!.message).toMatch(
        /\nafter switching back:\n {2}web1 {2}back on 20260101000000 · in rotation\n {2}web2 {2}back on 20260101000000 · in rotation$/,
      );
      expect(ofWeb(s.world.current)).toEqual({ web1: OLD, web2: OLD });
      expect(ofWeb(s.world.app)).toEqual({ web1: OLD, web2: OLD });
      expect(s.serving().sort()).toEqual(['web1', 'web2']);
      expect(s.trace()).toEqual([
        'drain web1',
        'ready web1',
        'drain web2',
        `switchback web2 → ${OLD}`,
        'ready web2',
        'drain web1',
        `switchback web1 → ${OLD}`,
        'ready web1',
      ]);
      // Each drain/ready event comes after the balancer change that made it true.
      const change = kind === 'nginx' ? 'lb1: check and reload nginx' : 'lb1: set app/';
      for (const [i, line] of s.log.entries()) {
        if (!line.startsWith('event: ready') && !line.startsWith('event: drain')) continue;
        expect(
          s.log.slice(0, i).some((l) => l.startsWith(change)),
          `${line} after a change: ${s.log.join('\n')}`,
        ).toBe(true);
      }
      // Nothing was restarted while the balancer sent it requests.
      expect(s.log.indexOf(`web1: restart the app (${OLD})`)).toBeGreaterThan(
        s.log.indexOf('event: drain web1', s.log.indexOf(`event: switchback web2 → ${OLD}`)),
      );
    });

    it('a host whose switch-back loses its connection is switched back on a new one', async () => {
      const s = scripted({ kind });
      s.world.unhealthy.set(NEW, ['web2']);
      let dropped = 0;
      s.world.before = (host, c) => {
        if (host === 'web2' && c.description === 'restart the app' && c.cwd?.endsWith(OLD) && dropped++ === 0)
          throw new ConnectionError('web2', 'switchback: connection lost');
      };
      const e = await failure(rollout(s.ctx, params(s)));
      expect(e).toBeInstanceOf(SwitchedBackError);
      expect(ofWeb(s.world.app)).toEqual({ web1: OLD, web2: OLD });
      expect(s.serving().sort()).toEqual(['web1', 'web2']);
      expect(s.trace(['warning'])).toContainEqual(
        expect.stringMatching(
          /^warning web2: connection lost while switching back \(web2: switchback: connection lost\); trying again on a new connection$/,
        ),
      );
    });

    it('a failed first deploy: the new app is stopped, current removed, and the host stays out of rotation', async () => {
      const s = scripted({ kind, first: true, stop: true });
      s.world.unhealthy.set(NEW, 'all');
      const e = await failure(rollout(s.ctx, params(s)));
      expect(e).toBeInstanceOf(SwitchedBackError);
      expect(ofWeb(s.world.current)).toEqual({ web1: null, web2: null });
      expect(s.world.app.get('web1')).toBeNull();
      expect(s.log).toContain(`web1: stop the app (${NEW})`);
      expect(s.serving()).not.toContain('web1');
      expect(e!.message).toContain(
        'web1  no earlier release to switch back to: the new app was stopped (restart.stop), current removed · out of rotation on lb1',
      );
    });

    it('a first deploy failing on batch 2: the host already serving it is taken out too, though none is left, and stopped', async () => {
      const s = scripted({ kind, first: true, stop: true });
      s.world.unhealthy.set(NEW, ['web2']);
      const e = await failure(rollout(s.ctx, params(s)));
      expect(e).toBeInstanceOf(SwitchedBackError);
      expect(ofWeb(s.world.current)).toEqual({ web1: null, web2: null });
      expect(ofWeb(s.world.app)).toEqual({ web1: null, web2: null });
      expect(s.serving()).toEqual([]);
      expect(s.trace().slice(-2)).toEqual(['drain web1', `switchback web1 → (none)`]);
    });

    it('a failed first deploy without restart.stop: the app cannot be stopped, so the host stays out of rotation, and it says so', async () => {
      const s = scripted({ kind, first: true });
      s.world.unhealthy.set(NEW, 'all');
      const e = await failure(rollout(s.ctx, params(s)));
      expect(s.world.app.get('web1')).toBe(NEW);
      expect(s.serving()).not.toContain('web1');
      expect(e!.message).toContain(
        'web1  no earlier release to switch back to: the new app was not stopped (deploy.yml has no restart.stop), current removed · out of rotation on lb1',
      );
    });
  });
}

describe('switching back when nginx cannot reload any more', () => {
  it('the host nginx serves alone is never restarted; the file stays what nginx runs; the error names lb1 and nginx', async () => {
    const s = scripted({ kind: 'nginx' });
    // An invalid line lands in nginx.conf between the batches: every reload fails from then on.
    s.world.before = (host, c) => {
      if (host === 'web2' && c.description === 'restart the app') s.world.nginx.reloadFails = true;
    };
    const e = await failure(rollout(s.ctx, params(s)));
    expect(e).toBeInstanceOf(SwitchedBackError);
    expect(e!.message).toContain(`lb1: balancer: nginx did not reload: ${NGINX_COMPLAINT}`);
    expect(e!.message).toContain(
      `web1  still on ${NEW}, the failed release: not switched back: lb1 serves it alone and could not take it out of rotation, so restarting it would fail every request · in rotation`,
    );
    expect(e!.message).toContain(`web2  back on ${OLD} · out of rotation on lb1 (down)`);
    expect(s.world.writes.filter((w) => w.startsWith('web1: restart the app'))).toEqual([`web1: restart the app (${NEW})`]);
    expect(ofWeb(s.world.app)).toEqual({ web1: NEW, web2: OLD });
    expect(s.world.nginx.file).toBe(s.world.nginx.running);
    expect(s.serving()).toEqual(['web1']);
    expect(s.trace()).not.toContain(`switchback web1 → ${OLD}`);
    // One failure was tried again before giving up.
    expect(s.trace(['warning'])).toContainEqual(expect.stringMatching(/^warning lb1: the balancer change failed .*; trying once more$/));
  });
});

describe('a connection lost while nginx reloads', () => {
  it('the change is tried again with a reload although the file already says it: web2 is out of what nginx runs before it restarts', async () => {
    const s = scripted({ kind: 'nginx' });
    let dropped = false;
    let servingAtRestart: string[] = [];
    s.world.before = (host, c) => {
      if (host === 'lb1' && c.description === 'check and reload nginx' && s.world.current.get('web1') === NEW && !dropped) {
        dropped = true;
        throw new ConnectionError('lb1', 'balancer: connection lost while running check and reload nginx');
      }
      if (host === 'web2' && c.description === 'restart the app') servingAtRestart = s.serving();
    };
    await rollout(s.ctx, params(s));
    expect(dropped).toBe(true);
    expect(servingAtRestart).toEqual(['web1']);
    expect(s.world.nginx.file).toBe(s.world.nginx.running);
    expect(s.serving()).toEqual(['web1', 'web2']);
  });
});

/**
 * Rolls out on a fleet whose web2 and web3 are out of rotation: the pool is never empty, they come in on the new
 * release (health-checked) before web1 drains, and every host ends on NEW, in rotation.
 */
async function rollOutOutFirst(s: ReturnType<typeof scripted>): Promise<void> {
  let fewest = Infinity;
  s.world.before = () => (fewest = Math.min(fewest, s.serving().length));
  await rollout(s.ctx, params(s));
  expect(fewest).toBeGreaterThan(0);
  expect(s.trace(['health', 'drain']).slice(0, 5)).toEqual(['health web2 ok', 'health web3 ok', 'ready web2', 'ready web3', 'drain web1']);
  expect(ofWeb(s.world.current)).toEqual({ web1: NEW, web2: NEW, web3: NEW });
  expect([...s.world.haproxy.values()]).toEqual([...s.world.haproxy.keys()].map(() => ({ admin: 'ready', weight: 1 })));
}

describe('hosts found out of rotation (haproxy)', () => {
  it('are reported and, when the drain would leave no server, brought back after a health check first', async () => {
    const s = scripted({ kind: 'haproxy', webs: 3 });
    s.world.haproxy.get('web2')!.admin = 'maint';
    s.world.haproxy.get('web3')!.weight = 0;
    await rollOutOutFirst(s);
    expect(s.trace(['warning'])).toContain('warning lb1: found out of rotation, not by this run: web2 (maint), web3 (weight 0)');
  });

  it('that do not answer (hosts that crashed) switch first and come in on the new release before web1 drains (the sweep’s crash of web2)', async () => {
    const s = scripted({ kind: 'haproxy', webs: 3 });
    for (const w of ['web2', 'web3']) {
      s.world.haproxy.get(w)!.admin = 'maint';
      s.world.app.set(w, null);
    }
    await rollOutOutFirst(s);
  });

  it('a failed read after a cut-over is retried without taking the host that just came in out again (the pool never empties)', async () => {
    const s = scripted({ kind: 'haproxy', webs: 2 });
    let fewest = Infinity;
    let failed = false;
    s.world.before = (host, c) => {
      fewest = Math.min(fewest, s.serving().length);
      // The sessions count after web1 came in and web2 went to drain fails once (the fault sweep's fail@lb1:13).
      if (
        host === 'lb1' &&
        c.description?.startsWith('show haproxy statistics') &&
        s.world.haproxy.get('web2')!.admin === 'drain' &&
        !failed
      ) {
        failed = true;
        s.world.failures.set(`lb1:${s.world.count.get('lb1')}`, { code: 1, stderr: 'injected' });
      }
    };
    await rollout(s.ctx, params(s));
    expect(failed).toBe(true);
    expect(fewest).toBeGreaterThan(0);
    expect(s.trace(['warning'])).toContainEqual(expect.stringMatching(/^warning lb1: the balancer change failed .*; trying once more$/));
    expect(ofWeb(s.world.current)).toEqual({ web1: NEW, web2: NEW });
    expect([...s.world.haproxy.values()]).toEqual([...s.world.haproxy.keys()].map(() => ({ admin: 'ready', weight: 1 })));
  });

  it('the end-of-run sync resets a weight left at 0 on a host outside the run', async () => {
    const s = scripted({ kind: 'haproxy', webs: 3 });
    s.world.haproxy.get('web3')!.weight = 0;
    await rollout(s.ctx, { ...params(s), hosts: params(s).hosts.filter((h) => h.name !== 'web3') });
    expect(s.world.haproxy.get('web3')).toEqual({ admin: 'ready', weight: 1 });
    expect(s.trace()).toContain('ready web3');
  });
});

describe('a host the balancer serves whose app does not answer (it crashed while in rotation)', () => {
  for (const kind of ['nginx', 'haproxy'] as const) {
    it(`${kind}: it switches first, as a batch of its own, and web1 drains only once it answers on the new release (the sweep’s crash of web2 in clean-up)`, async () => {
      const s = scripted({ kind, webs: 2 });
      s.world.app.set('web2', null);
      let fewest = Infinity;
      s.world.before = () => {
        const answering = s.serving().filter((w) => s.world.app.get(w));
        fewest = Math.min(fewest, answering.length);
      };
      await rollout(s.ctx, params(s));
      expect(fewest).toBeGreaterThan(0);
      expect(s.events.filter((e) => e.type === 'batch').map((e) => e.hosts)).toEqual([['web2'], ['web1']]);
      // HAProxy's own checks already mark it DOWN: it is not served, so there is nothing to warn about.
      const warned = s
        .trace(['warning'])
        .includes('warning web2: in rotation but failing its health check: it switches first, as a batch of its own');
      expect(warned).toBe(kind === 'nginx');
      expect(ofWeb(s.world.current)).toEqual({ web1: NEW, web2: NEW });
    });
  }
});

describe('a switch-back that must leave a pool host on the new release', () => {
  it('keeps the other tiers on it too: media1 follows what the pool serves, and the error says why (the sweep’s crash of web2 in batch 2)', async () => {
    const s = scripted({ webs: 2, media: true });
    // web2 dies while it restarts in batch 2: web1, on the new release, is all lb1 has.
    s.world.before = (host, c) => {
      if (host === 'web2' && c.description === 'restart the app') throw new ConnectionError('web2', 'switch: connection refused');
    };
    const hosts = s.ctx.config.hosts.filter((h) => !h.roles.includes('balancer'));
    const e = await failure(rollout(s.ctx, params(s, { hosts, previous: new Map(hosts.map((h) => [h.name, OLD])) })));
    expect(e).toBeInstanceOf(SwitchedBackError);
    expect(s.world.current.get('media1')).toBe(NEW);
    expect(s.world.current.get('web1')).toBe(NEW);
    expect(e!.message).toContain(`web1    still on ${NEW}, the failed release: not switched back: lb1 serves it alone`);
    expect(e!.message).toContain(`media1  still on ${NEW}, the failed release: kept on it with web1, which still serves it`);
    expect(s.log).not.toContain(`media1: switch current to ${OLD}`);
  });

  it('goes back everywhere, the pool first and the other tiers last, when the pool does', async () => {
    const s = scripted({ webs: 2, media: true });
    s.world.unhealthy.set(NEW, ['web2']);
    const hosts = s.ctx.config.hosts.filter((h) => !h.roles.includes('balancer'));
    const e = await failure(rollout(s.ctx, params(s, { hosts, previous: new Map(hosts.map((h) => [h.name, OLD])) })));
    expect(e).toBeInstanceOf(SwitchedBackError);
    expect([...s.world.current.values()]).toEqual([OLD, OLD, OLD]);
    const back = s.log.filter((l) => l.endsWith(`switch current to ${OLD}`));
    expect(back.at(-1)).toBe(`media1: switch current to ${OLD}`);
  });
});

describe('hosts that already serve the release join at the cut-over (deploy beta … promote)', () => {
  // The last web host serves the release out of rotation (a beta's); the rollout switches the others.
  const beta = (s: Scripted, host: string) => {
    s.world.current.set(host, NEW);
    s.world.app.set(host, NEW);
    if (s.world.haproxy.has(host)) s.world.haproxy.get(host)!.admin = 'maint';
    const down = s.world.nginx.file.replace(new RegExp(`max_fails=1 fail_timeout=5s; # ${host}`), `down; # ${host}`);
    s.world.nginx = { ...s.world.nginx, file: down, running: down };
  };
  /** Before every command: which releases the serving hosts run (never both, never none). */
  const watchServing = (s: Scripted) => {
    const seen: string[] = [];
    s.world.before = () => {
      const releases = [...new Set(s.serving().map((h) => s.world.app.get(h)))].sort();
      seen.push(releases.map((r) => (r === NEW ? 'new' : r === OLD ? 'old' : String(r))).join('+') || 'none');
    };
    return seen;
  };

  for (const kind of ['nginx', 'haproxy'] as const) {
    it(`behind ${kind}: in with the first batch or the last old host's drain, not found out of rotation; the pool never mixed nor empty`, async () => {
      const s = scripted({ kind, webs: kind === 'nginx' ? 2 : 3 });
      const joiner = kind === 'nginx' ? 'web2' : 'web3';
      beta(s, joiner);
      const seen = watchServing(s);
      const p = params(s);
      const hosts = p.hosts.filter((h) => h.name !== joiner);
      const joining = p.hosts.filter((h) => h.name === joiner);
      await rollout(s.ctx, { ...p, hosts, joining, rotation: rotationFor(s.ctx, joining) });
      expect(s.trace(['warning'])).toEqual([]);
      expect(new Set(seen)).toEqual(new Set(['old', 'new']));
      expect(seen.lastIndexOf('old')).toBeLessThan(seen.indexOf('new'));
      expect(s.trace(['drain'])).toEqual(
        kind === 'nginx'
          ? ['ready web2', 'drain web1', 'ready web1']
          : ['drain web1', 'ready web1', 'ready web3', 'drain web2', 'ready web2'],
      );
      expect(ofWeb(s.world.current)).toEqual(Object.fromEntries(p.hosts.map((h) => [h.name, NEW])));
      expect(s.serving()).toEqual(p.hosts.map((h) => h.name));
    });
  }
});

describe('every wait of a rollout ends at once on an interrupt', () => {
  const quickly = async (s: Scripted, run: Promise<unknown>, when: (host: string, description: string) => boolean) => {
    let at = 0;
    s.world.before = (host, c) => {
      if (!at && when(host, c.description ?? '')) {
        at = Date.now() + 50;
        setTimeout(() => s.abort.abort(new InterruptedError('interrupted by SIGINT')), 50);
      }
    };
    const e = await failure(run);
    expect(e).toBeInstanceOf(InterruptedError);
    expect(Date.now() - at).toBeLessThan(1000);
  };

  it('the pause between batches', async () => {
    const s = scripted();
    const c = s.ctx.config;
    const ctx = { ...s.ctx, config: { ...c, roles: { ...c.roles, web: { ...c.roles.web!, pause: 60 } } } };
    await quickly(
      s,
      rollout(ctx, params(s)),
      (h, d) => h === 'lb1' && d === 'check and reload nginx' && s.world.current.get('web1') === NEW,
    );
  });

  it('health retries', async () => {
    const s = scripted();
    s.world.unhealthy.set(NEW, 'all');
    const c = s.ctx.config;
    const ctx = { ...s.ctx, config: { ...c, health: { ...c.health!, retries: 100, interval: 60 } } };
    await quickly(s, rollout(ctx, params(s)), (h, d) => h === 'web1' && d.startsWith('probe'));
  });

  it('the canary watch', async () => {
    const s = scripted();
    await quickly(
      s,
      rollout(s.ctx, params(s, { canary: canaryGate(s.ctx, { seconds: 60 }) })),
      (h, d) => h === 'web1' && d.startsWith('probe'),
    );
  });
});

describe('nginxComplaint', () => {
  it.each([
    [
      'nginx -t on stderr',
      'nginx: [emerg] unknown directive "garbage" in /srv/lb/nginx.conf:40\nnginx: configuration file /srv/lb/nginx.conf test failed\n',
      'nginx: [emerg] unknown directive "garbage" in /srv/lb/nginx.conf:40',
    ],
    [
      'the error log’s form',
      '2026/11/29 23:20:09 [emerg] 925#925: unknown directive "garbage" in /srv/lb/nginx.conf:37\n',
      'nginx: [emerg] unknown directive "garbage" in /srv/lb/nginx.conf:37',
    ],
    ['no level: the last line', 'reload script: permission denied\n\n', 'reload script: permission denied'],
  ])('%s', (_name, output, said) => expect(nginxComplaint(output)).toBe(said));
});

// ── item by item, as writes in order: the Nth command on a host fails, the pause between batches ───────────────

describe('a rollout as writes in order (scripted, milliseconds)', () => {
  it('health fails on web2 in batch 2 → these writes, in this order, exit 6', async () => {
    const s = scripted();
    // web2's 1st command is the health check before the first drain; its 4th and 5th are its probes after its
    // restart (retries: 1): both fail.
    s.world.failures.set('web2:4', { code: 7, stdout: '\n000', stderr: 'curl: (7) Failed to connect' });
    s.world.failures.set('web2:5', { code: 7, stdout: '\n000', stderr: 'curl: (7) Failed to connect' });
    const e = await failure(rollout(s.ctx, params(s)));
    expect(e).toBeInstanceOf(SwitchedBackError);
    expect(e!.exitCode).toBe(6);
    expect(s.log.filter((l) => !l.startsWith('lb1: read') && !l.startsWith('lb1: write') && !l.startsWith('lb1: check'))).toEqual([
      'event: drain web1',
      `web1: switch current to ${NEW}`,
      `web1: restart the app (${NEW})`,
      'event: ready web1',
      'event: drain web2',
      `web2: switch current to ${NEW}`,
      `web2: restart the app (${NEW})`,
      `event: switchback web2 → ${OLD}`,
      `web2: switch current to ${OLD}`,
      `web2: restart the app (${OLD})`,
      'event: ready web2',
      'event: drain web1',
      `event: switchback web1 → ${OLD}`,
      `web1: switch current to ${OLD}`,
      `web1: restart the app (${OLD})`,
      'event: ready web1',
      `web1: mark release ${NEW} bad`,
      `web2: mark release ${NEW} bad`,
    ]);
    expect(ofWeb(s.world.current)).toEqual({ web1: OLD, web2: OLD });
  });

  it('Ctrl-C during the pause between batches ends it at once: exit 130, batch 1 goes back, batch 2 is never touched', async () => {
    const s = scripted({ pause: 3600 });
    const ctx = {
      ...s.ctx,
      emit: (e: Parameters<typeof s.ctx.emit>[0]) => {
        s.ctx.emit(e);
        if (e.type === 'drain' && e.action === 'ready' && e.host === 'web1')
          setImmediate(() => s.abort.abort(new InterruptedError('interrupted by SIGINT')));
      },
    };
    const started = Date.now();
    const e = await failure(rollout(ctx, params(s, { rotation: rotationFor(ctx) })));
    expect(Date.now() - started).toBeLessThan(4000);
    expect(e).toBeInstanceOf(InterruptedError);
    expect(e!.exitCode).toBe(130);
    expect(s.log.filter((l) => l.startsWith('web2'))).toEqual([`web2: mark release ${NEW} bad`]);
    expect(ofWeb(s.world.current)).toEqual({ web1: OLD, web2: OLD });
  });

  it('pauseBetweenBatches is asked before each later batch, with its role and number', async () => {
    const s = scripted({ webs: 3 });
    const asked: string[] = [];
    await rollout(s.ctx, params(s, { pauseBetweenBatches: (role, n) => (asked.push(`${role} ${n}`), Promise.resolve()) }));
    expect(asked).toEqual(['web 2', 'web 3']);
  });
});
