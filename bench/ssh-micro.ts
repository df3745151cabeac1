/**
 * The SSH backend on its own, without the CLI around it: per host (hosts in parallel) connect + first command,
 * the median of a few more commands, a 1 MB upload, and closing. Part of `npm run bench`'s analysis.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { SshTarget } from '../src/backends/backend.js';
import { SshBackend } from '../src/backends/ssh.js';
import { read, write } from '../src/shell/command.js';
import type { Fleet } from '../test/fleet/fleet.js';

export interface MicroResult {
  readonly hosts: number;
  readonly connectMs: number;
  readonly execMs: number;
  readonly uploadMs: number;
  readonly closeMs: number;
}

const median = (xs: readonly number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

export async function sshMicro(fleet: Fleet, n: number, commands = 10): Promise<MicroResult> {
  const dir = mkdtempSync('/var/tmp/deploy-bench/micro-');
  const file = join(dir, 'blob');
  writeFileSync(file, randomBytes(1 << 20));
  const targets: SshTarget[] = fleet.hosts.slice(0, n).map((h) => ({
    name: h.name,
    address: h.address,
    port: h.port,
    user: h.user,
    identityFiles: [fleet.key],
    knownHosts: [fleet.knownHosts],
    strictHostKeys: true,
    forwardAgent: false,
    connectTimeoutMs: 10_000,
    keepaliveIntervalMs: 0,
  }));
  const backend = new SshBackend();
  await import('ssh2'); // a run loads it while its first TCP connect is in flight (at once on loopback); this times the handshake alone
  try {
    const t0 = performance.now();
    const perHost = await Promise.all(
      targets.map(async (t) => {
        const first = await backend.exec(t, read(['true']));
        const connect = performance.now() - t0;
        const each: number[] = [];
        for (let i = 0; i < commands; i++) each.push((await backend.exec(t, read(['true']))).durationMs);
        const u0 = performance.now();
        await backend.upload(t, file, '/tmp/bench-micro-blob');
        const upload = performance.now() - u0;
        await backend.exec(t, write(['rm', '-f', '/tmp/bench-micro-blob']));
        if (first.code !== 0) throw new Error(`${t.name}: true exited ${first.code}`);
        return { connect, exec: median(each), upload };
      }),
    );
    const c0 = performance.now();
    await backend.close();
    return {
      hosts: n,
      connectMs: median(perHost.map((h) => h.connect)),
      execMs: median(perHost.map((h) => h.exec)),
      uploadMs: median(perHost.map((h) => h.upload)),
      closeMs: performance.now() - c0,
    };
  } finally {
    await backend.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
