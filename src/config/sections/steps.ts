import * as z from 'zod';
import type { HealthCheck, InstallStep, MigrateStep, RestartStep } from '../types.js';
import { boolean, checked, command, innerPath, integer, list, port, roleName, seconds, text, withShorthand } from './primitives.js';

export const install = withShorthand(
  'command',
  command(),
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
    reconcile: z
      .boolean()
      .default(false)
      .describe(
        'Start every install from real copies (not hard links) of the previous release’s `reuse` directories and ' +
          'always run `command`, which reconciles them with the lockfile (e.g. `npm install`, `pnpm install ' +
          '--frozen-lockfile`). The command sees DEPLOY_INSTALL_SEEDED=1 when the copies were made and ' +
          'DEPLOY_LOCKFILE_UNCHANGED=1 when the lockfile is also unchanged.',
      ),
  },
  'a command or a mapping with `command`',
)
  .transform((s): InstallStep => s)
  .describe('Install dependencies in each new release. A string is shorthand for `{ command: … }`.');

export const migrate = withShorthand(
  'command',
  command(),
  {
    command: command().describe('Shell command that migrates the database, run in the new release directory.'),
    role: roleName().default('db').describe('Role whose primary host runs the migration, once (default `db`).'),
  },
  'a command or a mapping with `command` and `role`',
)
  .transform((s): MigrateStep => s)
  .describe('Run database migrations once per deploy, before the switch. A string is shorthand for `{ command: … }`.');

export const restart = withShorthand(
  'command',
  command(),
  {
    command: command().describe('Shell command that (re)starts the app, run in the `current` directory.'),
    stop: command()
      .optional()
      .describe(
        'Shell command that stops the app, run in the release directory. Used only when a first deploy fails on a ' +
          'host (there is no earlier release to switch back to); without it the new app keeps running there, out of ' +
          'the balancer’s rotation.',
      ),
    roles: list(roleName(), 1, 'a list of role names')
      .optional()
      .describe('Roles whose hosts restart after their switch (default: the balancer pool role, else `web`).'),
  },
  'a command or a mapping with `command`',
)
  .transform((s): RestartStep => s)
  .describe('Restart the app on each host after the switch. A string is shorthand for `{ command: … }`.');

const URL_PATH_TEXT = 'a URL path starting with `/`';
const urlPath = () =>
  checked(
    URL_PATH_TEXT,
    (p) => (p.startsWith('/') ? undefined : URL_PATH_TEXT),
    (p) =>
      /[\s\u0000-\u001f\u007f]/.test(p) ? { expected: `${URL_PATH_TEXT}, without spaces`, hint: 'write a space as `%20`' } : undefined,
  );

export const health = withShorthand(
  'path',
  urlPath(),
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
    log: innerPath()
      .optional()
      .describe('The app’s log, relative to the release (e.g. log/app.log): its last lines are shown when the check fails.'),
    follow_redirects: boolean()
      .default(false)
      .describe(
        'Follow 301/302/… answers (at most 5) and judge the last one (default false: a redirect is the answer, shown with its `Location`).',
      ),
  },
  'a URL path or a mapping with `path`, `port` …',
)
  .transform(({ follow_redirects, ...h }): HealthCheck => ({ ...h, followRedirects: follow_redirects }))
  .describe(
    'HTTP check of each host after its restart; a host that fails it stops the rollout. ' + 'A string is shorthand for `{ path: … }`.',
  );
