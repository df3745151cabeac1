import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { listStages, loadAllStages, loadConfig } from '../../../src/config/load.js';
import { printableConfig } from '../../../src/config/printable.js';
import type { Config } from '../../../src/config/types.js';
import { ConfigError, ExitCode } from '../../../src/errors.js';
import { isSensitive, type Sensitive } from '../../../src/shell/sensitive.js';

const good = fileURLToPath(new URL('../../../fixtures/configs/good/', import.meta.url));
const load = (file: string, stage: string, env: Record<string, string> = {}) => loadConfig({ file, stage, cwd: good, env });

function failure(run: () => unknown): ConfigError {
  try {
    run();
  } catch (e) {
    if (e instanceof ConfigError) return e;
    throw e;
  }
  throw new Error('expected a ConfigError');
}

/** A scratch directory holding the given files; returns its path. */
function scratch(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'deploy-config-'));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return dir;
}

const minimalHosts = `stages:
  staging:
    hosts:
      - { name: web1, address: 10.0.0.1, roles: [web] }
`;

describe('minimal.yml: the defaults', () => {
  const c = load('minimal.yml', 'staging');

  it('fills every default', () => {
    expect(c).toEqual({
      file: join(good, 'minimal.yml'),
      stage: 'staging',
      app: 'shop',
      deployTo: '/srv/shop',
      keepReleases: 5,
      source: { kind: 'git', repository: 'https://github.com/acme/shop.git', branch: 'main' },
      shared: { dirs: [], files: [] },
      env: {},
      ssh: {
        user: 'deploy',
        port: 22,
        acceptNewHostKeys: false,
        forwardAgent: false,
        connectTimeout: 10,
        commandTimeout: 600,
        parallel: 10,
      },
      hooks: { before: {}, after: {} },
      tasks: {},
      roles: {
        web: { code: true, batch: 1, pause: 0 },
        db: { code: true, batch: '100%', pause: 0 },
        media: { code: true, batch: '100%', pause: 0 },
        balancer: { code: false, batch: '100%', pause: 0 },
      },
      rollout: ['db', 'media', 'web', 'balancer'],
      hosts: [{ name: 'web1', address: '10.0.0.1', roles: ['web', 'db'], vars: {}, primary: false }],
      lock: { ttl: 900 },
    } satisfies Config);
  });

  it('leaves out what is not set, rather than setting it to undefined', () => {
    expect(Object.keys(c)).not.toContain('install');
    expect(Object.keys(c.hosts[0] ?? {})).not.toContain('port');
    expect(Object.keys(c.ssh)).not.toContain('identityFile');
  });

  it('is deeply frozen', () => {
    expect(Object.isFrozen(c)).toBe(true);
    expect(Object.isFrozen(c.hosts)).toBe(true);
    expect(Object.isFrozen(c.hosts[0]?.roles)).toBe(true);
    expect(Object.isFrozen(c.roles.web)).toBe(true);
    expect(() => ((c.ssh as { port: number }).port = 1)).toThrow(TypeError);
  });
});

describe('full.yml: every key, two stages', () => {
  const env = { DATABASE_URL: 'postgres://shop:s3cret@db/shop', USER_NAME: 'ana' };
  const staging = load('full.yml', 'staging', env);
  const production = load('full.yml', 'production', env);

  it('reads top-level values and normalises deploy_to', () => {
    expect(staging.deployTo).toBe('/srv/shop');
    expect(staging.keepReleases).toBe(3);
    expect(staging.recipe).toBe('node');
    expect(staging.shared).toEqual({
      dirs: ['log', 'tmp/pids', 'public/uploads'],
      files: [
        { path: '.env', optional: false },
        { path: 'config/local.json', optional: true },
      ],
    });
    expect(staging.install).toEqual({
      command: 'npm ci --omit=dev',
      lockfile: 'package-lock.json',
      reuse: ['node_modules'],
      reconcile: true,
    });
  });

  it('expands the string shorthands', () => {
    expect(staging.migrate).toEqual({ command: 'npm run migrate', role: 'db' });
    expect(staging.restart).toEqual({ command: 'bin/restart' });
    expect(staging.tasks.notify).toEqual({
      run: 'curl -fsS https://hooks.example.com/deployed',
      roles: [],
      once: false,
      cwd: 'release',
    });
    // `recipe: node` adds its hook; the file's own hooks follow.
    expect(staging.hooks).toEqual({
      before: { migrate: ['db:create', 'backup_db'] },
      after: { install: ['node:build', 'node:prune'], deploy: ['notify'] },
    });
  });

  it('maps ssh settings to camelCase', () => {
    expect(production.ssh).toEqual({
      user: 'app',
      port: 2200,
      identityFile: '~/.ssh/id_ed25519',
      knownHosts: '~/.ssh/known_hosts',
      acceptNewHostKeys: true,
      jump: 'ops@bastion.example.com:2222',
      forwardAgent: true,
      connectTimeout: 5,
      commandTimeout: 300,
      parallel: 4,
      configFile: '~/.ssh/config',
    });
  });

  it('merges stage overrides: mappings key by key, values replace, ~ removes', () => {
    expect(staging.ssh.user).toBe('app');
    expect(staging.ssh.port).toBe(22);
    expect(staging.env.NODE_ENV).toBe('staging');
    expect(staging.env.PORT).toBe('4000');
    expect(staging.health).toBeUndefined();
    expect(production.health).toEqual({
      path: '/health',
      port: 3000,
      status: 200,
      contains: 'ok',
      timeout: 5,
      retries: 3,
      interval: 1,
      followRedirects: false,
    });
    expect(production.source).toEqual({ kind: 'git', repository: 'https://github.com/acme/shop.git', branch: 'stable' });
    expect(production.keepReleases).toBe(10);
    expect(production.roles.web).toEqual({ code: true, batch: 2, pause: 2 });
  });

  it('resolves roles: built-ins, declared ones after them, balancer defaults', () => {
    expect(Object.keys(staging.roles)).toEqual(['web', 'db', 'media', 'balancer', 'worker', 'lb']);
    expect(staging.roles.web).toEqual({ code: true, batch: '50%', pause: 2 });
    expect(staging.roles.worker).toEqual({ code: true, batch: '100%', pause: 0 });
    expect(staging.roles.lb).toEqual({
      code: false,
      batch: '100%',
      pause: 0,
      balancer: {
        kind: 'nginx',
        pool: 'web',
        port: 3000,
        drainTimeout: 10,
        upstreamFile: '/srv/lb/upstream.conf',
        upstreamName: 'shop',
        reload: 'nginx -s reload',
      },
    });
  });

  it('replaces a balancer of another kind instead of merging into it', () => {
    expect(production.roles.lb?.balancer).toEqual({
      kind: 'haproxy',
      pool: 'web',
      port: 3000,
      drainTimeout: 30,
      adminSocket: '/run/haproxy/admin.sock',
      backend: 'shop',
    });
  });

  it('reads hosts, leaving port and user unset unless given', () => {
    expect(staging.hosts).toEqual([
      {
        name: 'web1',
        address: '10.0.0.1',
        port: 2222,
        user: 'deploy',
        roles: ['web'],
        vars: { WORKERS: '2', DEBUG: 'true' },
        primary: true,
      },
      { name: 'web2', address: '10.0.0.1', roles: ['web', 'worker'], vars: {}, primary: false },
      { name: 'db1', address: '10.0.0.10', roles: ['db'], vars: {}, primary: false },
      { name: 'lb1', address: '10.0.0.30', roles: ['lb'], vars: {}, primary: false },
    ]);
  });

  it('interpolates ${VAR}, ${VAR:-default} and $${, and turns numbers and booleans into strings', () => {
    expect(staging.env.GREETING).toBe('hello ana');
    expect(load('full.yml', 'staging', { DATABASE_URL: 'x' }).env.GREETING).toBe('hello world');
    expect(staging.env.PRICE).toBe('${AMOUNT}');
    expect(production.env.PORT).toBe('3000');
    expect(production.env.VERBOSE).toBe('false');
  });

  it('reads an unquoted ${VAR} as YAML would read its value', () => {
    expect(load('full.yml', 'staging', { DATABASE_URL: 'x', SSH_PORT: '2022' }).ssh.port).toBe(2022);
  });

  it('keeps secrets as Sensitive values that print as ***', () => {
    const secret = staging.env.DATABASE_URL;
    expect(isSensitive(secret)).toBe(true);
    expect((secret as Sensitive).reveal()).toBe('postgres://shop:s3cret@db/shop');
    expect(`${secret}`).toBe('***');
    expect(JSON.stringify(staging)).not.toContain('s3cret');
  });
});

describe('anchors.yml: aliases and merge keys', () => {
  const staging = load('anchors.yml', 'staging');
  const production = load('anchors.yml', 'production');

  it('merges anchored mappings, explicit keys winning', () => {
    expect(staging.hosts.map((h) => [h.name, h.user, h.roles, h.vars])).toEqual([
      ['web1', 'app', ['web'], { WORKERS: '4' }],
      ['web2', 'other', ['web'], { WORKERS: '4' }],
      ['db1', undefined, ['db'], {}],
    ]);
    expect(staging.ssh.parallel).toBe(2);
    expect(staging.env).toEqual({ NODE_ENV: 'production' });
    expect(production.env).toEqual({ NODE_ENV: 'production', REGION: 'eu' });
    expect(production.hosts).toEqual([
      { name: 'web1', address: 'web1.example.com', user: 'app', roles: ['web'], vars: { WORKERS: '4' }, primary: false },
    ]);
  });
});

describe('artifact.yml: an artifact source', () => {
  const c = load('artifact.yml', 'production');

  it('reads the artifact and the shorthands', () => {
    expect(c.source).toEqual({ kind: 'artifact', build: 'npm run build', path: 'dist' });
    expect(c.restart).toEqual({ command: 'bin/restart', roles: ['web'] });
    expect(c.health).toEqual({ path: '/up', port: 3000, status: 200, timeout: 5, retries: 10, interval: 1, followRedirects: false });
    expect(c.hosts.map((h) => [h.address, h.port])).toEqual([
      ['203.0.113.10', undefined],
      ['203.0.113.10', 2222],
    ]);
  });
});

describe('printableConfig', () => {
  it('is plain JSON with secrets masked', () => {
    const c = load('full.yml', 'production', { DATABASE_URL: 'postgres://u:s3cret@db/x' });
    const printable = printableConfig(c);
    expect(JSON.parse(JSON.stringify(printable))).toEqual(printable);
    expect((printable.env as Record<string, unknown>).DATABASE_URL).toBe('***');
    expect(JSON.stringify(printable)).not.toContain('s3cret');
    expect(printable.app).toBe('shop');
  });
});

describe('loading errors', () => {
  it('names a missing file and suggests deploy init', () => {
    const e = failure(() => loadConfig({ file: 'nope.yml', stage: 'staging', cwd: good, env: {} }));
    expect(e.message).toBe('nope.yml: file does not exist');
    expect(e.hint).toContain('deploy init');
    expect(e.exitCode).toBe(ExitCode.config);
  });

  it('lists the stages when the stage does not exist', () => {
    const e = failure(() => load('full.yml', 'prod', { DATABASE_URL: 'x' }));
    expect(e.message).toBe('full.yml: no stage `prod` (did you mean `production`?); stages: staging, production');
  });

  it('interpolates only the stage being loaded', () => {
    const dir = scratch({
      'deploy.yml': `app: shop
repository: https://github.com/acme/shop.git
stages:
  staging:
    hosts: [{ name: web1, address: 10.0.0.1, roles: [web] }]
  production:
    env: { DATABASE_URL: { secret: "\${PRODUCTION_DATABASE_URL}" } }
    hosts: [{ name: web1, address: 10.0.0.1, roles: [web] }]
`,
    });
    expect(loadConfig({ file: 'deploy.yml', stage: 'staging', cwd: dir, env: {} }).env).toEqual({});
    expect(failure(() => loadAllStages({ file: 'deploy.yml', cwd: dir, env: {} })).message).toBe(
      'deploy.yml:7:36: stages.production.env.DATABASE_URL.secret: variable PRODUCTION_DATABASE_URL is not set; ' +
        'set it in the environment or in .env, or give a default: `${PRODUCTION_DATABASE_URL:-…}`',
    );
  });

  it('interpolates an x- anchor where it is used, not where it is defined', () => {
    const dir = scratch({
      'deploy.yml': `app: shop
repository: https://github.com/acme/shop.git
x-db: &db { secret: "\${PRODUCTION_DATABASE_URL}" }
stages:
  staging:
    hosts: [{ name: web1, address: 10.0.0.1, roles: [web] }]
  production:
    env: { DATABASE_URL: *db }
    hosts: [{ name: web1, address: 10.0.0.1, roles: [web] }]
`,
    });
    expect(loadConfig({ file: 'deploy.yml', stage: 'staging', cwd: dir, env: {} }).env).toEqual({});
    const env = { PRODUCTION_DATABASE_URL: 'pg://p' };
    const production = loadConfig({ file: 'deploy.yml', stage: 'production', cwd: dir, env });
    expect((production.env.DATABASE_URL as Sensitive).reveal()).toBe('pg://p');
    expect(() => loadConfig({ file: 'deploy.yml', stage: 'production', cwd: dir, env: {} })).toThrow(
      'variable PRODUCTION_DATABASE_URL is not set',
    );
  });

  it('declares a role written with an empty value', () => {
    const dir = scratch({
      'deploy.yml': `app: shop
repository: https://github.com/acme/shop.git
roles:
  worker:
stages:
  staging:
    hosts: [{ name: w1, address: 10.0.0.1, roles: [worker] }]
`,
    });
    expect(loadConfig({ file: 'deploy.yml', stage: 'staging', cwd: dir, env: {} }).roles.worker).toEqual({
      code: true,
      batch: '100%',
      pause: 0,
    });
  });

  it('names files by absolute path when they are outside the working directory', () => {
    const e = failure(() => loadConfig({ file: join(good, 'missing.yml'), stage: 's', cwd: '/', env: {} }));
    expect(e.message).toBe(`${join(good, 'missing.yml').slice(1)}: file does not exist`);
    const elsewhere = mkdtempSync(join(tmpdir(), 'deploy-elsewhere-'));
    const outside = failure(() => loadConfig({ file: join(good, 'missing.yml'), stage: 's', cwd: elsewhere, env: {} }));
    expect(outside.message).toBe(`${join(good, 'missing.yml')}: file does not exist`);
  });
});

describe('.env next to deploy.yml', () => {
  const yml = `app: shop
repository: \${REPO}
env:
  A: "\${A}"
  B: "\${B:-default}"
${minimalHosts}`;

  it('supplies variables, the environment winning', () => {
    const dotenv = ['# comment', 'export REPO=https://example.com/r.git', 'A="from \\"dotenv\\""', "B='b'", ''];
    const dir = scratch({ 'deploy.yml': yml, '.env': dotenv.join('\n') });
    const c = loadConfig({ file: 'deploy.yml', stage: 'staging', cwd: dir, env: { B: 'from env' } });
    expect(c.source).toEqual({ kind: 'git', repository: 'https://example.com/r.git', branch: 'main' });
    expect(c.env).toEqual({ A: 'from "dotenv"', B: 'from env' });
  });

  it('reports its malformed lines', () => {
    const dir = scratch({ 'deploy.yml': yml, '.env': 'REPO=x\nnot a line\nA="open\n' });
    const e = failure(() => loadConfig({ file: 'deploy.yml', stage: 'staging', cwd: dir, env: {} }));
    expect(e.message).toBe('.env:2:1: expected `NAME=value`\n.env:3:1: A: unterminated quoted value');
  });
});

describe('listStages', () => {
  it('lists stage names without validating', () => {
    expect(listStages('full.yml', good)).toEqual(['staging', 'production']);
    const dir = scratch({ 'deploy.yml': 'stages: { a: 1, b: {} }\n' });
    expect(listStages('deploy.yml', dir)).toEqual(['a', 'b']);
  });

  it('reports YAML syntax errors', () => {
    const dir = scratch({ 'deploy.yml': 'app: [\n' });
    expect(() => listStages('deploy.yml', dir)).toThrow(ConfigError);
  });
});
