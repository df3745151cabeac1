import type { Command } from 'commander';
import { paths } from '../commands/paths.js';
import { lockStatus } from '../facts/lock.js';
import { healthCheck } from '../facts/health.js';
import { isHealthy } from '../tasks/health.js';
import { healthRoles } from '../tasks/env.js';
import { rotationStatus } from '../tasks/balancer.js';
import { describeHolder, lockHost } from '../tasks/lock.js';
import { readHostReleases } from '../tasks/rollback.js';
import { exec, onHosts, probe } from '../tasks/runner.js';
import type { RunFlags } from './context.js';
import { out } from './common.js';
import { runVerb, stageVerb } from './verbs.js';
import type { RunContext } from '../tasks/context.js';
import type { HostDef } from '../config/types.js';

export interface HostStatus {
  host: string;
  roles: readonly string[];
  current: string | null;
  revision: string | null;
  health: 'healthy' | 'unhealthy' | 'n/a';
  /** Whether the balancers route to it; n/a outside a balancer pool. */
  rotation: 'in' | 'out' | 'mixed' | 'n/a';
  bad: readonly string[];
}

async function hostStatus(ctx: RunContext, host: HostDef): Promise<HostStatus> {
  const holdsCode = host.roles.some((r) => ctx.config.roles[r]?.code);
  const s = holdsCode ? await readHostReleases(ctx, 'status', host) : null;
  let health: HostStatus['health'] = 'n/a';
  const h = ctx.config.health;
  if (h && host.roles.some((r) => healthRoles(ctx.config).includes(r))) {
    const f = healthCheck({ address: host.address, port: h.port, path: h.path, timeout: h.timeout });
    const r = await exec(ctx, 'status', host, f.command, { allowFail: true });
    let ok = false;
    try {
      ok = isHealthy(h, f.parse(r.stdout));
    } catch {
      ok = false;
    }
    health = ok ? 'healthy' : 'unhealthy';
  }
  const revision = s?.current ? (s.log.filter((e) => e.release === s.current).pop()?.revision ?? null) : null;
  return { host: host.name, roles: host.roles, current: s?.current ?? null, revision, health, rotation: 'n/a', bad: s?.bad ?? [] };
}

/** Hosts of one role serving different releases. */
export function mixedRoles(statuses: readonly HostStatus[], codeRoles: ReadonlySet<string>): Map<string, Map<string, string[]>> {
  const byRole = new Map<string, Map<string, string[]>>();
  for (const s of statuses) {
    for (const role of s.roles.filter((r) => codeRoles.has(r))) {
      const m = byRole.get(role) ?? new Map<string, string[]>();
      const key = s.current ?? '(none)';
      m.set(key, [...(m.get(key) ?? []), s.host]);
      byRole.set(role, m);
    }
  }
  return new Map([...byRole].filter(([, m]) => m.size > 1));
}

export function registerStatus(program: Command): void {
  stageVerb(program.command('status').argument('<stage>', 'the stage').description('which release every host serves, its health, mixed releases, leftover locks and bad releases')).action(
    (stage: string, flags: RunFlags) =>
      runVerb(stage, flags, 'status', async ({ ctx }) => {
        const rotation = await rotationStatus(ctx);
        const statuses = [...(await onHosts(ctx, 'status', ctx.hosts, (h) => hostStatus(ctx, h))).values()].map((s): HostStatus => ({ ...s, rotation: rotation.get(s.host) ?? 'n/a' }));
        const lh = lockHost(ctx.config);
        const lock = await probe(ctx, 'status', lh, lockStatus(paths(ctx.config.deployTo)));
        const codeRoles = new Set(Object.entries(ctx.config.roles).filter(([, r]) => r.code).map(([n]) => n));
        const mixed = mixedRoles(statuses, codeRoles);
        if (flags.json) {
          out(JSON.stringify({ type: 'status', stage, hosts: statuses, lock: { host: lh.name, ...lock }, mixed: Object.fromEntries([...mixed].map(([r, m]) => [r, Object.fromEntries(m)])) }));
          return;
        }
        for (const s of statuses) {
          const rot = s.rotation === 'n/a' ? '' : s.rotation === 'in' ? ' in rotation' : s.rotation === 'out' ? ' DRAINED' : ' in rotation on some balancers only';
          out(`${s.host.padEnd(12)} ${s.roles.join(',').padEnd(14)} ${(s.current ?? '-').padEnd(15)} ${(s.revision ?? '').slice(0, 12).padEnd(12)} ${s.health}${rot}${s.bad.length ? `  bad: ${s.bad.join(', ')}` : ''}`);
        }
        for (const [role, m] of mixed) out(`warning: role ${role} serves mixed releases: ${[...m].map(([r, hs]) => `${r} on ${hs.join(', ')}`).join('; ')}`);
        if (lock.state !== 'unlocked') out(`warning: ${stage} is locked on ${lh.name} by ${describeHolder(lock, new Date())}`);
      }, { query: true }),
  );
}
