import type { HostDef } from '../types.js';
import { vars } from './env.js';
import { boolean, list, matching, port, roleName, strict, userName } from './primitives.js';

export const host = strict(
  {
    name: matching(/^[A-Za-z0-9][A-Za-z0-9_.-]*$/, 'a host name (letters, digits, `_`, `-` and `.`)').describe(
      'Name used in output, selectors and `ssh.jump`; unique within the stage.',
    ),
    address: matching(/^[^\s@]+$/, 'a host name or IP address').describe('Host name or IP address to connect to.'),
    port: port().optional().describe('SSH port of this host (default `ssh.port`).'),
    user: userName().optional().describe('SSH user on this host (default `ssh.user`).'),
    roles: list(roleName(), 1, 'a list of role names').describe('Roles of this host, e.g. `[web]` or `[web, db]`.'),
    vars: vars.default({}),
    primary: boolean()
      .default(false)
      .describe('Primary host of its roles: runs `once` tasks and migrations (default: the first host of the role).'),
  },
  'a host mapping with `name`, `address` and `roles`',
).transform((h): HostDef => h);

export const hosts = list(host, 1, 'a list of hosts').describe('The machines of this stage.');
