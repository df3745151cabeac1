import type { Config, HostDef } from '../config/types.js';

export const hostsWithRole = (hosts: readonly HostDef[], role: string): HostDef[] => hosts.filter((h) => h.roles.includes(role));

/** The host of `role` marked `primary`, else the first of that role; undefined when the role has no host. */
export function primaryHost(hosts: readonly HostDef[], role: string): HostDef | undefined {
  const ofRole = hostsWithRole(hosts, role);
  return ofRole.find((h) => h.primary) ?? ofRole[0];
}

/** Hosts that receive the code: those with any role whose `code` is true. */
export function codeHosts(config: Pick<Config, 'hosts' | 'roles'>): HostDef[] {
  return config.hosts.filter((h) => h.roles.some((r) => config.roles[r]?.code === true));
}

/** Role names in switch order: `rollout` first, then the other roles in the order they are defined. */
export function rolloutOrder(config: Pick<Config, 'rollout' | 'roles'>): string[] {
  return [...new Set([...config.rollout, ...Object.keys(config.roles)])];
}
