import { mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildProgram, normalizeArgv } from '../../src/cli/main.js';
import { loadConfig } from '../../src/config/load.js';
import { RESERVED_STAGE_NAMES } from '../../src/config/layout.js';
import { cliPath, closedPortProject, repoRoot, run } from './support.js';

const example = join(repoRoot, 'deploy.example.yml');

describe('argv', () => {
  const verbs = new Set(['plan', 'status', 'help']);
  const withValue = new Set(['-c', '--config', '-H', '--hosts']);
  it.each([
    [['staging'], ['deploy', 'staging']],
    // Options before the stage or verb go after it, where the verb reads them.
    [
      ['-c', 'x.yml', 'staging', '--dry-run'],
      ['deploy', '-c', 'x.yml', 'staging', '--dry-run'],
    ],
    [
      ['-c', 'x.yml', 'plan', 'staging'],
      ['plan', '-c', 'x.yml', 'staging'],
    ],
    [
      ['--config=x.yml', '-H', 'web1', 'staging'],
      ['deploy', '--config=x.yml', '-H', 'web1', 'staging'],
    ],
    [
      ['plan', 'staging'],
      ['plan', 'staging'],
    ],
    [['--version'], ['--version']],
    [
      ['--help', 'plan'],
      ['--help', 'plan'],
    ],
    [
      ['--config', 'plan', 'staging'],
      ['deploy', '--config', 'plan', 'staging'],
    ],
  ])('%j → %j', (input, expected) => expect(normalizeArgv(input, verbs, withValue)).toEqual(expected));

  it('every verb is a reserved stage name, so `deploy <verb>` can never mean a stage', () => {
    const names = buildProgram().commands.map((c) => c.name());
    expect(names.filter((n) => !(RESERVED_STAGE_NAMES as readonly string[]).includes(n))).toEqual([]);
  });
});

describe('the built CLI', () => {
  it("is built from the src/ under test, never a stale dist/ (the project's global setup bundles it)", () => {
    const src = join(repoRoot, 'src');
    const newest = Math.max(...readdirSync(src, { recursive: true, encoding: 'utf8' }).map((f) => statSync(join(src, f)).mtimeMs));
    expect(statSync(cliPath).mtimeMs).toBeGreaterThanOrEqual(newest);
  });

  it('prints its version and help', async () => {
    const v = await run(['--version']);
    expect(v.code).toBe(0);
    expect(v.stdout.trim()).toBe(JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')).version);
    const h = await run(['--help']);
    expect(h.stdout).toContain('Exit codes:');
    expect(h.stdout).toContain('plan [options] <stage>');
  });

  it('a missing config file says so, suggests deploy init, exits 2', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'deploy-cli-'));
    const r = await run(['plan', 'staging'], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('deploy.yml: file does not exist');
    expect(r.stderr).toContain('deploy init');
  });

  it('a host that refuses connections fails the check (exit 4, named) and leaves no lock to give back or unlock', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'deploy-cli-'));
    const file = closedPortProject(dir);
    const r = await run(['staging', '-c', file], { cwd: dir });
    expect(r.code, r.stderr).toBe(4);
    expect(r.stderr).toContain('web1: check: connection refused by 127.0.0.1:1');
    expect(r.stderr).not.toMatch(/lock|unlock/);
  });

  it('an unknown stage lists the stages that exist, exits 2', async () => {
    const r = await run(['plan', 'prod', '-c', example]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('no stage `prod` (did you mean `production`?); stages: staging, production');
  });

  it('an unknown option is a usage error, exit 2', async () => {
    const r = await run(['plan', 'staging', '--frobnicate', '-c', example]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("unknown option '--frobnicate'");
  });

  it.each(['end', 'promote'])('beta … %s with --hosts is a usage error (exit 2): it acts on the running beta', async (action) => {
    const r = await run(['beta', 'staging', action, '--hosts', 'web1', '-c', example]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`--hosts names the hosts of a new beta; \`${action}\` acts on the running beta's hosts`);
  });

  it('plan prints every host and step offline, with secrets masked', async () => {
    const r = await run(['plan', 'staging', '-c', example], { env: { DATABASE_URL: 'postgres://u:hunter2@db/app' } });
    expect(r.code, r.stderr).toBe(0);
    for (const host of ['web1 (127.0.1.1; web)', 'web2 (127.0.1.2; web)', 'db1 (127.0.1.10; db)']) expect(r.stdout).toContain(host);
    for (const step of ['  check', '  lock', '  transfer', '  shared', '  install', '  migrate', '  switch', '  restart', '  cleanup'])
      expect(r.stdout).toContain(step);
    expect(r.stdout).toMatch(
      /\$ ln -sfn \/srv\/shop\/releases\/(\d{14}) \/srv\/shop\/current\.tmp-\1 && mv -T \/srv\/shop\/current\.tmp-\1 \/srv\/shop\/current/,
    );
    expect(r.stdout).not.toContain('hunter2');
    expect(r.stdout).toContain('DATABASE_URL=***');
  });

  it('plan --roles and --hosts select hosts; an unknown one is an error naming it', async () => {
    const web = await run(['plan', 'staging', '--roles', 'web', '-c', example]);
    expect(web.code, web.stderr).toBe(0);
    expect(web.stdout).toContain('web1 (');
    expect(web.stdout).not.toMatch(/^media1 \(/m);
    const one = await run(['plan', 'staging', '--hosts', 'web2', '-c', example]);
    expect(one.stdout).toMatch(/^web2 \(/m);
    expect(one.stdout).not.toMatch(/^web1 \(/m);
    const bad = await run(['plan', 'staging', '--hosts', 'web9', '-c', example]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('unknown host "web9"');
  });

  it('config prints the resolved stage with secrets as ***', async () => {
    const r = await run(['config', 'staging', '--json', '-c', example], { env: { DATABASE_URL: 'postgres://u:hunter2@db/app' } });
    expect(r.code, r.stderr).toBe(0);
    const c = JSON.parse(r.stdout);
    expect(c).toMatchObject({ app: 'shop', stage: 'staging', deployTo: '/srv/shop' });
    expect(r.stdout).not.toContain('hunter2');
    expect(JSON.stringify(c.env)).toContain('***');
  });

  it('schema prints a JSON Schema', async () => {
    const r = await run(['schema']);
    expect(r.code).toBe(0);
    const s = JSON.parse(r.stdout);
    expect(s.properties).toHaveProperty('app');
    expect(s.properties).toHaveProperty('stages');
  });
});

describe('deploy init', () => {
  it.each([
    ['a node project', { 'package.json': '{"name":"@acme/My Shop"}' }, 'my-shop'],
    ['any other project', {}, null],
  ])('writes a deploy.yml for %s that the real schema accepts, and never overwrites without --force', async (_, files, app) => {
    const dir = mkdtempSync(join(tmpdir(), 'deploy-init-'));
    for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
    const r = await run(['init'], { cwd: dir });
    expect(r.code, r.stderr).toBe(0);
    const file = join(dir, 'deploy.yml');
    for (const stage of ['staging', 'production']) {
      const c = loadConfig({ file, stage, env: {}, cwd: dir });
      expect(c.app).toBe(app ?? c.app);
    }
    writeFileSync(file, 'edited\n');
    const again = await run(['init'], { cwd: dir });
    expect(again.code).toBe(2);
    expect(again.stderr).toContain('--force');
    expect(readFileSync(file, 'utf8')).toBe('edited\n');
    expect((await run(['init', '--force'], { cwd: dir })).code).toBe(0);
    expect(readFileSync(file, 'utf8')).toContain('deploy init');
  });
});
