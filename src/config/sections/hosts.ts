import type { HostDef } from '../types.js';
import { vars } from './env.js';
import { boolean, checked, list, matching, noControl, port, roleName, strict, userName, type Rule } from './primitives.js';

const ADDRESS_TEXT = 'a host name or IP address';
/** What ssh, curl and the balancers' config files can all take: names, IPv4, IPv6 (bare or in brackets). */
const ADDRESS = /^(?:[A-Za-z0-9_.:-]+|\[[0-9A-Fa-f:.]+\])$/;

/** The usual ways of writing more than an address, each answered with the keys that say it. */
const addressRule: Rule = (a) => {
  const url = /^[A-Za-z][A-Za-z0-9+.-]*:\/\/(?:([^@/]*)@)?(\[[^\]/]*\]|[^:/]*)(?::(\d+))?\/?$/.exec(a);
  const userAt = /^([^@:/]+)@([^@]+)$/.exec(a);
  const hostPort = /^([^:[\]]+|\[[^\]]+\]):(\d+)$/.exec(a);
  const keys = (host: string, port?: string, user?: string) =>
    [`\`address: ${host}\``, ...(port ? [`\`port: ${port}\``] : []), ...(user ? [`\`user: ${user}\``] : [])].join(', ');
  if (url) return { expected: ADDRESS_TEXT, hint: `write the host alone: ${keys(url[2] ?? '', url[3], url[1])}` };
  if (userAt) return { expected: ADDRESS_TEXT, hint: `put the user in its own key: ${keys(userAt[2] ?? '', undefined, userAt[1])}` };
  if (hostPort) return { expected: ADDRESS_TEXT, hint: `put the port in its own key: ${keys(hostPort[1] ?? '', hostPort[2])}` };
  if (a === '') return ADDRESS_TEXT;
  if (a.startsWith('-')) return { expected: ADDRESS_TEXT, hint: 'it cannot start with `-` (ssh would read it as an option)' };
  return ADDRESS.test(a) ? undefined : `${ADDRESS_TEXT} (letters, digits, \`.\`, \`-\`, \`_\`, \`:\`)`;
};

export const host = strict(
  {
    name: matching(/^[A-Za-z0-9][A-Za-z0-9_.-]*$/, 'a host name (letters, digits, `_`, `-` and `.`)').describe(
      'Name used in output, selectors and `ssh.jump`; unique within the stage.',
    ),
    address: checked(ADDRESS_TEXT, noControl(ADDRESS_TEXT), addressRule).describe('Host name or IP address to connect to.'),
    port: port().optional().describe('SSH port of this host (default `ssh.port`).'),
    user: userName().optional().describe('SSH user on this host (default `ssh.user`).'),
    roles: list(roleName(), 1, 'a list of role names').describe('Roles of this host, e.g. `[web]` or `[web, db]`.'),
    vars: vars.default({}),
    primary: boolean()
      .default(false)
      .describe('Primary host of its roles: runs `once` tasks and migrations (default: the first host of the role).'),
    beta: boolean().optional().describe('Serves the selective beta (`deploy beta`), like a host listed in `beta.hosts`.'),
  },
  'a host mapping with `name`, `address` and `roles`',
).transform((h): HostDef => h);

export const hosts = list(host, 1, 'a list of hosts').describe('The machines of this stage.');
