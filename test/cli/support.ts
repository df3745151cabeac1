import { execFile, execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export const repoRoot = resolve(import.meta.dirname, '..', '..');
export const cliPath = join(repoRoot, 'dist', 'cli', 'bin.js');

export interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * The built CLI as a subprocess (the cli project's global setup, test/support/build.ts, builds it first); `cli`:
 * another copy of it.
 */
export function run(args: readonly string[], o: { cwd?: string; env?: Record<string, string>; cli?: string } = {}): Promise<Run> {
  return new Promise((done) => {
    execFile(
      process.execPath,
      [o.cli ?? cliPath, ...args],
      { cwd: o.cwd ?? repoRoot, env: { PATH: process.env.PATH, HOME: process.env.HOME, CI: 'true', ...o.env } },
      (err, stdout, stderr) => {
        const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
        done({ code, stdout, stderr });
      },
    );
  });
}

/** A project next to the typed example: deploy/tasks/notify.ts (importing `deploy`), a hook running it. */
export function exampleProject(): string {
  const dir = mkdtempSync(join(tmpdir(), 'deploy-ext-'));
  mkdirSync(join(dir, 'deploy', 'tasks'), { recursive: true });
  copyFileSync(join(repoRoot, 'examples', 'tasks', 'notify.ts'), join(dir, 'deploy', 'tasks', 'notify.ts'));
  writeFileSync(
    join(dir, 'deploy.yml'),
    `app: shop
repository: https://example.com/shop.git
hooks:
  after:
    deploy: ['notify:chat']
stages:
  staging:
    hosts:
      - { name: web1, address: 10.0.0.1, roles: [web] }
`,
  );
  return dir;
}

/**
 * A project whose deploy gets as far as its first connection and no further: an artifact, one host `web1` on
 * 127.0.0.1 port 1, where nothing listens (the connection is refused before any byte reaches a host).
 */
export function closedPortProject(dir: string, stage = 'staging'): string {
  mkdirSync(join(dir, 'app'), { recursive: true });
  writeFileSync(join(dir, 'app', 'index.html'), 'hi\n');
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', join(dir, 'key')]);
  writeFileSync(join(dir, 'known_hosts'), '');
  writeFileSync(
    join(dir, 'deploy.yml'),
    `app: shop
deploy_to: /srv/shop
artifact: { path: ./app }
ssh: { user: deploy, identity_file: ./key, known_hosts: ./known_hosts, port: 1 }
stages:
  ${stage}:
    hosts:
      - { name: web1, address: 127.0.0.1, roles: [web] }
`,
  );
  return join(dir, 'deploy.yml');
}
