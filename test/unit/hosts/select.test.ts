import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../../src/errors.js';
import { selectHosts, type HostSelector } from '../../../src/hosts/select.js';
import { inventory, names } from './fixtures.js';

describe('selectHosts', () => {
  const cases: [string, HostSelector, string[]][] = [
    ['no selector: every host', {}, ['web1', 'web2', 'web3', 'worker1', 'worker2', 'db1', 'lb1']],
    ['empty lists count as not given', { roles: [], hosts: [] }, ['web1', 'web2', 'web3', 'worker1', 'worker2', 'db1', 'lb1']],
    ['one role', { roles: ['web'] }, ['web1', 'web2', 'web3']],
    ['roles: union, inventory order', { roles: ['db', 'web'] }, ['web1', 'web2', 'web3', 'db1']],
    ['overlapping roles: each host once', { roles: ['web', 'cron'] }, ['web1', 'web2', 'web3']],
    ['hosts by name, inventory order', { hosts: ['db1', 'web1'] }, ['web1', 'db1']],
    ['a name given twice', { hosts: ['web1', 'web1'] }, ['web1']],
    ['both: intersection', { roles: ['web'], hosts: ['web2', 'web3', 'db1'] }, ['web2', 'web3']],
  ];
  it.each(cases)('%s', (_name, selector, expected) => expect(names(selectHosts(inventory, selector))).toEqual(expected));

  const errors: [string, HostSelector, string][] = [
    ['an unknown role, listing the roles', { roles: ['web', 'wbe'] }, '--roles: unknown role "wbe"; roles: web, cron, worker, db, lb'],
    [
      'an unknown host, listing the hosts',
      { hosts: ['web9'] },
      '--hosts: unknown host "web9"; hosts: web1, web2, web3, worker1, worker2, db1, lb1',
    ],
    [
      'every unknown name at once',
      { roles: ['x'], hosts: ['y'] },
      '--roles: unknown role "x"; roles: web, cron, worker, db, lb\n--hosts: unknown host "y"; hosts: web1, web2, web3, worker1, worker2, db1, lb1',
    ],
    ['an empty intersection', { roles: ['db'], hosts: ['web1'] }, '--roles/--hosts: no host is both in roles db and named web1'],
  ];
  it.each(errors)('throws a ConfigError for %s', (_name, selector, message) => {
    let error: unknown;
    try {
      selectHosts(inventory, selector);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).message).toBe(message);
    expect((error as ConfigError).exitCode).toBe(2);
  });
});
