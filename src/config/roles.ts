import type { BalancerDef, BatchSize, HealthCheck, RoleDef } from './types.js';
import type { BalancerInput, RoleInput } from './sections/roles.js';

/** Roles every deploy.yml has; declaring one under `roles` changes only the fields it sets. */
export const BUILTIN_ROLES: Readonly<Record<string, { readonly code: boolean; readonly batch?: BatchSize }>> = {
  web: { code: true, batch: 1 },
  db: { code: true },
  media: { code: true },
  balancer: { code: false },
};

export const DEFAULT_BATCH: BatchSize = '100%';
export const DEFAULT_APP_PORT = 3000;

/** Built-in roles first, then declared ones in file order: the order unlisted roles switch in. */
export function roleNames(declared: Iterable<string>): string[] {
  return [...new Set([...Object.keys(BUILTIN_ROLES), ...declared])];
}

export function resolveRoles(
  declared: Readonly<Record<string, RoleInput | null>>,
  app: string,
  health: HealthCheck | undefined,
): Record<string, RoleDef> {
  return Object.fromEntries(
    roleNames(Object.keys(declared)).map((name): [string, RoleDef] => {
      const d = declared[name];
      const builtin = BUILTIN_ROLES[name];
      return [
        name,
        {
          // A balancer role's hosts route traffic; they get no code unless told so.
          code: d?.code ?? builtin?.code ?? d?.balancer === undefined,
          batch: d?.batch ?? builtin?.batch ?? DEFAULT_BATCH,
          pause: d?.pause ?? 0,
          balancer: d?.balancer && resolveBalancer(d.balancer, app, health),
          ...(d?.canary
            ? {
                canary: {
                  traffic: d.canary.traffic,
                  duration: d.canary.duration,
                  maxErrorRate: d.canary.max_error_rate,
                  ...(d.canary.max_p95_ms !== undefined ? { maxP95Ms: d.canary.max_p95_ms } : {}),
                },
              }
            : {}),
        },
      ];
    }),
  );
}

function resolveBalancer(b: BalancerInput, app: string, health: HealthCheck | undefined): BalancerDef {
  const base = { pool: b.pool, port: b.port ?? health?.port ?? DEFAULT_APP_PORT, drainTimeout: b.drain_timeout };
  return b.kind === 'nginx'
    ? {
        kind: 'nginx',
        ...base,
        upstreamFile: b.upstream_file,
        upstreamName: b.upstream_name ?? app,
        reload: b.reload,
        ...(b.access_log ? { accessLog: b.access_log } : {}),
      }
    : { kind: 'haproxy', ...base, adminSocket: b.admin_socket, backend: b.backend ?? app };
}
