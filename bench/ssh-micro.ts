/**
 * The SSH backend on its own, without the CLI around it: per host (hosts in parallel) connect + first command,
 * the median of a few more commands, a 1 MB upload, and closing. Part of `npm run bench`'s analysis.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { SshBackend } from '../src/backends/ssh.js';
import { read, write } from '../src/shell/command.js';
import { sshTarget, type Fleet } from '../test/fleet/fleet.js';

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

/** No keepalives: nothing but the measured commands on the connection. */
const BENCH_TARGET = { connectTimeoutMs: 10_000, keepaliveIntervalMs: 0 };

export async function sshMicro(fleet: Fleet, n: number, commands = 10): Promise<MicroResult> {
  const dir = mkdtempSync('/var/tmp/deploy-bench/micro-');
  const file = join(dir, 'blob');
  writeFileSync(file, randomBytes(1 << 20));
  const targets = fleet.hosts.slice(0, n).map((h) => sshTarget(fleet, h.name, BENCH_TARGET));
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

export interface MachineCosts {
  /** Machine-wide CPU ms (client, sshd, shells) of one connection: connect, its watchdog, one command, close. */
  readonly connectionMs: number;
  /** …of one more command on an open connection: the connection's runner runs it (a fork in its `sh`). */
  readonly commandMs: number;
  /** …of one program more in a command (`date` instead of the shell's own `true`). */
  readonly programMs: number;
  /** The client's own share (this process) of a connection and of a command. */
  readonly clientConnectionMs: number;
  readonly clientCommandMs: number;
  /**
   * …of a command in an SSH session of its own (sshd forks, a login shell sources it), as a command started while
   * the runner is busy runs: two commands at once, less one on the runner.
   */
  readonly sessionCommandMs: number;
}

/** /proc/stat's CPU ticks (user + nice + system; USER_HZ is 100), machine-wide. */
function ticks(): number {
  const m = readFileSync('/proc/stat', 'utf8').match(/^cpu +(\d+) (\d+) (\d+)/m);
  if (!m) throw new Error('no cpu line in /proc/stat');
  return Number(m[1]) + Number(m[2]) + Number(m[3]);
}

/** What a deploy pays per host for each connection, command and program, on one host, one at a time. */
export async function machineCosts(fleet: Fleet, connections = 40, commands = 200): Promise<MachineCosts> {
  const t = sshTarget(fleet, fleet.hosts[0]!.name, BENCH_TARGET);
  const measure = async (n: number, run: () => Promise<unknown>) => {
    const [t0, c0] = [ticks(), process.cpuUsage()];
    for (let i = 0; i < n; i++) await run();
    const c = process.cpuUsage(c0);
    return { machine: ((ticks() - t0) * 10) / n, client: (c.user + c.system) / 1000 / n };
  };
  const connect = () => {
    const b = new SshBackend();
    return b.exec(t, read(['true'])).finally(() => b.close());
  };
  await connect();
  const conn = await measure(connections, connect);
  const backend = new SshBackend();
  try {
    await backend.exec(t, read(['true']));
    const cmd = await measure(commands, () => backend.exec(t, read(['true'])));
    const prog = await measure(commands, () => backend.exec(t, read(['date'])));
    const pair = await measure(commands, () => Promise.all([backend.exec(t, read(['true'])), backend.exec(t, read(['true']))]));
    return {
      sessionCommandMs: pair.machine - cmd.machine,
      connectionMs: conn.machine,
      commandMs: cmd.machine,
      programMs: prog.machine - cmd.machine,
      clientConnectionMs: conn.client,
      clientCommandMs: cmd.client,
    };
  } finally {
    await backend.close();
  }
}
