import * as z from 'zod';
import {
  absolutePath,
  boolean,
  command,
  expecting,
  matching,
  named,
  port,
  roleName,
  seconds,
  strict,
} from './primitives.js';

const batchText = expecting('a number of hosts >= 1 or a percentage from 1% to 100%');
const batch = z
  .union(
    [
      z.number(batchText).int(batchText).min(1, batchText),
      z.string(batchText).regex(/^(100|[1-9][0-9]?)%$/, batchText),
    ],
    batchText,
  )
  .transform((b) => b as number | `${number}%`);

const identifier = (what: string) => matching(/^[A-Za-z0-9_.-]+$/, `${what} (letters, digits, \`_\`, \`-\` and \`.\`)`);
// nginx takes an upstream name only when it starts with a letter or digit.
const upstreamName = () =>
  matching(/^[A-Za-z0-9][A-Za-z0-9_.-]*$/, 'an upstream name (letters, digits, `_`, `-` and `.`, starting with a letter or digit)');

const balancerFields = {
  pool: roleName().default('web').describe('Role whose hosts form the pool behind this balancer (default `web`).'),
  port: port()
    .optional()
    .describe('Port the pool’s hosts serve the app on (default: `health.port`, else 3000).'),
  drain_timeout: seconds()
    .default(10)
    .describe('Seconds to wait for in-flight requests after a host is taken out of the pool (default 10).'),
};

const nginx = strict(
  {
    kind: z.literal('nginx').describe('`nginx`: the pool is an `upstream` block in an include file this tool owns.'),
    ...balancerFields,
    upstream_file: absolutePath().describe('Include file (on the balancer) that holds the `upstream` block.'),
    upstream_name: upstreamName()
      .optional()
      .describe('Name of the `upstream` block (default: the value of `app`).'),
    reload: command()
      .default('nginx -t && nginx -s reload')
      .describe('Shell snippet that checks and reloads nginx (default `nginx -t && nginx -s reload`).'),
  },
  'a balancer mapping',
);

const haproxy = strict(
  {
    kind: z.literal('haproxy').describe('`haproxy`: servers are drained through the runtime API, without reloads.'),
    ...balancerFields,
    admin_socket: absolutePath((p) =>
      /[,:!]/.test(p) ? { expected: 'a socket path without `,`, `:` or `!`', hint: 'socat reads them as separators of its address' } : undefined,
    ).describe('HAProxy admin socket (`stats socket … level admin`) on the balancer.'),
    backend: identifier('a backend name')
      .optional()
      .describe('HAProxy backend holding the pool (default: the value of `app`).'),
  },
  'a balancer mapping',
);

export const balancer = z
  .discriminatedUnion('kind', [nginx, haproxy], { error: 'expected `kind: nginx` or `kind: haproxy`' })
  .describe('Makes this role a load balancer that takes hosts of `pool` out of rotation while they restart.');

const role = strict(
  {
    code: boolean()
      .optional()
      .describe('Whether hosts of this role get the code and releases (default true; false for balancer roles).'),
    batch: batch
      .optional()
      .describe('Hosts switched at once: a count or a percentage of the role’s hosts (default 1 for web, else 100%).'),
    pause: seconds().optional().describe('Seconds to wait between batches (default 0).'),
    balancer: balancer.optional(),
  },
  'a mapping with `code`, `batch`, `pause` or `balancer`',
);

// `worker:` with nothing after it declares the role with its defaults.
export const roles = named(roleName(), role.nullable(), 'a mapping of role names to roles').describe(
  'Roles hosts can have. Built in: web, db, media (get code) and balancer (no code); declare others here, or ' +
    'change the built-in ones.',
);

export type RoleInput = z.output<typeof role>;
export type BalancerInput = z.output<typeof balancer>;
