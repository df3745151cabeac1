import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { buildProgram } from '../../src/cli/main.js';
import { cliPath, repoRoot, run } from './support.js';

const distCli = dirname(cliPath);

/** The files node loads before any action runs: bin.js and, recursively, the chunks it imports statically. */
function staticClosure(entry: string): string[] {
  const seen = new Set<string>();
  const todo = [entry];
  while (todo.length > 0) {
    const file = todo.pop()!;
    if (seen.has(file)) continue;
    seen.add(file);
    for (const m of readFileSync(file, 'utf8').matchAll(/^(?:import|export)\b[^;]*?\bfrom\s*"(\.[^"]+)";|^import\s*"(\.[^"]+)";/gms)) {
      todo.push(resolve(dirname(file), (m[1] ?? m[2])!));
    }
  }
  return [...seen];
}

/** The sources in a bundle file: esbuild heads each one's code with a `// src/…` or `// node_modules/…` line. */
const sourcesOf = (file: string): string[] =>
  [...readFileSync(file, 'utf8').matchAll(/^\/\/ ((?:src|node_modules)\/\S+)$/gm)].map((m) => m[1]!);

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
