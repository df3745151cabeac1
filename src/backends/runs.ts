/**
 * Records of this machine's runs that hold a lock, one file per run under `.deploy/runs/` next to deploy.yml, so
 * a later run from the same project dir can tell a lock left by a run of this machine whose process is gone (a
 * SIGKILL, or a lock host that was down when it ended) and take it over with no manual step.
 */
import { mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export const RUNS_DIR = join('.deploy', 'runs');

export interface RunRecord {
  readonly token: string;
  readonly stage: string;
  readonly verb: string;
  readonly pid: number;
  /** Identifies the process beyond its pid (Linux: boot id and start time), so a reused pid is not taken for it. */
  readonly identity: string | null;
  /** ISO 8601, this machine's clock; only for people reading the file. */
  readonly started: string;
  /** Held by hand (`deploy lock acquire`): its process exits at once, yet the lock stays until released. */
  readonly manual: boolean;
}

const TOKEN = /^[0-9a-f]{16,64}$/;
const fileOf = (projectDir: string, token: string) => {
  if (!TOKEN.test(token)) throw new Error(`not a run token: ${JSON.stringify(token)}`);
  return join(projectDir, RUNS_DIR, `${token}.json`);
};

/** This process as a record sees it. */
export function thisProcess(): { pid: number; identity: string | null } {
  return { pid: process.pid, identity: processIdentity(process.pid) };
}

function processIdentity(pid: number): string | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const boot = readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
    return `${boot}:${fields[19]}`;
  } catch {
    return null;
  }
}

/** False when the file cannot be written (the run then falls back on the lock's expiry). */
export function writeRunRecord(projectDir: string, record: RunRecord): boolean {
  try {
    mkdirSync(join(projectDir, RUNS_DIR), { recursive: true });
    writeFileSync(fileOf(projectDir, record.token), `${JSON.stringify(record)}\n`, { mode: 0o600 });
    return true;
  } catch {
    return false;
  }
}

export function readRunRecord(projectDir: string, token: string): RunRecord | undefined {
  if (!TOKEN.test(token)) return undefined;
  try {
    const r = JSON.parse(readFileSync(fileOf(projectDir, token), 'utf8')) as Partial<RunRecord>;
    if (r.token !== token || typeof r.pid !== 'number' || !Number.isInteger(r.pid)) return undefined;
    return {
      token,
      stage: String(r.stage ?? ''),
      verb: String(r.verb ?? ''),
      pid: r.pid,
      identity: typeof r.identity === 'string' ? r.identity : null,
      started: String(r.started ?? ''),
      manual: r.manual === true,
    };
  } catch {
    return undefined;
  }
}

export function removeRunRecord(projectDir: string, token: string): void {
  try {
    rmSync(fileOf(projectDir, token), { force: true });
  } catch {
    // nothing to remove
  }
}

/** Whether the recorded process no longer exists (its pid is free, or now belongs to another process). */
export function processGone(record: Pick<RunRecord, 'pid' | 'identity'>): boolean {
  try {
    process.kill(record.pid, 0);
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'ESRCH';
  }
  if (record.identity === null) return false;
  const now = processIdentity(record.pid);
  return now !== null && now !== record.identity;
}

/** Removes records of processes that are gone and older than `maxAgeMs` (their locks expired long ago). */
export function pruneRunRecords(projectDir: string, maxAgeMs: number, now = Date.now()): void {
  const dir = join(projectDir, RUNS_DIR);
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return;
  }
  for (const name of names) {
    const token = name.replace(/\.json$/, '');
    const file = join(dir, name);
    try {
      if (now - statSync(file).mtimeMs < maxAgeMs) continue;
      const r = readRunRecord(projectDir, token);
      if (!r || r.manual || processGone(r)) rmSync(file, { force: true });
    } catch {
      // someone else pruned it
    }
  }
}
