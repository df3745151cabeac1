import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { expandTokens, lookupSshHost, parseSshConfig, type SshHostConfig } from '../../../src/backends/ssh-config.js';
import { fsIncluder } from '../../../src/backends/ssh-config-files.js';

const ctx = { home: '/home/me', localUser: 'me' };
const look = (text: string, alias: string): SshHostConfig => lookupSshHost(parseSshConfig(text), alias, ctx);

const CONFIG = `
# global defaults before any Host apply to everyone
ServerAliveInterval 30

Host web? !web9
  HostName %h.internal.example.com
  User deployer
  IdentityFile ~/.ssh/web_key

Host db1
  HostName=10.0.0.10
  Port = 2222
  User "db admin"
  ProxyJump bastion
  IdentityFile %d/.ssh/db_%r
  IdentitiesOnly yes
  UserKnownHostsFile ~/.ssh/kh_a /etc/kh_b
  StrictHostKeyChecking accept-new

Host bastion
  HostName bastion.example.com
  User jump
  ForwardAgent yes
  HostKeyAlias bastion-key

Host *.example.com
  User ignored-when-set-earlier
  Port 2200

Host *
  User fallback
  IdentityFile ~/.ssh/id_ed25519
  ProxyJump none
  ConnectTimeout 7
`;

describe('lookupSshHost', () => {
  const cases: Array<[string, Partial<SshHostConfig>]> = [
    [
      'web1',
      {
        hostName: 'web1.internal.example.com',
        user: 'deployer',
        identityFiles: ['/home/me/.ssh/web_key', '/home/me/.ssh/id_ed25519'],
        serverAliveInterval: 30,
        connectTimeout: 7,
      },
    ],
    ['web9', { user: 'fallback', identityFiles: ['/home/me/.ssh/id_ed25519'] }],
    [
      'db1',
      {
        hostName: '10.0.0.10',
        port: 2222,
        user: 'db admin',
        proxyJump: 'bastion',
        identityFiles: ['/home/me/.ssh/db_db admin', '/home/me/.ssh/id_ed25519'],
        identitiesOnly: true,
        userKnownHostsFiles: ['/home/me/.ssh/kh_a', '/etc/kh_b'],
        strictHostKeyChecking: 'accept-new',
      },
    ],
    ['bastion', { hostName: 'bastion.example.com', user: 'jump', forwardAgent: true, hostKeyAlias: 'bastion-key' }],
    ['app.example.com', { user: 'ignored-when-set-earlier', port: 2200 }],
    ['other', { user: 'fallback', identityFiles: ['/home/me/.ssh/id_ed25519'], connectTimeout: 7 }],
  ];
  it.each(cases)('%s', (alias, want) => {
    expect(look(CONFIG, alias)).toMatchObject(want);
  });

  it('leaves unset what no block sets, and ProxyJump none means no jump', () => {
    const got = look(CONFIG, 'other');
    for (const k of ['hostName', 'port', 'proxyJump', 'forwardAgent', 'hostKeyAlias', 'userKnownHostsFiles']) {
      expect(got).not.toHaveProperty(k);
    }
  });

  it('takes the first value per keyword, except IdentityFile which accumulates without duplicates', () => {
    const got = look('Host a\n User one\n IdentityFile k\nHost *\n User two\n IdentityFile k\n IdentityFile l', 'a');
    expect(got.user).toBe('one');
    expect(got.identityFiles).toEqual(['k', 'l']);
  });

  it('keywords are case-insensitive; Host patterns too', () => {
    expect(look('HOST WEB1\n  hostname X\n  PORT 23', 'web1')).toMatchObject({ hostName: 'X', port: 23 });
  });

  it('ignores Match blocks and says so', () => {
    const parsed = parseSshConfig('Match host web1\n  User matched\nHost web1\n  Port 2000', { file: 'cfg' });
    expect(lookupSshHost(parsed, 'web1', ctx)).toMatchObject({ port: 2000 });
    expect(lookupSshHost(parsed, 'web1', ctx).user).toBeUndefined();
    expect(parsed.notes).toEqual(['cfg:1: Match blocks are not supported; their settings are ignored']);
  });

  it('a Host line after Match starts matching again', () => {
    expect(look('Match all\n  User m\nHost *\n  User h', 'x').user).toBe('h');
  });

  it('reports invalid values instead of using them', () => {
    const got = lookupSshHost(
      parseSshConfig('Host a\n Port 99999\n ForwardAgent maybe\n StrictHostKeyChecking perhaps', { file: 'c' }),
      'a',
      ctx,
    );
    expect(got.port).toBeUndefined();
    expect(got.forwardAgent).toBeUndefined();
    expect([...got.problems].sort()).toEqual([
      'c:2: invalid port "99999"',
      'c:3: expected yes or no, got "maybe"',
      'c:4: invalid StrictHostKeyChecking "perhaps"',
    ]);
  });

  it('reads StrictHostKeyChecking values', () => {
    for (const [v, want] of [
      ['yes', 'yes'],
      ['no', 'no'],
      ['off', 'no'],
      ['ask', 'ask'],
      ['accept-new', 'accept-new'],
    ]) {
      expect(look(`Host *\n StrictHostKeyChecking ${v}`, 'x').strictHostKeyChecking).toBe(want);
    }
    expect(lookupSshHost(parseSshConfig('Host a\n Port 22\n StrictHostKeyChecking no', { file: '/c' }), 'a', ctx).at).toEqual({
      strictHostKeyChecking: '/c:3',
    });
  });

  it('drops IdentityFile none and UserKnownHostsFile none, keeps ProxyCommand visible', () => {
    expect(look('Host *\n IdentityFile none\n UserKnownHostsFile none\n ProxyCommand nc %h %p', 'x')).toMatchObject({
      identityFiles: [],
      userKnownHostsFiles: [],
      proxyCommand: 'nc %h %p',
    });
  });

  it('handles comments after values and tabs', () => {
    expect(look('Host\tweb1 # the web host\n\tUser\talice # not bob', 'web1').user).toBe('alice');
  });

  it('notes unreadable lines', () => {
    const parsed = parseSshConfig('Host a\n = oops\n User "unterminated', { file: 'c' });
    expect(parsed.notes).toEqual(['c:2: cannot read "= oops"', 'c:3: unterminated quote in "User "unterminated"']);
  });
});

describe('expandTokens', () => {
  it.each([
    ['~/.ssh/id', {}, '/home/me/.ssh/id'],
    ['~', {}, '/home/me'],
    ['/x/~/y', {}, '/x/~/y'],
    ['%d/%u/%h-%p-%r', { h: 'web1', p: '22', r: 'deploy' }, '/home/me/me/web1-22-deploy'],
    ['100%%', {}, '100%'],
    ['%z', {}, '%z'],
  ] as const)('%s', (text, tokens, want) => expect(expandTokens(text, tokens, ctx)).toBe(want));
});

describe('Include', () => {
  const home = mkdtempSync(join(tmpdir(), 'ssh-config-test-'));
  afterAll(() => rmSync(home, { recursive: true, force: true }));
  mkdirSync(join(home, '.ssh', 'conf.d'), { recursive: true });
  writeFileSync(join(home, '.ssh', 'conf.d', 'a.conf'), 'Host inc\n  User from-a\n');
  writeFileSync(join(home, '.ssh', 'conf.d', 'b.conf'), 'Host inc\n  User from-b\n  Port 2022\n');
  writeFileSync(join(home, '.ssh', 'conditional'), 'User from-conditional\n');

  it('follows relative (to ~/.ssh) and globbed includes in order, and conditional includes inside Host', () => {
    const parsed = parseSshConfig('Include conf.d/*.conf\nHost cond\n  Include ~/.ssh/conditional\nHost other\n  Include missing\n', {
      home,
      include: fsIncluder,
    });
    const c = { home, localUser: 'me' };
    expect(lookupSshHost(parsed, 'inc', c)).toMatchObject({ user: 'from-a', port: 2022 });
    expect(lookupSshHost(parsed, 'cond', c).user).toBe('from-conditional');
    expect(lookupSshHost(parsed, 'nope', c).user).toBeUndefined();
  });

  it('without a reader, notes the skipped Include', () => {
    expect(parseSshConfig('Include x', { file: 'f' }).notes).toEqual(['f:1: Include not followed (no reader given)']);
  });

  it('stops include loops', () => {
    writeFileSync(join(home, '.ssh', 'loop'), 'Include loop\n');
    const parsed = parseSshConfig('Include loop', { home, include: fsIncluder });
    expect(parsed.notes.some((n) => n.includes('nested too deeply'))).toBe(true);
  });
});
