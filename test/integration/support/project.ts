import { execFileSync } from 'node:child_process';
import { chmodSync, cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { execa } from 'execa';
import { stringify } from 'yaml';
import { demoConfigValues, type Fleet } from '../../fleet/fleet.js';

export const repoRoot = resolve(import.meta.dirname, '..', '..', '..');
const cliPath = join(repoRoot, 'dist', 'cli', 'bin.js');

/** A scratch dir the fleet's deploy user can read (hosts share /var/tmp with this machine). */
export function scratch(prefix: string): string {
  mkdirSync('/var/tmp/deploy-tests', { recursive: true, mode: 0o755 });
  const dir = mkdtempSync(`/var/tmp/deploy-tests/${prefix}-`);
  chmodSync(dir, 0o755);
  return dir;
}

/** The bare repository belongs to the hosts' deploy user; root may still push to it. */
function gitConfig(): string {
  const file = '/var/tmp/deploy-tests/gitconfig';
  const text = '[safe]\n\tdirectory = *\n';
  // Written once, never truncated under a git of another test run reading it.
  if (!existsSync(file) || readFileSync(file, 'utf8') !== text) {
    writeFileSync(`${file}.${process.pid}`, text);
    renameSync(`${file}.${process.pid}`, file);
  }
  return file;
}

const git = (cwd: string, ...args: string[]) =>
  execFileSync('git', args, {
    cwd,
    encoding: 'utf8',
    env: {
      ...process.env,
      GIT_CONFIG_GLOBAL: gitConfig(),
      GIT_AUTHOR_NAME: 't',
      GIT_AUTHOR_EMAIL: 't@t',
      GIT_COMMITTER_NAME: 't',
      GIT_COMMITTER_EMAIL: 't@t',
    },
  }).trim();

export interface AppRepo {
  /** Bare repository the hosts clone from. */
  readonly url: string;
  /** Work tree the tests edit and commit in. */
  readonly work: string;
  /** Commits a new version; returns its sha. */
  commit(
    version: string,
    change?: { migration?: { name: string; sql: string }; failHealth?: boolean | string[]; files?: Record<string, string> },
  ): string;
}

/** fixtures/app as a git repository, with commits made by the test (v1, v2, …). */
export function appRepo(root = scratch('repo')): AppRepo {
  const work = join(root, 'work');
  const url = join(root, 'app.git');
  cpSync(join(repoRoot, 'fixtures', 'app'), work, { recursive: true, filter: (src) => !src.includes('node_modules') });
  git(root, 'init', '-q', '--bare', '-b', 'main', url);
  git(work, 'init', '-q', '-b', 'main');
  git(work, 'remote', 'add', 'origin', url);
  const own = () => execFileSync('chown', ['-R', 'deploy:deploy', url]);
  own();
  return {
    url,
    work,
    commit(version, change = {}) {
      writeFileSync(join(work, 'VERSION'), `${version}\n`);
      if (change.migration) writeFileSync(join(work, 'migrations', change.migration.name), change.migration.sql);
      if (change.failHealth)
        writeFileSync(join(work, 'FAIL_HEALTH'), change.failHealth === true ? 'yes\n' : `${change.failHealth.join('\n')}\n`);
      else rmSync(join(work, 'FAIL_HEALTH'), { force: true });
      for (const [name, text] of Object.entries(change.files ?? {})) writeFileSync(join(work, name), text);
      git(work, 'add', '-A');
      git(work, 'commit', '-q', '-m', version);
      git(work, 'push', '-q', 'origin', 'main');
      own();
      return git(work, 'rev-parse', 'HEAD');
    },
  };
}

export interface ProjectOptions {
  readonly deployTo?: string;
  readonly source: { repository: string } | { artifact: { build?: string; path: string } };
  /** Merged over the generated top level (shallow per key). */
  readonly extra?: Record<string, unknown>;
  readonly hosts?: string[];
  readonly keepReleases?: number;
}

/** What every deploy.yml of the tests needs to reach the fleet. */
export const fleetSsh = (f: Fleet) => ({ identity_file: f.key, known_hosts: f.knownHosts, connect_timeout: 5 });

/** Writes `dir`/deploy.yml: app `demo` and the fleet's ssh settings under `config` (which wins); returns its path. */
export function writeDeployYml(dir: string, f: Fleet, config: Record<string, unknown>): string {
  const file = join(dir, 'deploy.yml');
  writeFileSync(file, stringify({ app: 'demo', ...config, ssh: { ...fleetSsh(f), ...(config.ssh as object | undefined) } }));
  return file;
}

/** A project dir holding a deploy.yml for the fleet, stage `staging`. */
export function project(fleet: Fleet, o: ProjectOptions): { dir: string; file: string; deployTo: string } {
  const v = demoConfigValues(fleet);
  const dir = scratch('project');
  const deployTo = o.deployTo ?? `/srv/t-${dir.split('-').pop()}`;
  const hosts = v.hosts
    .filter((h) => !o.hosts || o.hosts.includes(h.name))
    .map((h) => ({ name: h.name, address: h.address, roles: h.roles, vars: { HOST: h.address } }));
  const config = {
    app: 'demo',
    deploy_to: deployTo,
    keep_releases: o.keepReleases ?? 3,
    ...('repository' in o.source ? { repository: o.source.repository, branch: 'main' } : { artifact: o.source.artifact }),
    shared: { dirs: ['log', 'tmp/pids'], files: [{ path: '.env', optional: true }] },
    ssh: { user: v.ssh.user, identity_file: v.ssh.key, known_hosts: v.ssh.knownHosts, connect_timeout: 5 },
    install: { command: v.app.install, lockfile: 'package-lock.json', reuse: ['node_modules'] },
    migrate: { command: v.app.migrate, role: 'db' },
    restart: { command: v.app.restart },
    health: { path: v.app.healthPath, port: v.app.port, retries: 20, interval: 0.25, timeout: 2 },
    ...o.extra,
    env: { ...v.app.env, PORT: String(v.app.port), NODE_ENV: 'production', ...(o.extra?.env as object | undefined) },
    stages: { staging: { hosts } },
  };
  return { dir, file: writeDeployYml(dir, fleet, config), deployTo };
}

export interface CliResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** The built CLI as a subprocess, as a user runs it. */
export async function cli(
  args: readonly string[],
  o: { cwd?: string; env?: Record<string, string>; timeoutMs?: number } = {},
): Promise<CliResult> {
  const r = await execa('node', [cliPath, ...args], {
    cwd: o.cwd,
    env: { CI: 'true', ...o.env },
    reject: false,
    timeout: o.timeoutMs ?? 240_000,
  });
  return { code: r.exitCode ?? -1, stdout: String(r.stdout), stderr: String(r.stderr) };
}

/** Lines of JSON (`--json` output, a DEPLOY_FAULTS_LOG listing), each parsed. */
export const ndjson = <T>(text: string): T[] =>
  text
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as T);
