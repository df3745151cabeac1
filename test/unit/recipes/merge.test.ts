import { describe, expect, it } from 'vitest';
import { applyRecipe } from '../../../src/config/recipe.js';

describe('applyRecipe: the recipe under deploy.yml', () => {
  it.each([
    ['a key only the recipe sets comes from it', { a: 1 }, {}, { a: 1 }],
    ['the user wins over the recipe', { a: 1 }, { a: 2 }, { a: 2 }],
    ['mappings merge key by key', { env: { A: '1', B: '2' } }, { env: { B: '3', C: '4' } }, { env: { A: '1', B: '3', C: '4' } }],
    [
      'mappings merge at any depth',
      { t: { x: { run: 'a', roles: ['web'] } } },
      { t: { x: { run: 'b' } } },
      { t: { x: { run: 'b', roles: ['web'] } } },
    ],
    ['lists replace', { shared: { dirs: ['log'] } }, { shared: { dirs: ['tmp'] } }, { shared: { dirs: ['tmp'] } }],
    ['a string replaces a mapping (shorthand)', { restart: { command: 'a', roles: ['web'] } }, { restart: 'b' }, { restart: 'b' }],
    ['~ removes what the recipe set', { migrate: 'm', health: { path: '/' } }, { migrate: null, health: null }, {}],
    ['~ removes one key of a mapping', { env: { A: '1', B: '2' } }, { env: { A: null } }, { env: { B: '2' } }],
    [
      'a mapping of another kind replaces',
      { b: { kind: 'nginx', reload: 'x' } },
      { b: { kind: 'haproxy', admin_socket: '/s' } },
      { b: { kind: 'haproxy', admin_socket: '/s' } },
    ],
    [
      'hook lists add up, the recipe first',
      { hooks: { after: { install: ['r1', 'r2'] } } },
      { hooks: { after: { install: ['u1'] } } },
      { hooks: { after: { install: ['r1', 'r2', 'u1'] } } },
    ],
    [
      'a single hook task is a one-item list',
      { hooks: { after: { install: 'r' } } },
      { hooks: { after: { install: 'u' } } },
      { hooks: { after: { install: ['r', 'u'] } } },
    ],
    [
      'hooks at other points stay apart',
      { hooks: { after: { install: ['r'] } } },
      { hooks: { before: { install: ['u'] } } },
      { hooks: { after: { install: ['r'] }, before: { install: ['u'] } } },
    ],
    [
      '~ at a hook point drops the recipe’s tasks there',
      { hooks: { after: { install: ['r'], cleanup: ['c'] } } },
      { hooks: { after: { install: null } } },
      { hooks: { after: { cleanup: ['c'] } } },
    ],
    ['no recipe: the user’s settings, nulls dropped', {}, { a: 1, b: null, c: { d: null, e: 2 } }, { a: 1, c: { e: 2 } }],
  ])('%s', (_, recipe, user, expected) => {
    expect(applyRecipe(recipe, user).value).toEqual(expected);
  });

  const layered = applyRecipe(
    { env: { A: '1' }, tasks: { 'r:t': { run: 'x' } }, hooks: { after: { install: ['r1', 'r2'], cleanup: 'c' } } },
    { env: { B: '2' }, hooks: { after: { install: ['u1', 'u2'], cleanup: ['u'] } } },
  );

  it.each([
    [['env', 'A'], { recipe: true, path: ['env', 'A'] }],
    [['env', 'B'], { recipe: false, path: ['env', 'B'] }],
    [['env'], { recipe: false, path: ['env'] }],
    [['tasks', 'r:t', 'run'], { recipe: true, path: ['tasks', 'r:t', 'run'] }],
    [['hooks', 'after', 'install', 1], { recipe: true, path: ['hooks', 'after', 'install', 1] }],
    [['hooks', 'after', 'install', 3], { recipe: false, path: ['hooks', 'after', 'install', 1] }],
    [['hooks', 'after', 'cleanup', 0], { recipe: true, path: ['hooks', 'after', 'cleanup'] }],
    [['hooks', 'after', 'cleanup', 1], { recipe: false, path: ['hooks', 'after', 'cleanup', 0] }],
    [['hooks', 'after', 'install'], { recipe: false, path: ['hooks', 'after', 'install'] }],
  ])('origin of %j', (path, origin) => {
    expect(layered.origin(path)).toEqual(origin);
  });
});
