import { z } from 'zod';
import type { HealthCheck, InstallStep, MigrateStep, RestartStep } from '../types.js';
import { command, expecting, innerPath, integer, list, port, roleName, seconds, strict, text } from './primitives.js';

/** `key: "text"` is shorthand for `key: { <field>: "text" }`; the shorthand goes through the same schema. */
function orShorthand<S extends z.ZodRawShape>(field: keyof S & string, shorthand: z.ZodString, full: z.ZodObject<S>, expected: string) {
  return z
    .union([shorthand, full], { error: `expected ${expected}` })
    .transform((v) => (typeof v === 'string' ? full.parse({ [field]: v }) : v));
}

const stepFields = <S extends z.ZodRawShape>(shape: S, expected: string) => strict(shape, expected);

const installFields = stepFields(
  {
    command: command().describe('Shell command that installs dependencies, run in the new release directory.'),
    lockfile: innerPath()
      .optional()
      .describe(
        'Lock file, relative to the release. When it is identical to the previous release’s, the `reuse` ' +
          'directories are copied from that release with hard links and `command` is skipped.',
      ),
    reuse: list(innerPath(), 0, 'a list of relative directory paths')
      .default([])
      .describe('Directories (e.g. node_modules) carried over from the previous release when `lockfile` is unchanged.'),
  },
  'a command or a mapping with `command`',
);

export const install = orShorthand('command', command(), installFields, 'a command or a mapping with `command`')
  .transform((s): InstallStep => s)
  .describe('Install dependencies in each new release. A string is shorthand for `{ command: … }`.');

const migrateFields = stepFields(
  {
    command: command().describe('Shell command that migrates the database, run in the new release directory.'),
    role: roleName().default('db').describe('Role whose primary host runs the migration, once (default `db`).'),
  },
  'a command or a mapping with `command` and `role`',
);

export const migrate = orShorthand('command', command(), migrateFields, 'a command or a mapping with `command` and `role`')
  .transform((s): MigrateStep => s)
  .describe('Run database migrations once per deploy, before the switch. A string is shorthand for `{ command: … }`.');

const restartFields = stepFields(
  {
    command: command().describe('Shell command that (re)starts the app, run in the `current` directory.'),
    roles: list(roleName(), 1, 'a list of role names')
      .optional()
      .describe('Roles whose hosts restart after their switch (default: the balancer pool role, else `web`).'),
  },
  'a command or a mapping with `command`',
);

export const restart = orShorthand('command', command(), restartFields, 'a command or a mapping with `command`')
  .transform((s): RestartStep => s)
  .describe('Restart the app on each host after the switch. A string is shorthand for `{ command: … }`.');

const urlPath = () => text('a URL path starting with `/`').regex(/^\//, expecting('a URL path starting with `/`'));

const healthFields = strict(
  {
    path: urlPath().default('/').describe('URL path requested on each host (default `/`).'),
    port: port().default(3000).describe('Port the app listens on, on each host (default 3000).'),
    status: integer(100, 599).default(200).describe('Expected HTTP status (default 200).'),
    contains: text('a non-empty string').optional().describe('Text the response body must contain.'),
    timeout: seconds(true).default(5).describe('Seconds per attempt (default 5).'),
    retries: integer(0).default(10).describe('Attempts after the first failed one (default 10).'),
    interval: seconds().default(1).describe('Seconds between attempts (default 1).'),
    roles: list(roleName(), 1, 'a list of role names')
      .optional()
      .describe('Roles whose hosts are checked after their restart (default: the same as `restart`).'),
  },
  'a URL path or a mapping with `path`, `port` …',
);

export const health = orShorthand('path', urlPath(), healthFields, 'a URL path or a mapping with `path`, `port` …')
  .transform((h): HealthCheck => h)
  .describe(
    'HTTP check of each host after its restart; a host that fails it stops the rollout. ' +
      'A string is shorthand for `{ path: … }`.',
  );
