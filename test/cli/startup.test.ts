import { execFile } from 'node:child_process';
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cliPath, exampleProject, repoRoot, run, type Run } from './support.js';

/** What scripts/build.mjs wrote from esbuild's metafile: the sources of each file it built. */
const sourcesOf = (file: string): string[] =>
  (JSON.parse(readFileSync(join(repoRoot, 'dist', 'cli-sources.json'), 'utf8')) as Record<string, { sources: string[] }>)[file]?.sources ??
  [];

interface Coverage {
  result: { url: string; functions: { functionName: string; ranges: { count: number }[] }[] }[];
}

/**
 * What a command line evaluated of dist/cli/deploy.cjs, from V8's coverage of the run: esbuild wraps each module
 * that is imported lazily in a function named by its source (`src/backends/ssh.ts`), run when it is first needed;
 * the others run at start. Also: whether node loaded ssh2 at all.
 */
async function evaluated(
  args: readonly string[],
  env: Record<string, string> = {},
): Promise<{ sources: string[]; lazy: string[]; ssh2: boolean; run: Run }> {
  const dir = mkdtempSync(join(tmpdir(), 'deploy-coverage-'));
  try {
    const r = await run(args, { env: { ...env, NODE_V8_COVERAGE: dir } });
    const scripts = readdirSync(dir).flatMap((f) => (JSON.parse(readFileSync(join(dir, f), 'utf8')) as Coverage).result);
    const bundle = scripts.find((s) => s.url.endsWith('/dist/cli/deploy.cjs'));
    if (!bundle) throw new Error(`no coverage of deploy.cjs: ${r.stderr}`);
    const wrapped = new Map(
      bundle.functions.filter((f) => /^(src|node_modules)\//.test(f.functionName)).map((f) => [f.functionName, f.ranges[0]!.count]),
    );
    const all = sourcesOf('deploy.cjs');
    return {
      sources: all.filter((s) => (wrapped.get(s) ?? 1) > 0),
      lazy: [...wrapped.keys()],
      ssh2: scripts.some((s) => s.url.includes('/node_modules/ssh2/')),
      run: r,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const runFile = (file: string, args: readonly string[], env: Record<string, string>): Promise<Run> =>
  new Promise((done) =>
    execFile(file, args, { env }, (err, stdout, stderr) =>
      done({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr }),
    ),
  );

/** A plan but for the times in it: the release id, the lock's owner record (base64), revisions.log's time. */
const timeless = (text: string) =>
  text
    .replace(/\d{14}/g, 'RELEASE')
    .replace(/'[A-Za-z0-9+/]{40,}={0,2}'/g, 'OWNER')
    .replace(/\d{4}-\d\d-\d\dT[\d:.]+Z/g, 'TIME');

const packageOf = (source: string) => source.replace(/^node_modules\/((?:@[^/]+\/)?[^/]+)\/.*$/, '$1');

describe('start-up: a command line evaluates only what it needs (issue 16)', () => {
  const tmp = mkdtempSync(join(tmpdir(), 'deploy-startup-'));
  afterAll(() => rmSync(tmp, { recursive: true, force: true }));
  const example = join(repoRoot, 'deploy.example.yml');

  it('bin.js is the loader alone; the CLI is one script', () => {
    expect(sourcesOf('bin.js')).toEqual(['src/cli/boot.ts', 'src/config/user-cache.ts']);
    expect(readFileSync(cliPath).length).toBeLessThan(10_000);
    expect(sourcesOf('deploy.cjs')).toEqual(expect.arrayContaining(['src/cli/main.ts', 'src/tasks/deploy.ts', 'src/backends/ssh.ts']));
  });

  it('`deploy --help` evaluates commander and the verbs’ declarations, not their actions, config, tasks or backends', async () => {
    const help = await evaluated(['--help'], { DEPLOY_NO_CACHE: '1' });
    expect(help.run.code).toBe(0);
    // The markers are there to be read: without them this test would pass on anything.
    expect(help.sources).toEqual(expect.arrayContaining(['src/cli/main.ts', 'src/cli/deploy.ts']));
    expect(help.lazy).toEqual(
      expect.arrayContaining(['src/cli/actions/deploy.ts', 'src/tasks/deploy.ts', 'src/config/schema.ts', 'src/backends/ssh.ts']),
    );
    const heavy = help.sources.filter(
      (s) =>
        /^src\/(cli\/actions|cli\/session|cli\/stage|tasks|backends|config|facts|hosts)\b/.test(s) ||
        (s.startsWith('node_modules/') && packageOf(s) !== 'commander'),
    );
    expect(
      heavy,
      'move what these need into the verb’s action (src/cli/actions/<verb>.ts, imported by lazy()): README, Contributing',
    ).toEqual([]);
    expect(help.ssh2).toBe(false);
  });

  it('a plan evaluates no SSH client, failpoints, dry-run wrapper or HTML report: it contacts no host', async () => {
    const plan = await evaluated(['plan', 'staging', '-c', example], { DEPLOY_NO_CACHE: '1' });
    expect(plan.run.code, plan.run.stderr).toBe(0);
    expect(plan.sources).toEqual(expect.arrayContaining(['src/cli/actions/plan.ts', 'src/tasks/deploy.ts', 'src/backends/offline.ts']));
    const online = [
      'src/backends/ssh.ts',
      'src/backends/ssh-connect.ts',
      'src/backends/ssh-connection.ts',
      'src/backends/known-hosts.ts',
      'src/backends/faults.ts',
      'src/backends/dry-run.ts',
      'src/output/report.ts',
    ];
    expect(plan.lazy).toEqual(expect.arrayContaining(online));
    expect(plan.sources.filter((s) => online.includes(s))).toEqual([]);
    expect(plan.ssh2).toBe(false);
  });

  it('bin.js run as `deploy` starts node without reading NODE_EXTRA_CA_CERTS; every program it starts gets it', async () => {
    // node reads the file at start and says so when it cannot: the warning tells which processes read it.
    const bundle = join(tmp, 'no-such-bundle.pem');
    const fake = join(tmp, 'fake-bin');
    mkdirSync(fake, { recursive: true });
    // `deploy ssh` runs the OpenSSH client; this one says what it was given instead.
    writeFileSync(join(fake, 'ssh'), '#!/bin/sh\nprintf "ca=%s\\n" "${NODE_EXTRA_CA_CERTS-unset}"\nenv | grep DEPLOY_NODE || true\n', {
      mode: 0o755,
    });
    const env = { PATH: `${fake}:${process.env.PATH}`, HOME: process.env.HOME!, CI: 'true', NODE_EXTRA_CA_CERTS: bundle };
    const warned = /Ignoring extra certs from/;
    const linked = join(tmp, 'bin', 'deploy');
    mkdirSync(dirname(linked), { recursive: true });
    symlinkSync(cliPath, linked);
    for (const args of [['--version'], ['--help'], ['plan', 'staging', '-c', example], ['__complete', 'bash', '--', 'pl']]) {
      const r = await runFile(linked, args, env);
      expect(r.code, `${args.join(' ')}: ${r.stderr}`).toBe(0);
      expect(r.stdout.length).toBeGreaterThan(0);
      expect(r.stderr).not.toMatch(warned);
    }
    const ssh = await runFile(linked, ['ssh', 'staging', 'web1', '-c', example], env);
    expect(ssh.stderr).not.toMatch(warned);
    expect(ssh.stdout).toBe(`ca=${bundle}\n`);
    expect(ssh.code).toBe(0);
    // Under node itself (as the tests run it) the launcher line is a string and a comment: node reads the file.
    const direct = await run(['--version'], { env: { NODE_EXTRA_CA_CERTS: bundle } });
    expect(direct).toMatchObject({ code: 0, stdout: `${JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')).version}\n` });
    expect(direct.stderr).toMatch(warned);
  });

  it('a plan whose config is cached evaluates neither the config loader nor zod', async () => {
    const env = { XDG_CACHE_HOME: join(tmp, 'cache') };
    const args = ['plan', 'staging', '-c', example];
    const cold = await evaluated(args, env);
    expect(cold.run.code, cold.run.stderr).toBe(0);
    expect(readdirSync(join(tmp, 'cache', 'deploy', 'config'))).toHaveLength(1);
    const loader = (e: { sources: string[] }) => e.sources.filter((s) => s === 'src/config/load.ts' || packageOf(s) === 'zod');
    expect(loader(cold).length).toBeGreaterThan(1);
    const warm = await evaluated(args, env);
    expect(warm.run.code, warm.run.stderr).toBe(0);
    expect(loader(warm)).toEqual([]);
    expect(timeless(warm.run.stdout)).toBe(timeless(cold.run.stdout));
  });
});

describe('start-up: the code cache', () => {
  const tmp = mkdtempSync(join(tmpdir(), 'deploy-code-cache-'));
  afterAll(() => rmSync(tmp, { recursive: true, force: true }));
  const args = ['plan', 'staging', '-c', join(repoRoot, 'deploy.example.yml')];
  const files = (dir: string) => (existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith('-plan.bin')) : []);

  it('the first run of a verb writes its cache, the user’s alone; the next uses it as it is, and prints the same', async () => {
    const env = { XDG_CACHE_HOME: join(tmp, 'a') };
    const dir = join(tmp, 'a', 'deploy', 'code');
    const first = await run(args, { env });
    expect(first.code, first.stderr).toBe(0);
    const [cache] = files(dir);
    expect(cache).toBeDefined();
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    expect(statSync(join(dir, cache!)).mode & 0o777).toBe(0o600);
    const written = readFileSync(join(dir, cache!));
    expect(written.length).toBeGreaterThan(100_000);
    const second = await run(args, { env });
    expect(second.code).toBe(0);
    expect(timeless(second.stdout)).toBe(timeless(first.stdout));
    // Accepted by V8, so not written again.
    expect(readFileSync(join(dir, cache!)).equals(written)).toBe(true);
  });

  it('task modules, JavaScript and TypeScript, load the same from a warm cache as from a cold one', async () => {
    const dir = exampleProject();
    writeFileSync(join(dir, 'deploy', 'tasks', 'plain.mjs'), "export default { plain: { run: 'echo plain' } };\n");
    const env = { XDG_CACHE_HOME: join(tmp, 'm') };
    const runs = [];
    for (let i = 0; i < 2; i++) runs.push(await run(['tasks', 'staging'], { cwd: dir, env }));
    expect(readdirSync(join(tmp, 'm', 'deploy', 'code')).filter((f) => f.endsWith('-tasks.bin'))).toHaveLength(1);
    for (const r of runs) {
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(/^plain\b/m);
      expect(r.stdout).toMatch(/^notify\b/m);
    }
    rmSync(dir, { recursive: true, force: true });
  });

  it('a cache V8 does not accept is ignored and written again; one in a directory others may write is neither read nor written', async () => {
    const env = { XDG_CACHE_HOME: join(tmp, 'b') };
    const dir = join(tmp, 'b', 'deploy', 'code');
    const first = await run(args, { env });
    const [cache] = files(dir);
    writeFileSync(join(dir, cache!), 'not a code cache');
    const after = await run(args, { env });
    expect(after.code, after.stderr).toBe(0);
    expect(timeless(after.stdout)).toBe(timeless(first.stdout));
    expect(readFileSync(join(dir, cache!)).length).toBeGreaterThan(100_000);

    const open = join(tmp, 'c', 'deploy', 'code');
    mkdirSync(open, { recursive: true, mode: 0o777 });
    chmodSync(open, 0o777);
    writeFileSync(join(open, cache!), 'planted', { mode: 0o600 });
    const planted = await run(args, { env: { XDG_CACHE_HOME: join(tmp, 'c') } });
    expect(planted.code, planted.stderr).toBe(0);
    expect(readFileSync(join(open, cache!), 'utf8')).toBe('planted');
    expect(readdirSync(open)).toEqual([cache]);

    const off = await run(args, { env: { XDG_CACHE_HOME: join(tmp, 'd'), DEPLOY_NO_CACHE: '1' } });
    expect(off.code).toBe(0);
    expect(existsSync(join(tmp, 'd'))).toBe(false);
  });
});
