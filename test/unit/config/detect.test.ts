import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { detectNodeProject } from '../../../src/config/detect.js';

/** A small project dir from `path → content` (objects are written as JSON). */
function project(files: Record<string, unknown>): string {
  const dir = mkdtempSync(join(tmpdir(), 'deploy-detect-'));
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), typeof content === 'string' ? content : JSON.stringify(content));
  }
  return dir;
}

const monorepo = (lockfile: string, extra: Record<string, unknown> = {}) =>
  project({
    'package.json': { name: 'shop', private: true, workspaces: ['backend', 'frontend'] },
    [lockfile]: '',
    'backend/package.json': {
      name: 'backend',
      scripts: { start: 'node src/server.js' },
      dependencies: { express: '4', 'sequelize-cli': '6' },
    },
    'frontend/package.json': { name: '@shop/web', scripts: { build: 'vite build', start: 'vite preview' }, devDependencies: { vite: '6' } },
    ...extra,
  });

describe('deploy init: what a Node project needs', () => {
  it('npm workspaces: build the workspaces that build, start the one that serves, migrate with its tool', () => {
    expect(detectNodeProject(monorepo('package-lock.json'))).toEqual({
      manager: 'npm',
      lockfile: 'package-lock.json',
      workspaces: [
        { dir: 'backend', name: 'backend' },
        { dir: 'frontend', name: '@shop/web' },
      ],
      build: 'npm run build -w @shop/web',
      start: 'npm run start -w backend',
      migrate: 'npm exec -w backend --no -- sequelize-cli db:migrate',
      migrateTool: 'sequelize-cli',
    });
  });

  it('yarn and pnpm workspaces get their own commands; pnpm-workspace.yaml is read', () => {
    expect(detectNodeProject(monorepo('yarn.lock'))).toMatchObject({
      manager: 'yarn',
      lockfile: 'yarn.lock',
      build: 'yarn workspace @shop/web run build',
      start: 'yarn workspace backend run start',
      migrate: 'yarn workspace backend run sequelize-cli db:migrate',
    });
    const pnpm = project({
      'package.json': { name: 'shop', private: true },
      'pnpm-workspace.yaml': 'packages:\n  - "apps/*"\n',
      'pnpm-lock.yaml': '',
      'apps/api/package.json': { name: 'api', scripts: { start: 'node .' }, dependencies: { prisma: '5' } },
      'apps/web/package.json': { name: 'web', scripts: { build: 'vite build' } },
      'apps/notes/README': 'no package.json here',
    });
    expect(detectNodeProject(pnpm)).toEqual({
      manager: 'pnpm',
      lockfile: 'pnpm-lock.yaml',
      workspaces: [
        { dir: 'apps/api', name: 'api' },
        { dir: 'apps/web', name: 'web' },
      ],
      build: 'pnpm --filter web run build',
      start: 'pnpm --filter api run start',
      migrate: 'pnpm --filter api exec prisma migrate deploy',
      migrateTool: 'prisma',
    });
  });

  it('root scripts win: nothing is written when the root builds, starts and migrates itself', () => {
    const dir = monorepo('package-lock.json', {
      'package.json': { name: 'shop', workspaces: ['backend', 'frontend'], scripts: { build: 'x', start: 'y', migrate: 'z' } },
    });
    const found = detectNodeProject(dir)!;
    expect([found.build, found.start, found.migrate]).toEqual([undefined, undefined, undefined]);
  });

  it.each([
    ['sequelize-cli', 'npx --no sequelize-cli db:migrate'],
    ['prisma', 'npx --no prisma migrate deploy'],
    ['knex', 'npx --no knex migrate:latest'],
    ['node-pg-migrate', 'npx --no node-pg-migrate up'],
    ['typeorm', 'npx --no typeorm migration:run -d dist/data-source.js'],
  ])('a single package with %s: migrate is %j', (tool, command) => {
    const dir = project({ 'package.json': { name: 'api', dependencies: { [tool]: '1' } }, 'package-lock.json': '{}' });
    expect(detectNodeProject(dir)).toMatchObject({ manager: 'npm', workspaces: [], migrate: command, migrateTool: tool });
  });

  it("a workspace's own migrate script comes before a tool; no tool, no migrate; no package.json, nothing", () => {
    const own = monorepo('package-lock.json', {
      'backend/package.json': { name: 'backend', scripts: { start: 's', migrate: 'knex migrate:latest' }, dependencies: { knex: '3' } },
    });
    expect(detectNodeProject(own)).toMatchObject({ migrate: 'npm run migrate -w backend' });
    expect(detectNodeProject(project({ 'package.json': { name: 'plain', scripts: { start: 'node .' } } }))).toEqual({
      manager: 'npm',
      workspaces: [],
    });
    expect(detectNodeProject(project({ 'README.md': 'hi' }))).toBeUndefined();
  });
});
