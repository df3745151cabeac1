import type { HostDef, RoleDef } from '../../../src/config/types.js';

export const host = (name: string, roles: string[], primary = false): HostDef => ({
  name,
  address: `${name}.internal`,
  roles,
  vars: {},
  primary,
});

export const role = (code: boolean): RoleDef => ({ code, batch: 1, pause: 0 });

/** web1..web3, two workers, a db, and a balancer. */
export const inventory: HostDef[] = [
  host('web1', ['web']),
  host('web2', ['web', 'cron'], true),
  host('web3', ['web']),
  host('worker1', ['worker']),
  host('worker2', ['worker'], true),
  host('db1', ['db']),
  host('lb1', ['lb']),
];

export const names = (hosts: readonly HostDef[]): string[] => hosts.map((h) => h.name);
