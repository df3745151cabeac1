/**
 * A command's DirOps (shell/command.ts) over an open SFTP channel: no session, no shell, no program on the host.
 * Only the plain success is done here; anything else is left to the command's shell text, which does the same and
 * says what failed.
 */
import type { SFTPWrapper } from 'ssh2';
import type { DirOps } from '../shell/command.js';

export type Sftp = Pick<SFTPWrapper, 'mkdir' | 'rmdir' | 'stat'>;

/** 'done': every operation succeeded; 'shell': run the command's text instead. */
export type DirOutcome = 'done' | 'shell';

/** SSH_FX_NO_SUCH_FILE */
const NO_SUCH_FILE = 2;

const status = (f: (cb: (err?: Error | null) => void) => void) =>
  new Promise<(Error & { code?: unknown }) | undefined>((resolve) => f((err) => resolve(err ?? undefined)));

const isDir = (sftp: Sftp, path: string) =>
  new Promise<boolean>((resolve) => sftp.stat(path, (err, stats) => resolve(!err && stats.isDirectory())));

/**
 * Every request is sent at once and the server handles them in order (a `stat` after each `mkdir` of `ensure`
 * says whether it is a dir now), so the usual case is one round trip. When the answers say the shell must do it,
 * the new dir (made here, empty) is removed first, so that the shell finds the host as it was.
 */
export async function runDirOps(sftp: Sftp, ops: DirOps): Promise<DirOutcome> {
  const emptied = ops.emptied;
  const removed = emptied === undefined ? undefined : status((cb) => sftp.rmdir(emptied, cb));
  const ensured = ops.ensure.map((dir) => {
    void status((cb) => sftp.mkdir(dir, cb));
    return isDir(sftp, dir);
  });
  const created = status((cb) => sftp.mkdir(ops.create, cb));
  const removal = await removed;
  const ok = (!removal || removal.code === NO_SUCH_FILE) && (await Promise.all(ensured)).every(Boolean);
  if (await created) return 'shell';
  if (ok) return 'done';
  await status((cb) => sftp.rmdir(ops.create, cb));
  return 'shell';
}
