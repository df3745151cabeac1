import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exampleProject, repoRoot } from './support.js';

const exec = promisify(execFile);
const tmp = mkdtempSync(join(tmpdir(), 'deploy-install-'));
const prefix = join(tmp, 'prefix');
const installed = join(prefix, 'lib', 'node_modules', 'deploy');
const deployBin = join(prefix, 'bin', 'deploy');
const tsc = join(repoRoot, 'node_modules', 'typescript', 'bin', 'tsc');
let installLog = '';

const sh = (file: string, args: string[], cwd = tmp) =>
  exec(file, args, { cwd, env: { ...process.env, CI: 'true' }, maxBuffer: 64 * 1024 * 1024 }).then(
    (r) => ({ code: 0, ...r }),
    (e: { code?: number; stdout?: string; stderr?: string }) => ({
      code: typeof e.code === 'number' ? e.code : 1,
      stdout: e.stdout ?? '',
      stderr: e.stderr ?? '',
    }),
  );

/** What `npm install -g` of the packed package gives a user: the tarball installed into a temporary prefix. */
describe('the published package, installed', { timeout: 300_000 }, () => {
  beforeAll(async () => {
    // dist/cli/bin.js and dist/index.js come from the global setup; the .d.ts are tsc's.
    expect((await sh(process.execPath, [tsc, '-p', 'tsconfig.types.json'], repoRoot)).code).toBe(0);
    const pack = await sh('npm', ['pack', '--ignore-scripts', '--pack-destination', tmp, '--json'], repoRoot);
    expect(pack.code).toBe(0);
    const [{ filename }] = JSON.parse(pack.stdout) as [{ filename: string }];
    const install = await sh('npm', [
      'install',
      '-g',
      '--prefix',
      prefix,
      '--prefer-offline',
      '--no-audit',
      '--no-fund',
      join(tmp, filename),
    ]);
    installLog = `${install.stdout}${install.stderr}`;
    expect(install.code, installLog).toBe(0);
  }, 300_000);
  afterAll(() => rmSync(tmp, { recursive: true, force: true }));

  it('installs only what the bundle needs at run time, and no install script of its own', () => {
    const deps = readdirSync(join(installed, 'node_modules')).filter((d) => !d.startsWith('.'));
    expect(deps).toEqual(expect.arrayContaining(['jiti', 'ssh2']));
    for (const bundled of ['commander', 'execa', 'listr2', 'simple-git', 'yaml', 'zod', 'node-ssh']) expect(deps).not.toContain(bundled);
    // ssh2 and its optional native helpers are what is left: ssh2 pure JS needs asn1, bcrypt-pbkdf, safer-buffer, tweetnacl.
    expect(
      deps.filter(
        (d) => !['jiti', 'ssh2', 'asn1', 'bcrypt-pbkdf', 'safer-buffer', 'tweetnacl', 'cpu-features', 'buildcheck', 'nan'].includes(d),
      ),
    ).toEqual([]);
    expect(installLog).not.toMatch(/deploy@[\d.]+ \((prepare|install|postinstall|preinstall)/);
    expect(readdirSync(installed).sort()).toEqual(['README.md', 'deploy.example.yml', 'dist', 'node_modules', 'package.json', 'recipes']);
  });

  it('runs `deploy --help` and `deploy plan` on deploy.example.yml', async () => {
    const help = await sh(deployBin, ['--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('Usage: deploy <stage> [options]');
    const plan = await sh(deployBin, ['plan', 'staging', '-c', join(installed, 'deploy.example.yml')]);
    expect(plan.stderr).toBe('');
    expect(plan.code).toBe(0);
    expect(plan.stdout).toMatch(/^Plan for deploy staging, release \d{14}\./);
    expect(plan.stdout).toContain('  switch\n');
  });

  it('loads the typed example module (`deploy` is the installed package) and type-checks it against the shipped .d.ts', async () => {
    const project = exampleProject();
    const tasks = await sh(deployBin, ['tasks', 'staging'], project);
    expect(tasks.stderr).toBe('');
    expect(tasks.stdout).toContain('notify:chat          Tell the team which release went live');

    // A module author's project: deploy installed next to it, the example as they would write it.
    mkdirSync(join(project, 'node_modules'), { recursive: true });
    symlinkSync(installed, join(project, 'node_modules', 'deploy'));
    writeFileSync(join(project, 'package.json'), '{ "type": "module" }\n');
    // The shipped types accept the example and catch a module author's mistake.
    writeFileSync(
      join(project, 'wrong.ts'),
      "import { defineTasks } from 'deploy';\nexport default defineTasks({ t: { run: 'x', once: 'yes' } });\n",
    );
    const compilerOptions = {
      module: 'nodenext',
      target: 'es2022',
      strict: true,
      noEmit: true,
      types: ['node'],
      typeRoots: [join(repoRoot, 'node_modules', '@types')],
    };
    writeFileSync(join(project, 'tsconfig.json'), JSON.stringify({ compilerOptions, files: ['deploy/tasks/notify.ts', 'wrong.ts'] }));
    const checked = await sh(process.execPath, [tsc, '-p', 'tsconfig.json'], project);
    expect(checked.stdout.trim().split('\n')).toEqual([
      `wrong.ts(2,45): error TS2322: Type 'string' is not assignable to type 'boolean | undefined'.`,
    ]);
  });
});
