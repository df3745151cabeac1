import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { cliPath, run } from './support.js';

/** A project whose hosts refuse connections (nothing listens on port 1): anything that gets past input fails with 4. */
function project(extra: Record<string, unknown> = {}, hosts = 2, files: Record<string, string> = {}): { dir: string; file: string } {
  const dir = mkdtempSync(join(tmpdir(), 'deploy-input-'));
  const config = {
    app: 'shop',
    repository: 'https://example.com/shop.git',
    ssh: { port: 1, connect_timeout: 2 },
    ...extra,
    stages: {
      staging: {
        hosts: Array.from({ length: hosts }, (_, i) => ({ name: `web${i + 1}`, address: `127.0.0.${i + 1}`, roles: ['web'] })),
      },
    },
  };
  const file = join(dir, 'deploy.yml');
  writeFileSync(file, stringify(config));
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(join(dir, name, '..'), { recursive: true });
    writeFileSync(join(dir, name), text);
  }
  return { dir, file };
}

/** Runs a shell command line (with a real pipe `|`, not a socketpair) and returns its stdout. */
const sh = (line: string, cwd?: string): Promise<string> =>
  new Promise((done, fail) =>
    execFile(
      'sh',
      ['-c', line],
      { cwd, env: { PATH: process.env.PATH, HOME: process.env.HOME, CI: 'true' }, maxBuffer: 64 * 1024 * 1024 },
      (err, stdout) => (err ? fail(err) : done(stdout)),
    ),
  );

describe('flag values are parsed; a bad one exits 2 before any host is contacted', () => {
  let p: ReturnType<typeof project>;
  beforeAll(() => {
    p = project();
  });

  it.each([
    [
      ['staging', '--lock-wait', 'soon'],
      "option '--lock-wait <seconds>' argument 'soon' is invalid. expected a number of seconds from 0 to 86400, such as 30",
    ],
    [['staging', '--lock-wait', '-5'], "option '--lock-wait <seconds>' argument '-5' is invalid"],
    [
      ['staging', '--canary=abc'],
      "option '--canary [seconds|share]' argument 'abc' is invalid. expected seconds (such as 60) or a share of the requests",
    ],
    [
      ['staging', '--canary=100%'],
      "option '--canary [seconds|share]' argument '100%' is invalid. expected a share of the requests above 0% and below 100%",
    ],
    [['staging', '--parallel', '0'], "option '-p, --parallel <n>' argument '0' is invalid. expected a whole number >= 1"],
    [['staging', '-p', 'two'], "option '-p, --parallel <n>' argument 'two' is invalid. expected a whole number >= 1"],
    [['staging', '--hosts', ','], "option '-H, --hosts <hosts>' argument ',' is invalid. expected host names separated by commas"],
    [['staging', '--roles', ''], "option '-r, --roles <roles>' argument '' is invalid. expected role names separated by commas"],
    [['staging', '--hosts', 'web9'], 'error: --hosts: unknown host "web9"; hosts: web1, web2'],
    [['staging', '--roles', 'db'], 'error: --roles: unknown role "db"; roles: web'],
    [
      ['staging', '--report', '/no/such/dir/run.html'],
      "option '--report <file.html>' argument '/no/such/dir/run.html' is invalid. expected a file in an existing directory (/no/such/dir is not one)",
    ],
    [
      ['rollback', 'staging', '--to', 'yesterday'],
      "option '--to <release>' argument 'yesterday' is invalid. expected a release id as `deploy releases` lists them (YYYYMMDDHHMMSS)",
    ],
    [['rollback', 'staging', '--lock-wait', '1m'], "option '--lock-wait <seconds>' argument '1m' is invalid"],
    [['lock', 'staging', 'acquire', '--lock-wait', 'NaN'], "option '--lock-wait <seconds>' argument 'NaN' is invalid"],
    [['status', 'staging', '--hosts', ' , '], "option '-H, --hosts <hosts>' argument ' , ' is invalid"],
  ])('%j', async (args, message) => {
    const r = await run([...args, '-c', p.file]);
    expect(r.stderr).toContain(message);
    expect(r.code).toBe(2);
  });
});

describe('global options before the stage or verb', () => {
  let p: ReturnType<typeof project>;
  beforeAll(() => {
    p = project();
  });

  it('`deploy -c file plan staging` and `deploy --config=file config staging` read that file', async () => {
    const plan = await run(['-c', p.file, 'plan', 'staging']);
    expect(plan.code, plan.stderr).toBe(0);
    expect(plan.stdout).toMatch(/^web1 \(/m);
    const config = await run([`--config=${p.file}`, 'config', 'staging', '--json']);
    expect(config.code, config.stderr).toBe(0);
    expect(JSON.parse(config.stdout)).toMatchObject({ app: 'shop', stage: 'staging' });
  });

  it('`deploy -c file staging` deploys that file: here it gets as far as the connection check', async () => {
    const r = await run(['-c', p.file, '--roles', 'web', 'staging']);
    expect(r.stderr).not.toContain('unknown option');
    expect(r.stderr).toMatch(/check failed on 2 host\(s\):\n {2}web1: /);
    expect(r.code).toBe(4);
  });
});

describe('deploy config looks at task modules', () => {
  it('a module with a syntax error gives its own file:line:col, exit 2', async () => {
    const p = project({ modules: ['ops/bad.mjs'] }, 1, {
      'ops/bad.mjs': "export default {\n  a: { run: 'x' },\n  b: { run: 'y' } oops\n};\n",
    });
    const r = await run(['config', 'staging', '-c', p.file], { cwd: p.dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("error: ops/bad.mjs:3:19: cannot load the task module: SyntaxError: Unexpected identifier 'oops'");
  });

  it('a module that throws while it loads is reported where it threw', async () => {
    const p = project({ modules: ['ops/throws.mjs'] }, 1, {
      'ops/throws.mjs': 'const settings = undefined;\nexport default { a: { run: settings.command } };\n',
    });
    const r = await run(['config', 'staging', '-c', p.file], { cwd: p.dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(
      "error: ops/throws.mjs:2:37: cannot load the task module: TypeError: Cannot read properties of undefined (reading 'command')",
    );
  });

  it('a module that does not exist is reported at its entry in deploy.yml', async () => {
    const p = project({ modules: ['ops/missing.mjs'] }, 1);
    const r = await run(['config', 'staging', '-c', p.file], { cwd: p.dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/error: deploy\.yml:\d+:5: modules\[0\]: task module ops\/missing\.mjs does not exist/);
  });
});

describe('output through a pipe arrives whole (stdout beyond the 64 KiB a pipe holds)', () => {
  const node = `'${process.execPath}' '${cliPath}'`;
  // A reader that starts late, as a busy `jq` or `tee` may: the pipe fills, and the rest must wait in the CLI.
  const slowly = (reader: string) => `(sleep 0.5; ${reader})`;

  it('schema', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'deploy-pipe-'));
    await sh(`${node} schema > schema.json`, dir);
    const size = statSync(join(dir, 'schema.json')).size;
    expect(size).toBeGreaterThan(64 * 1024);
    expect(Number((await sh(`${node} schema | ${slowly('wc -c')}`)).trim())).toBe(size);
    expect(JSON.parse(await sh(`${node} schema | ${slowly('cat')}`))).toHaveProperty('properties.stages');
  });

  it('config --json and plan of a large stage', async () => {
    const env = Object.fromEntries(Array.from({ length: 3000 }, (_, i) => [`VAR_${i}`, `value number ${i}`]));
    const p = project({ env }, 200);
    const config = await sh(`${node} config staging --json -c '${p.file}' | ${slowly('cat')}`);
    expect(config.length).toBeGreaterThan(64 * 1024);
    expect(Object.keys(JSON.parse(config).env)).toHaveLength(3000);
    await sh(`${node} plan staging -c '${p.file}' > plan.txt`, p.dir);
    const size = statSync(join(p.dir, 'plan.txt')).size;
    expect(size).toBeGreaterThan(64 * 1024);
    // The release id in the plan is the time, but always 14 digits: the size is the same from run to run.
    expect(Number((await sh(`${node} plan staging -c '${p.file}' | ${slowly('wc -c')}`)).trim())).toBe(size);
  });
});
