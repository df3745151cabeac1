import { lstatSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { isAbsolute, join } from 'node:path';

// The per-user caches (parsed configs, compiled code): what they hold is used without being checked again, so they
// live where only this user can write, and a file is read only when it is this user's alone.

/** $XDG_CACHE_HOME/deploy/<name>, else ~/.cache/deploy/<name>; undefined when DEPLOY_NO_CACHE is set (not 0). */
export function userCacheDir(env: Readonly<Record<string, string | undefined>>, name: string): string | undefined {
  if (env.DEPLOY_NO_CACHE && env.DEPLOY_NO_CACHE !== '0') return undefined;
  const xdg = env.XDG_CACHE_HOME;
  return join(xdg && isAbsolute(xdg) ? xdg : join(homedir(), '.cache'), 'deploy', name);
}

const uid = () => process.getuid?.();

/** Ours alone: owned by this user, nobody else may read or write it. */
export function isPrivate(path: string): boolean {
  try {
    const s = lstatSync(path);
    return (uid() === undefined || s.uid === uid()) && (s.mode & 0o077) === 0 && (s.isDirectory() || s.isFile());
  } catch {
    return false;
  }
}

/** The file's bytes when it and its dir are ours alone, else undefined. */
export function readPrivate(dir: string, name: string): Buffer | undefined {
  const path = join(dir, name);
  if (!isPrivate(dir) || !isPrivate(path)) return undefined;
  try {
    return readFileSync(path);
  } catch {
    return undefined;
  }
}

/**
 * Writes `name` in `dir` (made 0700 if missing, and used only when ours alone) through a temporary file and a
 * rename, so a reader never sees half of it; then keeps the `keep` newest files ending in `suffix`. A cache only
 * saves time: every failure is silent.
 */
export function writePrivate(dir: string, name: string, data: string | Uint8Array, o: { keep: number; suffix: string }): void {
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    if (!isPrivate(dir)) return;
    const path = join(dir, name);
    const tmp = `${path}.${process.pid}.tmp`;
    writeFileSync(tmp, data, { mode: 0o600 });
    renameSync(tmp, path);
    prune(dir, o.keep, o.suffix);
  } catch {
    // Not cached this time.
  }
}

/** Keeps the `keep` newest `suffix` files; leftovers of interrupted writes (a minute old: not another run's) go too. */
function prune(dir: string, keep: number, suffix: string): void {
  const mtime = (n: string) => {
    try {
      return statSync(join(dir, n)).mtimeMs;
    } catch {
      return 0;
    }
  };
  const names = readdirSync(dir);
  const entries = names
    .filter((n) => n.endsWith(suffix))
    .map((n) => ({ n, t: mtime(n) }))
    .sort((a, b) => b.t - a.t);
  const stale = names.filter((n) => n.endsWith('.tmp') && mtime(n) < Date.now() - 60_000);
  for (const n of [...entries.slice(keep).map((e) => e.n), ...stale]) rmSync(join(dir, n), { force: true });
}
