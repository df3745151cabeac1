import { mkdirSync, readlinkSync, symlinkSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { paths } from '../../../src/commands/paths.js';
import { removeCurrent, switchCurrent } from '../../../src/commands/symlink.js';
import { parseCurrent, readCurrent } from '../../../src/facts/symlink.js';
import { renders, sandbox } from './table.js';

describe('symlink commands', () => {
  renders([
    [
      'switchCurrent: a new link beside current, renamed over it',
      () => switchCurrent(paths('/srv/app'), '20240102030405'),
      'ln -sfn /srv/app/releases/20240102030405 /srv/app/current.tmp-20240102030405 && mv -T /srv/app/current.tmp-20240102030405 /srv/app/current',
      'write',
    ],
    [
      'switchCurrent quotes',
      () => switchCurrent(paths('/srv/my app'), '20240102030405'),
      "ln -sfn '/srv/my app/releases/20240102030405' '/srv/my app/current.tmp-20240102030405' && mv -T '/srv/my app/current.tmp-20240102030405' '/srv/my app/current'",
      'write',
    ],
    ['removeCurrent: no earlier release to point it at', () => removeCurrent(paths('/srv/app')), 'rm -f /srv/app/current', 'write'],
  ]);
});

describe('symlink commands on a real shell', () => {
  const box = sandbox();
  afterAll(box.cleanup);

  it('switches, switches back, and survives a leftover temp link', () => {
    const [a, b] = ['20240101000000', '20240102030405'];
    mkdirSync(box.p.release(a), { recursive: true });
    mkdirSync(box.p.release(b), { recursive: true });
    const current = () => parseCurrent(box.run(readCurrent(box.p).command).stdout);
    expect(current()).toBeNull();
    expect(box.run(switchCurrent(box.p, a)).code).toBe(0);
    expect(current()).toBe(a);
    symlinkSync(box.p.release(a), `${box.p.current}.tmp-${b}`);
    expect(box.run(switchCurrent(box.p, b)).code).toBe(0);
    expect(readlinkSync(box.p.current)).toBe(box.p.release(b));
    expect(current()).toBe(b);
    expect(box.run(switchCurrent(box.p, a)).code).toBe(0);
    expect(current()).toBe(a);
  });
});
