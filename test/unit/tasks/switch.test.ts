import { describe, expect, it } from 'vitest';
import { rolloutPlan } from '../../../src/tasks/switch.js';
import { config, planContext } from './fixtures.js';

const names = (plan: ReturnType<typeof rolloutPlan>) => plan.map((p) => ({ role: p.role, batches: p.batches.map((b) => b.map((h) => h.name)), canary: p.canary }));

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
    expect(names(rolloutPlan(ctx, ctx.config.hosts, true)).find((p) => p.role === 'web')).toEqual({ role: 'web', batches: [['web1'], ['web2']], canary: true });
    expect(names(rolloutPlan(ctx, ctx.config.hosts, false)).find((p) => p.role === 'web')).toEqual({ role: 'web', batches: [['web1', 'web2']], canary: false });
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
