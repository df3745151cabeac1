import net from 'node:net';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fleet, tempFleet, type TempFleet } from '../fleet/context.js';
import { limitStartups, sshRun, type Fleet } from '../fleet/fleet.js';
import { stringify } from 'yaml';
import { writeFileSync } from 'node:fs';
import { appRepo, project, repoRoot, scratch } from './support/project.js';
import { killApp } from './support/tiers.js';

// sshd over MaxStartups accepts a connection and closes it before its banner. On a large fleet through one
// bastion that is a busy server, not a dead one: the client retries with backoff and says so.

const HOST = 'media1';
const PORT = 3172;
const bin = join(repoRoot, 'dist', 'cli', 'bin.js');

/** Holds one connection waiting for authentication (it fills MaxStartups 1) until destroyed. */
function hold(address: string): Promise<net.Socket> {
  return new Promise((resolve) => {
    const sock = net.connect({ host: address, port: 22 });
    sock.on('error', () => undefined);
    sock.once('data', () => resolve(sock));
  });
}

/** The CLI with --json in the background; the warnings it emitted so far, by host. */
function background(args: readonly string[]) {
  const child = execa('node', [bin, ...args, '--json'], { reject: false, env: { CI: 'true' } });
  const warnings: { host?: string; message: string }[] = [];
  let buffer = '';
  child.stdout?.on('data', (c: Buffer) => {
    buffer += c.toString();
    const lines = buffer.split('\n');
    buffer = lines.pop() ?? '';
    for (const l of lines.filter(Boolean)) {
      const e = JSON.parse(l) as { type: string; host?: string; message?: string };
      if (e.type === 'warning') warnings.push({ host: e.host, message: e.message ?? '' });
    }
  });
  return {
    child,
    warnings,
    async until(match: (w: { host?: string; message: string }) => boolean, ms = 30_000): Promise<void> {
      const deadline = Date.now() + ms;
      while (!warnings.some(match)) {
        if (child.exitCode !== null || Date.now() > deadline)
          throw new Error(`no such warning (exit ${child.exitCode}): ${JSON.stringify(warnings)}`);
        await new Promise((r) => setTimeout(r, 20));
      }
    },
  };
}

/** Resolves with what the server sent before it closed the connection (or after `ms`, with what came so far). */
function probe(address: string, ms = 2000): Promise<{ closed: boolean; said: string }> {
  return new Promise((resolve) => {
    const sock = net.connect({ host: address, port: 22 });
    let said = '';
    const timer = setTimeout(() => {
      sock.destroy();
      resolve({ closed: false, said });
    }, ms);
    sock.on('data', (d: Buffer) => (said += d.toString('latin1')));
    sock.on('error', () => undefined);
    sock.on('close', () => {
      clearTimeout(timer);
      resolve({ closed: true, said });
    });
  });
}

describe('connections sshd drops over MaxStartups', () => {
  let f: Fleet;
  let address: string;
  let held: net.Socket | undefined;

  beforeAll(async () => {
    f = fleet();
    address = f.hosts.find((h) => h.name === HOST)!.address;
    await limitStartups(f, HOST, '1');
  });
  afterAll(async () => {
    held?.destroy();
    await limitStartups(f, HOST, null);
  });

  it('are retried with backoff and a warning until sshd has room; the deploy succeeds', async () => {
    const repo = appRepo();
    repo.commit('v1');
    const p = project(f, {
      source: { repository: repo.url },
      extra: { health: { path: '/health', port: PORT, retries: 20, interval: 0.25, timeout: 2 }, env: { PORT: String(PORT) } },
    });
    // One connection waiting for authentication fills MaxStartups 1: sshd now drops every new one.
    const banner = new Promise<void>((resolve) => {
      held = net.connect({ host: address, port: 22 });
      held.once('data', () => resolve());
    });
    await banner;
    expect(await probe(address)).toEqual({ closed: true, said: 'Exceeded MaxStartups\r\n' });

    const child = execa('node', [bin, 'staging', '-c', p.file, '--hosts', HOST, '--json'], { reject: false, env: { CI: 'true' } });
    const warnings: string[] = [];
    let buffer = '';
    child.stdout?.on('data', (c: Buffer) => {
      buffer += c.toString();
      const lines = buffer.split('\n');
      buffer = lines.pop() ?? '';
      for (const l of lines.filter(Boolean)) {
        const e = JSON.parse(l) as { type: string; host?: string; message?: string };
        if (e.type === 'warning' && e.host === HOST) warnings.push(e.message ?? '');
      }
    });
    const deadline = Date.now() + 30_000;
    while (!warnings.some((w) => w.includes('before the SSH banner')) && child.exitCode === null && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 20));
    }
    held!.destroy();
    const r = await child;
    expect(r.exitCode, String(r.stderr)).toBe(0);
    expect(warnings.find((w) => w.includes('before the SSH banner'))).toMatch(
      new RegExp(
        `^${address.replace(/\./g, '\\.')}:22 closed the connection before the SSH banner \\(sshd busy: MaxStartups\\?\\); retry 1 of 6 in \\d`,
      ),
    );
    await sshRun(f, HOST, `${killApp(p.deployTo)}; rm -rf '${p.deployTo}'; true`);
  });

  it('30 hosts through a bastion whose sshd is full at first: the bastion connection is retried, every host succeeds', async () => {
    let t: TempFleet | undefined;
    let held: net.Socket | undefined;
    try {
      t = await tempFleet({ webs: 30, bastion: true, balancer: false, postgres: false, media: false });
      const bastion = t.fleet.hosts.find((h) => h.name === 'bastion1')!;
      const webs = t.fleet.hosts.filter((h) => h.roles.includes('web'));
      await limitStartups(t.fleet, 'bastion1', '1');
      held = await hold(bastion.address);
      expect(await probe(bastion.address)).toEqual({ closed: true, said: 'Exceeded MaxStartups\r\n' });
      const dir = scratch('bastion');
      writeFileSync(join(dir, 'index.html'), 'hello\n');
      const file = join(dir, 'deploy.yml');
      writeFileSync(
        file,
        stringify({
          app: 'fleet',
          deploy_to: '/srv/bastion-test',
          artifact: { path: dir },
          ssh: { user: 'deploy', identity_file: t.fleet.key, known_hosts: t.fleet.knownHosts, jump: `deploy@${bastion.address}` },
          restart: 'hostname',
          roles: { web: { batch: '100%' } },
          stages: { staging: { hosts: webs.map((h) => ({ name: h.name, address: h.address, roles: ['web'] })) } },
        }),
      );
      const run = background(['staging', '-c', file]);
      await run.until((w) => w.message.includes('before the SSH banner'));
      held.destroy();
      const r = await run.child;
      expect(r.exitCode, String(r.stderr)).toBe(0);
      for (const h of webs)
        expect((await sshRun(t.fleet, h.name, 'readlink /srv/bastion-test/current | xargs basename')).stdout.trim()).toMatch(/^\d{14}$/);
      expect(
        run.warnings
          .filter((w) => w.message.includes('before the SSH banner'))
          .every((w) => w.message.startsWith(`${bastion.address}:22 `)),
      ).toBe(true);
    } finally {
      held?.destroy();
      await t?.down();
    }
  });
});
