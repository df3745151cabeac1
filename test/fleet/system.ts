import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { execa } from 'execa';
import { DEPLOY_USER, FleetError } from './plan.js';

/** Packages the fleet's hosts use. socat is the usual client for haproxy's admin socket. */
export const REQUIRED_PACKAGES = ['openssh-server', 'nginx', 'haproxy', 'rsync', 'postgresql', 'curl', 'socat'] as const;

export function requireRoot(): void {
  if (process.getuid?.() === 0) return;
  throw new FleetError(
    'the test fleet needs root',
    'it creates mount/pid/uts namespaces (unshare), bind-mounts per-host /srv, /var/www, /home/deploy and /tmp, ' +
      `runs one sshd per host on 127.x:22, creates the "${DEPLOY_USER}" user and installs missing packages ` +
      `(${REQUIRED_PACKAGES.join(' ')}). Run it as root, e.g. sudo npm run fleet:up`,
  );
}

export async function missingPackages(): Promise<string[]> {
  const r = await execa('dpkg-query', ['-W', '-f=${Package} ${db:Status-Status}\n', ...REQUIRED_PACKAGES], {
    reject: false,
  });
  const installed = new Set(
    r.stdout
      .split('\n')
      .map((l) => l.split(' '))
      .filter(([, status]) => status === 'installed')
      .map(([name]) => name),
  );
  return REQUIRED_PACKAGES.filter((p) => !installed.has(p));
}

export async function ensurePackages(log: (msg: string) => void): Promise<void> {
  const missing = await missingPackages();
  if (missing.length === 0) return;
  log(`installing ${missing.join(' ')} (apt-get)`);
  const env = { DEBIAN_FRONTEND: 'noninteractive' };
  const apt = async (args: string[]) => {
    const r = await execa('apt-get', ['-o', 'DPkg::Lock::Timeout=600', ...args], { env, reject: false, all: true });
    if (r.exitCode !== 0) {
      throw new FleetError(
        `apt-get ${args.join(' ')} failed (exit ${r.exitCode}):\n${r.all ?? ''}`.trimEnd(),
        'install the packages by hand and retry',
      );
    }
  };
  await apt(['update', '-qq']);
  await apt(['install', '-y', '-qq', '--no-install-recommends', ...missing]);
  const still = await missingPackages();
  if (still.length) throw new FleetError(`packages still missing after apt-get install: ${still.join(' ')}`);
}

export interface DeployUser {
  uid: number;
  gid: number;
  home: string;
}

function passwdEntry(name: string): DeployUser | undefined {
  const line = readFileSync('/etc/passwd', 'utf8')
    .split('\n')
    .find((l) => l.startsWith(`${name}:`));
  if (!line) return undefined;
  const f = line.split(':');
  return { uid: Number(f[2]), gid: Number(f[3]), home: f[5] ?? `/home/${name}` };
}

/** With UsePAM no, sshd rejects accounts whose password field starts with "!" (locked), even for keys. */
function passwordField(name: string): string | undefined {
  const line = readFileSync('/etc/shadow', 'utf8')
    .split('\n')
    .find((l) => l.startsWith(`${name}:`));
  return line?.split(':')[1];
}

export async function ensureDeployUser(): Promise<DeployUser> {
  if (!passwdEntry(DEPLOY_USER)) {
    const r = await execa('useradd', ['--create-home', '--shell', '/bin/bash', DEPLOY_USER], {
      reject: false,
      all: true,
    });
    // Another fleet may have created it at the same moment (exit 9: user exists).
    if (r.exitCode !== 0 && !passwdEntry(DEPLOY_USER)) throw new FleetError(`useradd ${DEPLOY_USER} failed: ${r.all ?? ''}`);
  }
  if (passwordField(DEPLOY_USER) !== '*') {
    const r = await execa('usermod', ['-p', '*', DEPLOY_USER], { reject: false, all: true });
    if (r.exitCode !== 0 && passwordField(DEPLOY_USER) !== '*')
      throw new FleetError(`usermod -p '*' ${DEPLOY_USER} failed: ${r.all ?? ''}`);
  }
  const u = passwdEntry(DEPLOY_USER);
  if (!u) throw new FleetError(`user ${DEPLOY_USER} is missing after useradd`);
  if (u.home === '/' || ['/srv', '/var/www', '/tmp'].some((p) => u.home === p || u.home.startsWith(`${p}/`))) {
    throw new FleetError(`${DEPLOY_USER}'s home ${u.home} collides with the per-host mounts`, `give ${DEPLOY_USER} a home under /home`);
  }
  return u;
}

/** Newest PostgreSQL server binaries, e.g. /usr/lib/postgresql/15/bin. */
export function postgresBin(): string {
  const root = '/usr/lib/postgresql';
  const versions = existsSync(root)
    ? readdirSync(root)
        .filter((v) => existsSync(`${root}/${v}/bin/initdb`))
        .sort((a, b) => Number(b) - Number(a))
    : [];
  if (!versions[0]) throw new FleetError(`no PostgreSQL server under ${root}`, 'apt-get install postgresql');
  return `${root}/${versions[0]}/bin`;
}
