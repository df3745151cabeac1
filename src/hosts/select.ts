import type { HostDef } from '../config/types.js';
import { ConfigError, type ConfigIssue } from '../errors.js';

export interface HostSelector {
  /** `--roles web,db`: hosts having any of them. */
  readonly roles?: readonly string[];
  /** `--hosts web1,web2`: these hosts by name. */
  readonly hosts?: readonly string[];
}

const listOf = (names: Iterable<string>): string => [...names].join(', ') || '(none)';

/**
 * The hosts a run works on, in inventory order. Roles select their union, names select themselves; given both,
 * a host must match both. An unknown role or host name is an error that lists what exists.
 */
export function selectHosts(hosts: readonly HostDef[], selector: HostSelector = {}): HostDef[] {
  const roles = selector.roles?.length ? selector.roles : undefined;
  const names = selector.hosts?.length ? selector.hosts : undefined;
  const knownRoles = new Set(hosts.flatMap((h) => h.roles));
  const knownNames = new Set(hosts.map((h) => h.name));
  const issues: ConfigIssue[] = [
    ...(roles ?? [])
      .filter((r) => !knownRoles.has(r))
      .map((r) => ({ file: '--roles', path: '', message: `unknown role "${r}"; roles: ${listOf(knownRoles)}` })),
    ...(names ?? [])
      .filter((n) => !knownNames.has(n))
      .map((n) => ({ file: '--hosts', path: '', message: `unknown host "${n}"; hosts: ${listOf(knownNames)}` })),
  ];
  if (issues.length > 0) throw new ConfigError(issues);

  const selected = hosts.filter((h) => (!roles || h.roles.some((r) => roles.includes(r))) && (!names || names.includes(h.name)));
  if (selected.length === 0 && roles && names) {
    throw ConfigError.single(
      '--roles/--hosts',
      `no host is both in roles ${roles.join(', ')} and named ${names.join(', ')}`,
      'drop one of the two flags, or pick hosts that have one of those roles',
    );
  }
  return selected;
}
