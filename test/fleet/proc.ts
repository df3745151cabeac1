import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import net from 'node:net';
import { until } from '../support/until.js';

export function pidNamespace(pid: number): string | null {
  try {
    return readlinkSync(`/proc/${pid}/ns/pid`);
  } catch {
    return null;
  }
}

/** Field 22 of /proc/<pid>/stat: with the pid it identifies a process even if the pid is reused later. */
export function startTime(pid: number): string | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19] ?? null;
  } catch {
    return null;
  }
}

export function isRunning(pid: number): boolean {
  try {
    return !/^State:\s*[ZX]/m.test(readFileSync(`/proc/${pid}/status`, 'utf8'));
  } catch {
    return false;
  }
}

export function childrenOf(pid: number): number[] {
  try {
    return readdirSync(`/proc/${pid}/task`).flatMap((tid) =>
      readFileSync(`/proc/${pid}/task/${tid}/children`, 'utf8').split(' ').filter(Boolean).map(Number),
    );
  } catch {
    return [];
  }
}

/**
 * Every live process (as seen from the root pid namespace) that belongs to one of the given pid namespaces and, when
 * `mountsFrom` is given, has one of those directories mounted. The kernel reuses a dead namespace's number for the
 * next new one, possibly another fleet's host: the number alone would name that host's processes as ours.
 */
export function pidsInNamespaces(namespaces: ReadonlySet<string>, mountsFrom?: readonly string[]): number[] {
  if (namespaces.size === 0) return [];
  const found: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const pid = Number(entry);
    const ns = pidNamespace(pid);
    if (ns && namespaces.has(ns) && isRunning(pid) && (!mountsFrom || mounts(pid, mountsFrom))) found.push(pid);
  }
  return found;
}

function mounts(pid: number, dirs: readonly string[]): boolean {
  try {
    const info = readFileSync(`/proc/${pid}/mountinfo`, 'utf8');
    return dirs.some((d) => info.includes(` ${d}/`));
  } catch {
    return false;
  }
}

export interface Listener {
  address: string;
  port: number;
}

/** TCP listeners of our network namespace (shared with the hosts), read from /proc/net/tcp. */
export function tcpListeners(): Listener[] {
  const out: Listener[] = [];
  for (const line of readFileSync('/proc/net/tcp', 'utf8').split('\n').slice(1)) {
    const cols = line.trim().split(/\s+/);
    if (cols[3] !== '0A' || !cols[1]) continue;
    const [hexAddr, hexPort] = cols[1].split(':') as [string, string];
    const bytes = Buffer.from(hexAddr, 'hex');
    out.push({ address: [...bytes.reverse()].join('.'), port: parseInt(hexPort, 16) });
  }
  return out;
}

export function isListening(address: string, port: number): boolean {
  return tcpListeners().some((l) => l.port === port && (l.address === address || l.address === '0.0.0.0'));
}

/** True once something on address:port sends an SSH banner. */
export function sshBanner(address: string, port: number, timeoutMs = 1000): Promise<boolean> {
  return new Promise((done) => {
    const sock = net.connect({ host: address, port });
    let buf = '';
    const finish = (ok: boolean) => {
      sock.destroy();
      done(ok);
    };
    sock.setTimeout(timeoutMs, () => finish(false));
    sock.on('data', (d) => {
      buf += d.toString('latin1');
      if (buf.includes('\n')) finish(buf.startsWith('SSH-'));
    });
    sock.on('error', () => finish(false));
    sock.on('close', () => finish(false));
  });
}

export interface WaitOptions {
  timeoutMs: number;
  intervalMs?: number;
  /** Checked on every round; a string aborts the wait with that explanation. */
  abort?: () => string | undefined;
}

/** Polls fn until it returns something truthy; fails with `what` after the bounded wait (test/support/until.ts). */
export function waitFor<T>(what: string, fn: () => T | Promise<T>, o: WaitOptions): Promise<NonNullable<T>> {
  return until(fn, { timeout: o.timeoutMs, interval: o.intervalMs ?? 20, what, ...(o.abort ? { abort: o.abort } : {}) });
}

/** Runs fn over items with at most `limit` in flight. */
export async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}
