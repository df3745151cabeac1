import * as z from 'zod';
import {
  absolutePath,
  boolean,
  checked,
  command,
  expecting,
  integer,
  matching,
  named,
  port,
  roleName,
  seconds,
  strict,
} from './primitives.js';

const batchText = expecting('a number of hosts >= 1 or a percentage from 1% to 100%');
const batch = z
  .union([z.number(batchText).int(batchText).min(1, batchText), z.string(batchText).regex(/^(100|[1-9][0-9]?)%$/, batchText)], batchText)
  .transform((b) => b as number | `${number}%`);

const identifier = (what: string) => matching(/^[A-Za-z0-9_.-]+$/, `${what} (letters, digits, \`_\`, \`-\` and \`.\`)`);
// nginx takes an upstream name only when it starts with a letter or digit.
const upstreamName = () =>
  matching(/^[A-Za-z0-9][A-Za-z0-9_.-]*$/, 'an upstream name (letters, digits, `_`, `-` and `.`, starting with a letter or digit)');

const balancerFields = {
  pool: roleName().default('web').describe('Role whose hosts form the pool behind this balancer (default `web`).'),
  port: port().optional().describe('Port the pool’s hosts serve the app on (default: `health.port`, else 3000).'),
  drain_timeout: seconds()
    .default(10)
    .describe('Seconds to wait for in-flight requests after a host is taken out of the pool (default 10).'),
};

const nginx = strict(
  {
    kind: z.literal('nginx').describe('`nginx`: the pool is an `upstream` block in an include file this tool owns.'),
    ...balancerFields,
    upstream_file: absolutePath().describe('Include file (on the balancer) that holds the `upstream` block.'),
    upstream_name: upstreamName().optional().describe('Name of the `upstream` block (default: the value of `app`).'),
    reload: command()
      .default('nginx -t && nginx -s reload')
      .describe('Shell snippet that checks and reloads nginx (default `nginx -t && nginx -s reload`).'),
    access_log: absolutePath()
      .optional()
      .describe(
        'Access log (on the balancer) in the `deploy_upstream` format of docs/traffic.md: what a traffic canary ' +
          'counts requests, errors and response times from. Needed for `canary.traffic` behind nginx.',
      ),
  },
  'a balancer mapping',
);

const haproxy = strict(
  {
    kind: z.literal('haproxy').describe('`haproxy`: servers are drained through the runtime API, without reloads.'),
    ...balancerFields,
    admin_socket: absolutePath((p) =>
      /[,:!]/.test(p)
        ? { expected: 'a socket path without `,`, `:` or `!`', hint: 'socat reads them as separators of its address' }
        : undefined,
    ).describe('HAProxy admin socket (`stats socket … level admin`) on the balancer.'),
    backend: identifier('a backend name').optional().describe('HAProxy backend holding the pool (default: the value of `app`).'),
  },
  'a balancer mapping',
);

export const balancer = z
  .discriminatedUnion('kind', [nginx, haproxy], { error: 'expected `kind: nginx` or `kind: haproxy`' })
  .describe('Makes this role a load balancer that takes hosts of `pool` out of rotation while they restart.');

/** `10%`, `0.5%`: a share of requests, above `min` and at most 100 % (or below it with `below100`). */
export const percent = (expected: string, o: { zero?: boolean; below100?: boolean } = {}) =>
  checked(expected, (s) => {
    const m = /^(\d+(?:\.\d+)?)%$/.exec(s);
    const n = m ? Number(m[1]) : NaN;
    return Number.isFinite(n) && (o.zero ? n >= 0 : n > 0) && (o.below100 ? n < 100 : n <= 100) ? undefined : expected;
  }).transform((s) => Number(s.slice(0, -1)) / 100);

const canary = strict(
  {
    traffic: percent('a share of requests above 0% and below 100%, such as `10%`', { below100: true }).describe(
      'Share of the requests the canary batch gets from the balancer while it is judged, e.g. `10%`.',
    ),
    duration: seconds(true)
      .default(120)
      .describe('Seconds the canary is judged for (default 120); it fails as soon as a limit is clearly crossed.'),
    max_error_rate: percent('a percentage from 0% to 100%, such as `1%`', { zero: true })
      .default(0.01)
      .describe('Highest share of the canary’s requests that may fail (5xx or no answer), e.g. `1%` (default).'),
    max_p95_ms: integer(1)
      .optional()
      .describe(
        'Highest 95th-percentile response time of the canary in ms (nginx: from the access log; haproxy: its ' +
          'average `rtime`, as haproxy keeps no percentiles). Unset: not judged.',
      ),
  },
  'a mapping with `traffic`, `duration`, `max_error_rate` or `max_p95_ms`',
).describe(
  'A canary by share of traffic for this role (`deploy <stage> --canary` uses it; `--canary 10%` sets `traffic`): the ' +
    'first batch gets `traffic` of the requests through the balancer and is judged by its numbers. See docs/traffic.md.',
);

const role = strict(
  {
    code: boolean().optional().describe('Whether hosts of this role get the code and releases (default true; false for balancer roles).'),
    batch: batch.optional().describe('Hosts switched at once: a count or a percentage of the role’s hosts (default 1 for web, else 100%).'),
    pause: seconds().optional().describe('Seconds to wait between batches (default 0).'),
    balancer: balancer.optional(),
    canary: canary.optional(),
  },
  'a mapping with `code`, `batch`, `pause`, `balancer` or `canary`',
);

// `worker:` with nothing after it declares the role with its defaults.
export const roles = named(roleName(), role.nullable(), 'a mapping of role names to roles').describe(
  'Roles hosts can have. Built in: web, db, media (get code) and balancer (no code); declare others here, or ' +
    'change the built-in ones.',
);

export type RoleInput = z.output<typeof role>;
export type BalancerInput = z.output<typeof balancer>;
