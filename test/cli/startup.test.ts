import { execFile } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join, relative } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { buildProgram } from '../../src/cli/main.js';
import { cliPath, repoRoot, run, type Run } from './support.js';

const distCli = dirname(cliPath);

interface Built {
  /** The sources esbuild put in the file. */
  sources: string[];
  /** The files it imports statically (what node loads with it). */
  imports: string[];
}

/** What scripts/build.mjs wrote from esbuild's metafile: which sources each file holds and what it imports. */
const built = (): Record<string, Built> => JSON.parse(readFileSync(join(repoRoot, 'dist', 'cli-sources.json'), 'utf8'));

/** The files node loads with these: each and, recursively, the files it imports statically. */
function staticClosure(...entries: string[]): string[] {
  const map = built();
  const seen = new Set<string>();
  const todo = entries.map((e) => relative(distCli, e));
  while (todo.length > 0) {
    const file = todo.pop()!;
    if (seen.has(file)) continue;
    seen.add(file);
    todo.push(...(map[file]?.imports ?? []));
  }
  return [...seen].map((f) => join(distCli, f));
}

const sourcesOf = (file: string): string[] => built()[basename(file)]?.sources ?? [];

const runFile = (file: string, args: readonly string[], env: Record<string, string>): Promise<Run> =>
  new Promise((done) =>
    execFile(file, args, { env }, (err, stdout, stderr) =>
      done({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr }),
    ),
  );

const packageOf = (source: string) => source.replace(/^node_modules\/((?:@[^/]+\/)?[^/]+)\/.*$/, '$1');

describe('start-up: a command line loads only what it needs (issue 16)', () => {
  const closure = staticClosure(cliPath);
  const loaded = closure.flatMap(sourcesOf);
  const tmp = mkdtempSync(join(tmpdir(), 'deploy-startup-'));
  afterAll(() => rmSync(tmp, { recursive: true, force: true }));

  it('bin.js and its static imports hold commander and the verbs’ declarations, not their actions, config, tasks or backends', () => {
    // The markers are there to be read: without them this test would pass on anything.
    expect(loaded).toContain('src/cli/main.ts');
    expect(loaded).toContain('src/cli/deploy.ts');
    const all = readdirSync(distCli)
      .filter((f) => f.endsWith('.js'))
      .flatMap((f) => sourcesOf(join(distCli, f)));
    expect(all).toEqual(
      expect.arrayContaining(['src/cli/actions/deploy.ts', 'src/tasks/deploy.ts', 'src/config/schema.ts', 'src/backends/ssh.ts']),
    );

    const heavy = loaded.filter(
      (s) =>
        /^src\/(cli\/actions|cli\/session|cli\/stage|tasks|backends|config|facts|hosts)\b/.test(s) ||
        (s.startsWith('node_modules/') && packageOf(s) !== 'commander'),
    );
    expect(
      heavy,
      'move what these need into the verb’s action (src/cli/actions/<verb>.ts, imported by lazy()): README, Contributing',
    ).toEqual([]);
    const bytes = closure.reduce((n, f) => n + readFileSync(f).length, 0);
    // commander is ~125 KB of it; the single bundle before the split was 2.2 MB.
    expect(bytes).toBeLessThan(250_000);
  });

  it('a plan loads no SSH client, failpoints, dry-run wrapper or HTML report: it contacts no host', () => {
    const plan = readdirSync(distCli).find((f) => /^plan-\w+\.js$/.test(f));
    expect(plan).toBeDefined();
    const sources = staticClosure(cliPath, join(distCli, plan!)).flatMap(sourcesOf);
    // The markers are there to be read: the plan's own code and the offline backend are in it.
    expect(sources).toEqual(expect.arrayContaining(['src/cli/actions/plan.ts', 'src/tasks/deploy.ts', 'src/backends/offline.ts']));
    const online = [
      'src/backends/ssh.ts',
      'src/backends/ssh-connect.ts',
      'src/backends/ssh-connection.ts',
      'src/backends/known-hosts.ts',
      'src/backends/faults.ts',
      'src/backends/dry-run.ts',
      'src/output/report.ts',
    ];
    expect(sources.filter((s) => online.includes(s))).toEqual([]);
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
    const example = join(repoRoot, 'deploy.example.yml');
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

  it('`deploy --help` and a verb’s --help run with every lazily loaded chunk removed', async () => {
    const copy = join(tmp, 'pkg');
    cpSync(join(repoRoot, 'package.json'), join(copy, 'package.json'));
    symlinkSync(join(repoRoot, 'node_modules'), join(copy, 'node_modules'));
    for (const file of closure) cpSync(file, join(copy, 'dist', 'cli', relative(distCli, file)));
    const bin = join(copy, 'dist', 'cli', 'bin.js');
    const help = await run(['--help'], { cli: bin });
    expect(help.stderr).toBe('');
    expect(help.code).toBe(0);
    const program = buildProgram();
    const listed = program
      .createHelp()
      .visibleCommands(program)
      .map((c) => c.name())
      .filter((n) => n !== 'help');
    expect(listed.length).toBeGreaterThan(10);
    for (const verb of listed) expect(help.stdout).toMatch(new RegExp(`^  ${verb}\\b`, 'm'));
    const planHelp = await run(['plan', '--help'], { cli: bin });
    expect(planHelp.code).toBe(0);
    expect(planHelp.stdout).toContain('Usage: deploy plan [options] <stage>');
    // …and the actions are what is missing: running one fails to load its chunk.
    const plan = await run(['plan', 'staging', '-c', join(repoRoot, 'deploy.example.yml')], { cli: bin });
    expect(plan.code).not.toBe(0);
    expect(plan.stderr).toMatch(/Cannot find module .*dist\/cli\/plan-\w+\.js/);
  });

  it('a plan whose config is cached runs without the config loader or zod: with their chunks removed, it still runs', async () => {
    const copy = join(tmp, 'no-zod');
    cpSync(join(repoRoot, 'package.json'), join(copy, 'package.json'));
    symlinkSync(join(repoRoot, 'node_modules'), join(copy, 'node_modules'));
    symlinkSync(join(repoRoot, 'recipes'), join(copy, 'recipes'));
    cpSync(distCli, join(copy, 'dist', 'cli'), { recursive: true });
    const bin = join(copy, 'dist', 'cli', 'bin.js');
    const env = { XDG_CACHE_HOME: join(tmp, 'cache') };
    const args = ['plan', 'staging', '-c', join(repoRoot, 'deploy.example.yml')];
    const cold = await run(args, { cli: bin, env });
    expect(cold.stderr).toBe('');
    expect(cold.code).toBe(0);
    expect(readdirSync(join(tmp, 'cache', 'deploy', 'config'))).toHaveLength(1);

    const removed = readdirSync(join(copy, 'dist', 'cli')).filter((f) => {
      const sources = sourcesOf(join(copy, 'dist', 'cli', f));
      return sources.includes('src/config/load.ts') || sources.some((s) => packageOf(s) === 'zod');
    });
    expect(removed.length).toBeGreaterThan(0);
    for (const f of removed) rmSync(join(copy, 'dist', 'cli', f));
    const warm = await run(args, { cli: bin, env });
    expect(warm.stderr).toBe('');
    expect(warm.code).toBe(0);
    // The same plan but for the times in it: the release id, the lock's owner record (base64), revisions.log's time.
    const timeless = (text: string) =>
      text
        .replace(/\d{14}/g, 'RELEASE')
        .replace(/'[A-Za-z0-9+/]{40,}={0,2}'/g, 'OWNER')
        .replace(/\d{4}-\d\d-\d\dT[\d:.]+Z/g, 'TIME');
    expect(timeless(warm.stdout)).toBe(timeless(cold.stdout));
    // …and those chunks are what a config not in the cache needs.
    const uncached = await run(args, { cli: bin, env: { ...env, DEPLOY_NO_CACHE: '1' } });
    expect(uncached.code).not.toBe(0);
    expect(uncached.stderr).toMatch(/Cannot find module .*dist\/cli\/(chunk|load)-\w+\.js/);
  });
});
