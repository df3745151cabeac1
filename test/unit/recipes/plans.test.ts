import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { loadConfig } from '../../../src/config/load.js';
import { PlanCollector } from '../../../src/output/plan.js';
import { deploy } from '../../../src/tasks/deploy.js';
import { planContext } from '../tasks/fixtures.js';

const fixture = (name: string) => join(import.meta.dirname, 'fixtures', `${name}.yml`);
const SECRETS = { DATABASE_URL: 'postgres://app:hunter2@db/app', SECRET_KEY: 'k3y-that-must-not-show' };

/** `deploy plan staging` for a fixture, as the CLI prints it (header aside), with a fixed release id. */
async function plan(name: string): Promise<string> {
  const config = loadConfig({ file: fixture(name), stage: 'staging', env: SECRETS });
  const collector = new PlanCollector();
  const { ctx } = planContext(config);
  await deploy({ ...ctx, emit: collector.sink }, { run: '20260101-120000', owner: 'tester', message: '', lockWaitSeconds: 0 });
  return collector.render(`Plan for deploy staging (${name} recipe), release 20260101120000.`, config.hosts);
}

describe('deploy plan with a recipe: the exact commands', () => {
  // The lock and the revision log carry the time.
  beforeAll(() => vi.useFakeTimers({ now: new Date('2026-01-01T12:00:00Z'), toFake: ['Date'] }));
  afterAll(() => vi.useRealTimers());

  it.each(['node', 'django'])('recipe: %s', async (name) => {
    const text = await plan(name);
    for (const secret of Object.values(SECRETS)) expect(text).not.toContain(secret);
    await expect(text).toMatchFileSnapshot(`plans/${name}.txt`);
  });

  // The golden files above only detect change; these say what must hold whatever the exact commands become.
  it.each(['node', 'django'])(
    '%s: every code host makes the one release, gets the code and switches to it; the balancer host does not',
    async (name) => {
      const config = loadConfig({ file: fixture(name), stage: 'staging', env: SECRETS });
      const text = await plan(name);
      const block = (host: string) => text.split(`\n${host} (`)[1]!.split('\n\n')[0]!;
      const stepsOf = (host: string) => [...block(host).matchAll(/^ {2}(\S+)$/gm)].map((m) => m[1]);
      const code = config.hosts.filter((h) => !h.roles.includes('balancer'));
      expect(code.length).toBeGreaterThan(2);
      for (const h of code) {
        const steps = stepsOf(h.name);
        expect(steps.indexOf('release'), h.name).toBeGreaterThan(steps.indexOf('lock'));
        expect(steps.indexOf('transfer'), h.name).toBeGreaterThan(steps.indexOf('release'));
        expect(steps.indexOf('switch'), h.name).toBeGreaterThan(steps.indexOf('install'));
        expect(steps.indexOf('cleanup'), h.name).toBeGreaterThan(steps.indexOf('switch'));
        expect(block(h.name)).toContain(`if mkdir ${config.deployTo}/releases/20260101120000 ;`);
        expect(block(h.name)).toContain(
          `ln -sfn ${config.deployTo}/releases/20260101120000 ${config.deployTo}/current.tmp-20260101120000 && mv -T`,
        );
      }
      for (const h of config.hosts.filter((x) => x.roles.includes('balancer'))) expect(stepsOf(h.name)).not.toContain('switch');
      // Secrets reach the hosts' env masked, never in clear.
      expect(text).toMatch(/DATABASE_URL=\*\*\*/);
    },
  );

  it('node: install, build after it on web and media, migrate once on db1, restart and health on the web hosts only', async () => {
    const text = await plan('node');
    const steps = (host: string) =>
      [
        ...text
          .split(`\n${host} (`)[1]!
          .split('\n\n')[0]!
          .matchAll(/^ {2}(\S+)$/gm),
      ].map((m) => m[1]);
    expect(steps('web1')).toEqual([
      'check',
      'lock',
      'release',
      'transfer',
      'shared',
      'install',
      'task:node:build',
      'task:node:prune',
      'switch',
      'restart',
      'health',
      'cleanup',
    ]);
    expect(steps('media1')).toEqual([
      'check',
      'lock',
      'release',
      'transfer',
      'shared',
      'install',
      'task:node:build',
      'task:node:prune',
      'switch',
      'cleanup',
    ]);
    expect(steps('db1')).toEqual([
      'check',
      'lock',
      'release',
      'transfer',
      'shared',
      'install',
      'task:node:prune',
      'task:db:create',
      'migrate',
      'switch',
      'cleanup',
    ]);
    expect(steps('web1')).not.toContain('migrate');
  });

  it('django: venv install everywhere, collectstatic on web and media, check once on web1, migrate on db1, prune after cleanup', async () => {
    const text = await plan('django');
    const steps = (host: string) =>
      [
        ...text
          .split(`\n${host} (`)[1]!
          .split('\n\n')[0]!
          .matchAll(/^ {2}(\S+)$/gm),
      ].map((m) => m[1]);
    expect(steps('web1')).toEqual([
      'check',
      'lock',
      'release',
      'transfer',
      'shared',
      'install',
      'task:django:collectstatic',
      'task:django:check',
      'switch',
      'restart',
      'health',
      'cleanup',
      'task:django:prune-venvs',
      'lock',
    ]);
    expect(steps('web2')).not.toContain('task:django:check');
    expect(steps('media1')).toEqual([
      'check',
      'lock',
      'release',
      'transfer',
      'shared',
      'install',
      'task:django:collectstatic',
      'switch',
      'cleanup',
      'task:django:prune-venvs',
      'lock',
    ]);
    expect(steps('db1')).toEqual([
      'check',
      'lock',
      'release',
      'transfer',
      'shared',
      'install',
      'task:db:create',
      'migrate',
      'switch',
      'cleanup',
      'task:django:prune-venvs',
      'lock',
    ]);
  });
});
