import { chmodSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { configCache, loadConfigCached, readCachedConfig, type ConfigCache } from '../../../src/config/cache.js';
import { listStages, loadConfig } from '../../../src/config/load.js';
import type { Config } from '../../../src/config/types.js';
import { ConfigError } from '../../../src/errors.js';
import { isSensitive } from '../../../src/shell/sensitive.js';

const repoRoot = resolve(import.meta.dirname, '../../..');
const scratchDirs: string[] = [];
afterAll(() => {
  for (const d of scratchDirs) rmSync(d, { recursive: true, force: true });
});

function tempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  scratchDirs.push(dir);
  return dir;
}

/** The cache's files; none when it was never written. */
const entriesIn = (cache: ConfigCache): string[] => {
  try {
    return readdirSync(cache.dir);
  } catch {
    return [];
  }
};

const newCache = (entries = 32, build = 'test-build'): ConfigCache => ({ dir: join(tempDir('deploy-cache-'), 'config'), build, entries });

/** Every file under `dir` (recursively) whose name ends in .yml. */
function ymlFiles(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile() && e.name.endsWith('.yml'))
    .map((e) => join(e.parentPath, e.name));
}

/**
 * `a` and `b` are the same Config: the same keys in the same order (`deploy config` prints them in that order),
 * the same values, secrets with the same value and label, and frozen alike.
 */
function expectSame(a: unknown, b: unknown, at = 'config'): void {
  if (isSensitive(a) || isSensitive(b)) {
    expect(isSensitive(a) && isSensitive(b), at).toBe(true);
    if (isSensitive(a) && isSensitive(b)) {
      expect(b.reveal(), at).toBe(a.reveal());
      expect(b.label, at).toBe(a.label);
    }
    return;
  }
  if (a === null || typeof a !== 'object') {
    expect(Object.is(a, b), `${at}: ${String(a)} vs ${String(b)}`).toBe(true);
    return;
  }
  expect(b !== null && typeof b === 'object', at).toBe(true);
  expect(Array.isArray(b), at).toBe(Array.isArray(a));
  expect(Object.getPrototypeOf(b), at).toBe(Object.getPrototypeOf(a));
  expect(Object.isFrozen(b), `${at} frozen`).toBe(Object.isFrozen(a));
  expect(Object.keys(b as object), at).toEqual(Object.keys(a));
  for (const k of Object.keys(a)) expectSame((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k], `${at}.${k}`);
}

/** A value for every `${VAR}` a fixture uses, but ports: they take their defaults. */
const fixtureEnv: Record<string, string> = new Proxy({} as Record<string, string>, {
  get: (_, name) => (typeof name !== 'string' || /PORT/.test(name) ? undefined : `value-of-${name.toLowerCase()}`),
});

describe('config cache: a cached Config is the Config a fresh read gives', () => {
  const files = [
    join(repoRoot, 'deploy.example.yml'),
    ...ymlFiles(join(repoRoot, 'fixtures')),
    ...ymlFiles(join(repoRoot, 'test')),
    ...ymlFiles(join(repoRoot, 'examples')),
  ].filter((f) => !f.includes('/bad/') && !f.includes('/recipes/fixtures/broken'));

  it('for every stage of every good YAML config in the repository (deploy.example.yml, fixtures/, test/, examples/)', async () => {
    const cache = newCache(1000);
    const compared: string[] = [];
    for (const file of files) {
      let stages: string[];
      try {
        stages = listStages(file, repoRoot);
      } catch {
        continue; // not a deploy.yml (a recipe, a workflow)
      }
      for (const stage of stages) {
        const options = { file, stage, cwd: repoRoot, env: fixtureEnv };
        let fresh: Config;
        try {
          fresh = loadConfig(options);
        } catch (e) {
          if (e instanceof ConfigError) continue; // refused either way; see the next test
          throw e;
        }
        const first = await loadConfigCached(options, cache);
        expectSame(fresh, first, `${file} ${stage} (miss)`);
        const hit = readCachedConfig(options, cache);
        expect(hit, `${file} ${stage}: no cache entry`).toBeDefined();
        expectSame(fresh, hit, `${file} ${stage}`);
        compared.push(`${file}:${stage}`);
      }
    }
    // Not a test of nothing: the example's stages, the good fixtures and the recipe fixtures were compared.
    expect(compared.length, compared.join('\n')).toBeGreaterThanOrEqual(11);
    expect(compared).toEqual(expect.arrayContaining([`${join(repoRoot, 'deploy.example.yml')}:production`]));
  });

  it('a config with problems is never cached, and its messages (file:line:col) are the fresh read’s', async () => {
    const bad = ymlFiles(join(repoRoot, 'fixtures/configs/bad'));
    expect(bad.length).toBeGreaterThan(50);
    const cache = newCache(1000);
    for (const file of bad) {
      const stage = 'staging';
      const options = { file, stage, cwd: repoRoot, env: {} };
      let fresh: unknown;
      try {
        loadConfig(options);
      } catch (e) {
        fresh = e;
      }
      if (!(fresh instanceof ConfigError)) continue;
      await expect(loadConfigCached(options, cache), file).rejects.toThrow(fresh.message);
    }
    expect(entriesIn(cache)).toEqual([]);
  });
});

/** A project: deploy.yml with a recipe of its own, a .env, and the files given. */
function project(files: Record<string, string> = {}): { dir: string; file: string; write(name: string, text: string): void } {
  const dir = tempDir('deploy-cache-project-');
  const write = (name: string, text: string) => {
    mkdirSync(join(dir, name, '..'), { recursive: true });
    writeFileSync(join(dir, name), text);
  };
  write(
    'deploy.yml',
    `app: shop
recipe: ./recipe.yml
repository: "https://example.com/\${REPO_NAME}.git"
env:
  GREETING: "\${GREETING:-hello}"
  FROM_DOTENV: "\${FROM_DOTENV}"
stages:
  staging:
    hosts:
      - { name: web1, address: 10.0.0.1, roles: [web] }
  production:
    hosts:
      - { name: web2, address: 10.0.0.2, roles: [web] }
`,
  );
  write('recipe.yml', 'keep_releases: 3\n');
  write('.env', 'FROM_DOTENV=one\n');
  for (const [name, text] of Object.entries(files)) write(name, text);
  return { dir, file: join(dir, 'deploy.yml'), write };
}

describe('config cache: any change to what the Config was made from misses', () => {
  const baseEnv = { REPO_NAME: 'shop' };

  async function cachedThenChanged(
    edit: (p: ReturnType<typeof project>) => void,
    env: Record<string, string> = baseEnv,
  ): Promise<{ before: Config; after: Config; hitAfter: Config | undefined }> {
    const p = project();
    const cache = newCache();
    const options = { file: p.file, stage: 'staging', cwd: p.dir, env: baseEnv };
    const before = await loadConfigCached(options, cache);
    expect(readCachedConfig(options, cache)).toBeDefined();
    edit(p);
    const changed = { ...options, env };
    const hitAfter = readCachedConfig(changed, cache);
    const after = await loadConfigCached(changed, cache);
    expectSame(loadConfig(changed), after);
    // Rewritten: the new inputs hit from now on.
    expectSame(after, readCachedConfig(changed, cache));
    return { before, after, hitAfter };
  }

  it('an edit of deploy.yml', async () => {
    const r = await cachedThenChanged((p) => p.write('deploy.yml', readFileSync(p.file, 'utf8').replace('app: shop', 'app: shop2')));
    expect(r.hitAfter).toBeUndefined();
    expect([r.before.app, r.after.app]).toEqual(['shop', 'shop2']);
  });

  it('an edit of the .env next to it', async () => {
    const r = await cachedThenChanged((p) => p.write('.env', 'FROM_DOTENV=two\n'));
    expect(r.hitAfter).toBeUndefined();
    expect([r.before.env.FROM_DOTENV, r.after.env.FROM_DOTENV]).toEqual(['one', 'two']);
  });

  it('a change of an environment variable it interpolates', async () => {
    const r = await cachedThenChanged(() => undefined, { REPO_NAME: 'other' });
    expect(r.hitAfter).toBeUndefined();
    expect([r.before.source, r.after.source]).toMatchObject([
      { repository: 'https://example.com/shop.git' },
      { repository: 'https://example.com/other.git' },
    ]);
  });

  it('a variable that was unset (its default used) and is now set', async () => {
    const r = await cachedThenChanged(() => undefined, { ...baseEnv, GREETING: 'hi' });
    expect(r.hitAfter).toBeUndefined();
    expect([r.before.env.GREETING, r.after.env.GREETING]).toEqual(['hello', 'hi']);
  });

  it('a variable set in the environment over the .env', async () => {
    const r = await cachedThenChanged(() => undefined, { ...baseEnv, FROM_DOTENV: 'env' });
    expect(r.hitAfter).toBeUndefined();
    expect(r.after.env.FROM_DOTENV).toBe('env');
  });

  it('an edit of the recipe file', async () => {
    const r = await cachedThenChanged((p) => p.write('recipe.yml', 'keep_releases: 7\n'));
    expect(r.hitAfter).toBeUndefined();
    expect([r.before.keepReleases, r.after.keepReleases]).toEqual([3, 7]);
  });

  it('a task module added to deploy/tasks/', async () => {
    const r = await cachedThenChanged((p) => p.write('deploy/tasks/notify.js', 'export default {};\n'));
    expect(r.hitAfter).toBeUndefined();
    expect([r.before.modules, r.after.modules?.map((m) => m.replace(/.*\/deploy\//, 'deploy/'))]).toEqual([
      undefined,
      ['deploy/tasks/notify.js'],
    ]);
  });

  it('a task module file of `modules:` removed', async () => {
    const p = project({ 'tasks.mjs': 'export default {};\n' });
    p.write('deploy.yml', readFileSync(p.file, 'utf8').replace('app: shop', 'app: shop\nmodules: [./tasks.mjs]'));
    const cache = newCache();
    const options = { file: p.file, stage: 'staging', cwd: p.dir, env: baseEnv };
    await loadConfigCached(options, cache);
    expect(readCachedConfig(options, cache)).toBeDefined();
    rmSync(join(p.dir, 'tasks.mjs'));
    expect(readCachedConfig(options, cache)).toBeUndefined();
    await expect(loadConfigCached(options, cache)).rejects.toThrow(/task module tasks\.mjs does not exist/);
  });

  it('another stage, and another build of the tool', async () => {
    const p = project();
    const cache = newCache();
    const staging = { file: p.file, stage: 'staging', cwd: p.dir, env: baseEnv };
    await loadConfigCached(staging, cache);
    expect(readCachedConfig({ ...staging, stage: 'production' }, cache)).toBeUndefined();
    expect(readCachedConfig(staging, { ...cache, build: 'another-build' })).toBeUndefined();
    expect(readCachedConfig(staging, cache)?.stage).toBe('staging');
  });
});

describe('config cache: secrets are never written', () => {
  const SECRET = 'hunter2-Z9q-secret-value';
  const grepCache = (cache: ConfigCache) =>
    readdirSync(cache.dir)
      .map((f) => readFileSync(join(cache.dir, f), 'utf8'))
      .filter((text) => text.includes(SECRET) || text.includes(Buffer.from(SECRET).toString('base64'))).length;

  it('a `{ secret: "${VAR}" }` from the environment is kept as `${VAR}` and read again on use', async () => {
    const p = project();
    p.write('deploy.yml', readFileSync(p.file, 'utf8').replace('env:\n', 'env:\n  DB_PASSWORD: { secret: "${DB_PASSWORD}" }\n'));
    const cache = newCache();
    const options = { file: p.file, stage: 'staging', cwd: p.dir, env: { REPO_NAME: 'shop', DB_PASSWORD: SECRET } };
    const fresh = await loadConfigCached(options, cache);
    expect(readdirSync(cache.dir)).toHaveLength(1);
    expect(grepCache(cache)).toBe(0);
    expect(readFileSync(join(cache.dir, readdirSync(cache.dir)[0]!), 'utf8')).toContain('${DB_PASSWORD}');
    const hit = readCachedConfig(options, cache);
    expectSame(fresh, hit);
    expect((hit!.env.DB_PASSWORD as { reveal(): string }).reveal()).toBe(SECRET);
    // A new password is a new Config.
    expect(readCachedConfig({ ...options, env: { ...options.env, DB_PASSWORD: 'rotated' } }, cache)).toBeUndefined();
  });

  it('a secret built around a variable (`postgres://app:${DB_PASS}@db/app`) is kept as written', async () => {
    const p = project();
    p.write(
      'deploy.yml',
      readFileSync(p.file, 'utf8').replace('env:\n', 'env:\n  DATABASE_URL: { secret: "postgres://app:${DB_PASS}@db/app" }\n'),
    );
    const cache = newCache();
    const options = { file: p.file, stage: 'staging', cwd: p.dir, env: { REPO_NAME: 'shop', DB_PASS: SECRET } };
    const fresh = await loadConfigCached(options, cache);
    expect(entriesIn(cache)).toHaveLength(1);
    expect(grepCache(cache)).toBe(0);
    const hit = readCachedConfig(options, cache);
    expectSame(fresh, hit);
    expect((hit!.env.DATABASE_URL as { reveal(): string }).reveal()).toBe(`postgres://app:${SECRET}@db/app`);
  });

  it('a secret from the .env file is not written either', async () => {
    const p = project({ '.env': `FROM_DOTENV=one\nDB_PASSWORD=${SECRET}\n` });
    p.write('deploy.yml', readFileSync(p.file, 'utf8').replace('env:\n', 'env:\n  DB_PASSWORD: { secret: "${DB_PASSWORD}" }\n'));
    const cache = newCache();
    const options = { file: p.file, stage: 'staging', cwd: p.dir, env: { REPO_NAME: 'shop' } };
    const fresh = await loadConfigCached(options, cache);
    expect(grepCache(cache)).toBe(0);
    expectSame(fresh, readCachedConfig(options, cache));
  });

  it('a config is not cached when a secret is written out in deploy.yml, or its value or a variable in it is also in another value', async () => {
    const literal = project();
    literal.write('deploy.yml', readFileSync(literal.file, 'utf8').replace('env:\n', `env:\n  DB_PASSWORD: { secret: "${SECRET}" }\n`));
    const spread = project();
    spread.write(
      'deploy.yml',
      readFileSync(spread.file, 'utf8')
        .replace('env:\n', 'env:\n  TOKEN: { secret: "${TOKEN}" }\n')
        .replace('https://example.com/', 'https://${TOKEN}@example.com/'),
    );
    const part = project();
    part.write(
      'deploy.yml',
      readFileSync(part.file, 'utf8').replace(
        'env:\n',
        'env:\n  DATABASE_URL: { secret: "postgres://app:${TOKEN}@db/app" }\n  PLAIN: "${TOKEN}"\n',
      ),
    );
    for (const p of [literal, spread, part]) {
      const cache = newCache();
      const options = { file: p.file, stage: 'staging', cwd: p.dir, env: { REPO_NAME: 'shop', TOKEN: SECRET } };
      const config = await loadConfigCached(options, cache);
      expect(Object.values(config.env).some(isSensitive)).toBe(true);
      expect(entriesIn(cache)).toEqual([]);
      expect(readCachedConfig(options, cache)).toBeUndefined();
    }
  });
});

describe('config cache: where and how it is kept', () => {
  it('$XDG_CACHE_HOME/deploy/config, else ~/.cache/deploy/config; DEPLOY_NO_CACHE=1 turns it off', () => {
    expect(configCache({ XDG_CACHE_HOME: '/x/cache' })?.dir).toBe('/x/cache/deploy/config');
    expect(configCache({ XDG_CACHE_HOME: 'relative' })?.dir).toMatch(/\/\.cache\/deploy\/config$/);
    expect(configCache({ XDG_CACHE_HOME: '/x/cache', DEPLOY_NO_CACHE: '1' })).toBeUndefined();
  });

  it('the directory is 0700, entries 0600; a directory others can write to is not used', async () => {
    const p = project();
    const cache = newCache();
    const options = { file: p.file, stage: 'staging', cwd: p.dir, env: { REPO_NAME: 'shop' } };
    await loadConfigCached(options, cache);
    expect(statSync(cache.dir).mode & 0o777).toBe(0o700);
    for (const f of readdirSync(cache.dir)) expect(statSync(join(cache.dir, f)).mode & 0o777).toBe(0o600);
    expect(readCachedConfig(options, cache)).toBeDefined();
    chmodSync(cache.dir, 0o777);
    expect(readCachedConfig(options, cache)).toBeUndefined();
  });

  it('keeps the last `entries` used', async () => {
    const cache = newCache(3);
    const projects = [project(), project(), project(), project(), project()];
    for (const p of projects) await loadConfigCached({ file: p.file, stage: 'staging', cwd: p.dir, env: { REPO_NAME: 'shop' } }, cache);
    expect(readdirSync(cache.dir)).toHaveLength(3);
    const kept = projects.map(
      (p) => readCachedConfig({ file: p.file, stage: 'staging', cwd: p.dir, env: { REPO_NAME: 'shop' } }, cache) !== undefined,
    );
    expect(kept).toEqual([false, false, true, true, true]);
  });

  it('a write cut off a minute ago (its .tmp) is removed; one of a run writing now is not', async () => {
    const cache = newCache(3);
    mkdirSync(cache.dir, { recursive: true, mode: 0o700 });
    const old = join(cache.dir, 'a.json.1.tmp');
    const now = join(cache.dir, 'b.json.2.tmp');
    for (const f of [old, now]) writeFileSync(f, '{', { mode: 0o600 });
    utimesSync(old, new Date(Date.now() - 120_000), new Date(Date.now() - 120_000));
    const p = project();
    await loadConfigCached({ file: p.file, stage: 'staging', cwd: p.dir, env: { REPO_NAME: 'shop' } }, cache);
    expect(readdirSync(cache.dir).filter((n) => n.endsWith('.tmp'))).toEqual(['b.json.2.tmp']);
  });

  it('a corrupt entry is ignored and rewritten', async () => {
    const p = project();
    const cache = newCache();
    const options = { file: p.file, stage: 'staging', cwd: p.dir, env: { REPO_NAME: 'shop' } };
    const fresh = await loadConfigCached(options, cache);
    const [entry] = readdirSync(cache.dir);
    for (const garbage of ['{"format":1,', '{"format":1,"build":"test-build","inputs":{}}', 'null']) {
      writeFileSync(join(cache.dir, entry!), garbage);
      expect(readCachedConfig(options, cache)).toBeUndefined();
      expectSame(fresh, await loadConfigCached(options, cache));
      expectSame(fresh, readCachedConfig(options, cache));
    }
  });
});
