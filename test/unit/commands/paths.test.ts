import { describe, expect, it } from 'vitest';
import { parent, paths, segment, within } from '../../../src/commands/paths.js';

describe('paths', () => {
  it('lays out deploy_to', () => {
    expect({ ...paths('/srv/app/') }).toMatchObject({
      root: '/srv/app',
      releases: '/srv/app/releases',
      current: '/srv/app/current',
      shared: '/srv/app/shared',
      repo: '/srv/app/repo',
      revisionsLog: '/srv/app/revisions.log',
      lock: '/srv/app/deploy.lock',
      uploads: '/srv/app/uploads',
    });
    expect(paths('/srv/app').release('20240102030405')).toBe('/srv/app/releases/20240102030405');
    expect(paths('/').release('x')).toBe('/releases/x');
  });

  it.each(['', '.', '..', 'a/b', '/', 'a\0'])('release(%j) is refused', (id) => {
    expect(() => paths('/srv/app').release(id)).toThrow(/single path component/);
    expect(() => segment(id)).toThrow(/single path component/);
  });

  const inside: [string, string, string][] = [
    ['/srv/app/shared', 'log', '/srv/app/shared/log'],
    ['/srv/app/shared', 'log/', '/srv/app/shared/log'],
    ['/srv/app/shared/', './public//uploads/', '/srv/app/shared/public/uploads'],
    ['/', 'etc', '/etc'],
    ['/srv/my app', 'a b/c', '/srv/my app/a b/c'],
  ];
  it.each(inside)('within(%j, %j) is %j', (base, rel, expected) => expect(within(base, rel)).toBe(expected));

  it.each(['', '.', './', '/etc/passwd', '../x', 'a/../../b', 'a/..', 'a\0b'])('within refuses %j', (rel) => {
    expect(() => within('/srv/app/shared', rel)).toThrow(/not a relative path/);
  });

  const parents: [string, string][] = [
    ['/srv/app/releases/1/public/uploads', '/srv/app/releases/1/public'],
    ['/srv/app/', '/srv'],
    ['/srv', '/'],
    ['/', '/'],
    ['relative', '.'],
  ];
  it.each(parents)('parent(%j) is %j', (path, expected) => expect(parent(path)).toBe(expected));
});
