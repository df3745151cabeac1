import { describe, expect, it } from 'vitest';
import type { Config } from '../../../src/config/types.js';
import { codeHosts, hostsWithRole, primaryHost, rolloutOrder } from '../../../src/hosts/roles.js';
import { host, inventory, names, role } from './fixtures.js';

describe('hostsWithRole', () => {
  const cases: [string, string[]][] = [
    ['web', ['web1', 'web2', 'web3']],
    ['cron', ['web2']],
    ['nobody', []],
  ];
  it.each(cases)('%s → %j', (r, expected) => expect(names(hostsWithRole(inventory, r))).toEqual(expected));
});

describe('primaryHost', () => {
  const cases: [string, string, string | undefined][] = [
    ['the one marked primary', 'web', 'web2'],
    ['marked primary, not first', 'worker', 'worker2'],
    ['else the first of the role', 'db', 'db1'],
    ['a role with no hosts', 'nobody', undefined],
  ];
  it.each(cases)('%s', (_name, r, expected) => expect(primaryHost(inventory, r)?.name).toBe(expected));

  it('ignores a primary flag on a host of another role', () => {
    const hosts = [host('a', ['web']), host('b', ['db'], true), host('c', ['web'])];
    expect(primaryHost(hosts, 'web')?.name).toBe('a');
  });
});

describe('codeHosts', () => {
  const cases: [string, Pick<Config, 'hosts' | 'roles'>, string[]][] = [
    [
      'hosts with any code role',
      { hosts: inventory, roles: { web: role(true), cron: role(false), worker: role(true), db: role(false), lb: role(false) } },
      ['web1', 'web2', 'web3', 'worker1', 'worker2'],
    ],
    [
      'one code role is enough',
      { hosts: inventory, roles: { web: role(false), cron: role(true), worker: role(false), db: role(false), lb: role(false) } },
      ['web2'],
    ],
    ['roles not defined do not count', { hosts: inventory, roles: { web: role(true) } }, ['web1', 'web2', 'web3']],
    ['no code roles', { hosts: inventory, roles: {} }, []],
  ];
  it.each(cases)('%s', (_name, config, expected) => expect(names(codeHosts(config))).toEqual(expected));
});

describe('rolloutOrder', () => {
  const roles = { web: role(true), worker: role(true), db: role(false), lb: role(false) };
  const cases: [string, string[], string[]][] = [
    ['no rollout: definition order', [], ['web', 'worker', 'db', 'lb']],
    ['rollout first, then the rest in definition order', ['db', 'web'], ['db', 'web', 'worker', 'lb']],
    ['every role listed', ['lb', 'db', 'worker', 'web'], ['lb', 'db', 'worker', 'web']],
    ['a role listed twice counts once', ['worker', 'worker'], ['worker', 'web', 'db', 'lb']],
  ];
  it.each(cases)('%s', (_name, rollout, expected) => expect(rolloutOrder({ rollout, roles })).toEqual(expected));
});
