import type { z } from 'zod';
import { beta } from './beta.js';
import { env } from './env.js';
import { hooks } from './hooks.js';
import { hosts } from './hosts.js';
import { lock } from './lock.js';
import { isRecipePath } from '../recipe-ref.js';
import { absolutePath, checked, integer, list, localPath, matching, NAME, NAME_TEXT, noControl, roleName } from './primitives.js';
import { roles } from './roles.js';
import { shared } from './shared.js';
import { artifact, branch, repository, revision } from './source.js';
import { ssh } from './ssh.js';
import { health, install, migrate, restart } from './steps.js';
import { tasks } from './tasks.js';
import { watch } from './watch.js';

/** Top-level keys starting with `x-` are ignored: a place for YAML anchors, as in docker-compose files. */
export const EXTENSION_PREFIX = 'x-';

export const DEFAULT_ROLLOUT = ['db', 'media', 'web', 'balancer'] as const;

/**
 * The keys allowed at the top of deploy.yml and in a stage, each with the default it takes when neither sets it.
 * Descriptions live on the section schemas so a stage's copy (without defaults) carries them too.
 */
export const sections = {
  app: matching(NAME, `an app name (${NAME_TEXT})`).describe('Name of the app; names the default `deploy_to` and the balancer pool.'),
  deploy_to: absolutePath((p) =>
    p.includes('\\')
      ? { expected: 'an absolute path without `\\`', hint: 'GNU tar reads a backslash in its `-C` directory as an escape' }
      : undefined,
  ).describe('Directory on the hosts holding releases/, shared/ and current (default `/srv/<app>`).'),
  keep_releases: integer(1).describe('Releases kept on each host; older ones are removed after a deploy (default 5).'),
  recipe: checked('a recipe name (node, django …) or a path to a recipe .yml file', noControl('a recipe path'), (r) =>
    NAME.test(r) || isRecipePath(r) ? undefined : `a recipe name (${NAME_TEXT}) or a path to a .yml file`,
  ).describe(
    'Recipe that supplies default steps, env and tasks: a shipped one (node, django) or a path to your own ' +
      '.yml, relative to this file. Your keys win over the recipe’s.',
  ),
  modules: list(localPath('a module path or package name'), 0, 'a list of module paths or package names').describe(
    'JavaScript modules that define tasks, besides deploy/tasks/*.js next to this file: paths relative to this ' +
      'file, or package names installed in the project.',
  ),
  repository,
  branch,
  revision,
  artifact,
  shared,
  env,
  ssh,
  install,
  migrate,
  restart,
  health,
  hooks,
  tasks,
  roles,
  rollout: list(roleName(), 0, 'a list of role names').describe(
    'Order in which roles switch to the new release; roles not listed switch last ' + '(default `[db, media, web, balancer]`).',
  ),
  lock,
  watch,
  beta,
};

export const SETTING_KEYS = Object.keys(sections) as (keyof typeof sections)[];

/** What a key takes when neither the top level nor the stage sets it. */
export const settingsShape = {
  ...sections,
  deploy_to: sections.deploy_to.optional(),
  keep_releases: sections.keep_releases.default(5),
  recipe: sections.recipe.optional(),
  modules: sections.modules.default([]),
  repository: sections.repository.optional(),
  branch: sections.branch.optional(),
  revision: sections.revision.optional(),
  artifact: sections.artifact.optional(),
  shared: sections.shared.prefault({}),
  env: sections.env.default({}),
  ssh: sections.ssh.prefault({}),
  install: sections.install.optional(),
  migrate: sections.migrate.optional(),
  restart: sections.restart.optional(),
  health: sections.health.optional(),
  hooks: sections.hooks.prefault({}),
  tasks: sections.tasks.default({}),
  roles: sections.roles.default({}),
  rollout: sections.rollout.default([...DEFAULT_ROLLOUT]),
  lock: sections.lock.prefault({}),
  watch: sections.watch.optional(),
  beta: sections.beta.optional(),
};

/** A stage after its overrides are merged over the top level: every setting plus its hosts. */
export const stageConfigShape = { ...settingsShape, hosts };
export type StageSections = { [K in keyof typeof stageConfigShape]: z.output<(typeof stageConfigShape)[K]> };

const STAGE_NAME = /^[a-z0-9][a-z0-9_-]*$/;
export const stageName = () => matching(STAGE_NAME, `a stage name (${NAME_TEXT})`);
