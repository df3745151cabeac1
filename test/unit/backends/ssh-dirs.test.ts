import { describe, expect, it } from 'vitest';
import { runDirOps, type Sftp } from '../../../src/backends/ssh-dirs.js';

/** An SFTP server's answers over an in-memory tree: `dirs` and `files` by path, every request logged in order. */
function fakeSftp(dirs: string[], files: string[] = []) {
  const d = new Set(dirs);
  const f = new Set(files);
  const log: string[] = [];
  const parent = (p: string) => p.slice(0, p.lastIndexOf('/')) || '/';
  const fail = (code: number, message: string) => Object.assign(new Error(message), { code });
  const sftp = {
    mkdir(path: string, cb: (err?: Error) => void) {
      log.push(`mkdir ${path}`);
      if (d.has(path) || f.has(path)) return cb(fail(4, 'Failure'));
      if (!d.has(parent(path))) return cb(fail(2, 'No such file'));
      d.add(path);
      cb();
    },
    rmdir(path: string, cb: (err?: Error) => void) {
      log.push(`rmdir ${path}`);
      if (!d.has(path)) return cb(fail(2, 'No such file'));
      if ([...d, ...f].some((x) => x.startsWith(`${path}/`))) return cb(fail(4, 'Failure'));
      d.delete(path);
      cb();
    },
    stat(path: string, cb: (err: Error | undefined, stats: { isDirectory(): boolean }) => void) {
      log.push(`stat ${path}`);
      if (!d.has(path) && !f.has(path)) return cb(fail(2, 'No such file'), undefined as never);
      cb(undefined, { isDirectory: () => d.has(path) });
    },
  } as unknown as Sftp;
  return { sftp, log, dirs: d };
}

const ops = { emptied: '/srv/app/uploads', ensure: ['/srv/app/uploads', '/srv/app/releases'], create: '/srv/app/releases/20240102030405' };

describe('runDirOps', () => {
  it('makes every dir and the new one, all asked at once: the empty dir removed and made again', async () => {
    const t = fakeSftp(['/', '/srv', '/srv/app', '/srv/app/uploads', '/srv/app/releases']);
    expect(await runDirOps(t.sftp, ops)).toBe('done');
    expect(t.log).toEqual([
      'rmdir /srv/app/uploads',
      'mkdir /srv/app/uploads',
      'stat /srv/app/uploads',
      'mkdir /srv/app/releases',
      'stat /srv/app/releases',
      'mkdir /srv/app/releases/20240102030405',
    ]);
    expect(t.dirs.has(ops.create)).toBe(true);
  });

  it('dirs that are not there yet are made', async () => {
    const t = fakeSftp(['/', '/srv', '/srv/app']);
    expect(await runDirOps(t.sftp, ops)).toBe('done');
    expect([...t.dirs]).toEqual(expect.arrayContaining(ops.ensure.concat(ops.create)));
  });

  it('an upload dir that holds a file: the shell, with the new dir removed again', async () => {
    const t = fakeSftp(['/', '/srv', '/srv/app', '/srv/app/uploads', '/srv/app/releases'], ['/srv/app/uploads/x.tar.gz']);
    expect(await runDirOps(t.sftp, ops)).toBe('shell');
    expect(t.dirs.has(ops.create)).toBe(false);
    expect(t.log.slice(-2)).toEqual([`mkdir ${ops.create}`, `rmdir ${ops.create}`]);
  });

  it('a release dir that exists: the shell (which says so)', async () => {
    const t = fakeSftp(['/', '/srv', '/srv/app', '/srv/app/releases', ops.create]);
    expect(await runDirOps(t.sftp, ops)).toBe('shell');
  });

  it('a file where a dir should be, or no parent for it: the shell, and no new dir', async () => {
    const file = fakeSftp(['/', '/srv', '/srv/app', '/srv/app/uploads'], ['/srv/app/releases']);
    expect(await runDirOps(file.sftp, ops)).toBe('shell');
    expect(file.dirs.has(ops.create)).toBe(false);
    const orphan = fakeSftp(['/']);
    expect(await runDirOps(orphan.sftp, ops)).toBe('shell');
    expect(orphan.dirs.has(ops.create)).toBe(false);
  });

  it('without an emptied dir nothing is removed', async () => {
    const t = fakeSftp(['/', '/srv', '/srv/app', '/srv/app/releases']);
    expect(await runDirOps(t.sftp, { ensure: ['/srv/app/releases'], create: ops.create })).toBe('done');
    expect(t.log.filter((l) => l.startsWith('rmdir'))).toEqual([]);
  });
});
