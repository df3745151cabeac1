import { describe, expect, it } from 'vitest';
import type { SshTarget } from '../../../src/backends/backend.js';
import type { Config, HostDef, SshConfig } from '../../../src/config/types.js';
import { ConfigError } from '../../../src/errors.js';
import { parseHop, resolveTargets, resolveTargetsWithNotes } from '../../../src/hosts/target.js';

const host = (name: string, address: string, extra: Partial<HostDef> = {}): HostDef => ({
  name,
  address,
  roles: ['web'],
  vars: {},
  primary: false,
  ...extra,
});

function config(ssh: Partial<SshConfig> = {}, hosts: HostDef[] = []): Config {
  return {
    file: '/app/deploy.yml',
    stage: 'production',
    app: 'app',
    deployTo: '/srv/app',
    keepReleases: 5,
    source: { kind: 'git', repository: 'x', branch: 'main' },
    shared: { dirs: [], files: [] },
    env: {},
    ssh: {
      user: 'deploy',
      port: 22,
      acceptNewHostKeys: false,
      forwardAgent: false,
      connectTimeout: 10,
      commandTimeout: 600,
      parallel: 10,
      ...ssh,
    },
    hooks: { before: {}, after: {} },
    tasks: {},
    roles: {},
    rollout: [],
    hosts,
    lock: { ttl: 600 },
  };
}

const HOME = '/home/me';
const opts = (sshConfigText?: string, env: Record<string, string> = {}) => ({
  home: HOME,
  env: { USER: 'me', ...env },
  ...(sshConfigText !== undefined ? { sshConfigText } : {}),
});

const one = (c: Config, h: HostDef, o = opts()): SshTarget => resolveTargets(c, [h], o)[0]!;

const SSH_CONFIG = `
Host web1
  HostName 10.0.0.1
  User sshuser
  Port 2201
  IdentityFile ~/.ssh/web_key
  IdentitiesOnly yes
  HostKeyAlias web1-key

Host db1
  ProxyJump ops@bastion:2222

Host chained
  ProxyJump first,second

Host first
  ProxyJump zero

Host second
  ProxyJump never-used-in-a-chain

Host bastion
  HostName bastion.example.com
  User bastion-user

Host strict-no
  StrictHostKeyChecking no

Host kh
  UserKnownHostsFile ~/.ssh/kh_custom
  ServerAliveInterval 5
  ForwardAgent yes

Host pc
  ProxyCommand nc %h %p
`;

describe('resolveTargets: plain deploy.yml', () => {
  it('uses deploy.yml values and OpenSSH defaults', () => {
    expect(one(config(), host('web1', '127.0.1.1'))).toEqual({
      name: 'web1',
      address: '127.0.1.1',
      port: 22,
      user: 'deploy',
      identityFiles: [],
      defaultIdentityFiles: ['/home/me/.ssh/id_ed25519', '/home/me/.ssh/id_ecdsa', '/home/me/.ssh/id_rsa'],
      knownHosts: ['/home/me/.ssh/known_hosts', '/home/me/.ssh/known_hosts2', '/etc/ssh/ssh_known_hosts'],
      strictHostKeys: true,
      forwardAgent: false,
      connectTimeoutMs: 10_000,
      keepaliveIntervalMs: 15_000,
      commandTimeoutMs: 600_000,
    });
  });

  it('host fields beat ssh.*; identity_file and known_hosts replace the defaults; ~ expands', () => {
    const c = config({ user: 'stage-user', port: 2022, identityFile: '~/.ssh/deploy_key', knownHosts: '~/kh', forwardAgent: true });
    const t = one(c, host('web1', '127.0.1.1', { user: 'host-user', port: 2200 }), opts(undefined, { SSH_AUTH_SOCK: '/tmp/agent.sock' }));
    expect(t).toMatchObject({
      user: 'host-user',
      port: 2200,
      identityFiles: ['/home/me/.ssh/deploy_key'],
      agent: '/tmp/agent.sock',
      knownHosts: ['/home/me/kh'],
      forwardAgent: true,
    });
    expect(t).not.toHaveProperty('defaultIdentityFiles');
    expect(one(c, host('web2', '127.0.1.2'))).toMatchObject({ user: 'stage-user', port: 2022 });
  });
});

describe('resolveTargets: with ~/.ssh/config', () => {
  it('follows the alias: HostName, User, Port, IdentityFile, HostKeyAlias; IdentitiesOnly drops the agent', () => {
    const t = one(config(), host('web1', 'web1'), opts(SSH_CONFIG, { SSH_AUTH_SOCK: '/tmp/agent.sock' }));
    expect(t).toMatchObject({
      name: 'web1',
      address: '10.0.0.1',
      user: 'sshuser',
      port: 2201,
      identityFiles: ['/home/me/.ssh/web_key'],
      hostKeyAlias: 'web1-key',
    });
    expect(t).not.toHaveProperty('agent');
    expect(t).not.toHaveProperty('defaultIdentityFiles');
  });

  it('deploy.yml host fields and identity_file win over the ssh config', () => {
    const c = config({ identityFile: '/keys/k' });
    const t = one(c, host('web1', 'web1', { user: 'yml-user', port: 22 }), opts(SSH_CONFIG, { SSH_AUTH_SOCK: '/a' }));
    expect(t).toMatchObject({ address: '10.0.0.1', user: 'yml-user', port: 22, identityFiles: ['/keys/k'] });
    // The ssh config says IdentitiesOnly for this alias: configured keys only, no agent.
    expect(t.agent).toBeUndefined();
  });

  it('keeps the agent when nothing restricts identities', () => {
    expect(one(config(), host('x', 'x'), opts(SSH_CONFIG, { SSH_AUTH_SOCK: '/a' })).agent).toBe('/a');
    expect(one(config(), host('x', 'x'), opts(SSH_CONFIG, { SSH_AUTH_SOCK: '' })).agent).toBeUndefined();
  });

  it('UserKnownHostsFile, ServerAliveInterval', () => {
    expect(one(config(), host('kh', 'kh'), opts(SSH_CONFIG))).toMatchObject({
      knownHosts: ['/home/me/.ssh/kh_custom', '/etc/ssh/ssh_known_hosts'],
      keepaliveIntervalMs: 5000,
    });
    expect(one(config({ knownHosts: '/only' }), host('kh', 'kh'), opts(SSH_CONFIG)).knownHosts).toEqual(['/only']);
  });

  it('StrictHostKeyChecking no/accept-new is not followed: strict, with a warning naming the host and the line', () => {
    const text =
      'Host web1\n  StrictHostKeyChecking no\nHost bastion\n  StrictHostKeyChecking accept-new\nHost web2\n  StrictHostKeyChecking yes\n';
    const c = config({ jump: 'bastion' });
    const { targets, warnings } = resolveTargetsWithNotes(c, [host('web1', 'web1'), host('web2', 'web2')], opts(text));
    expect(targets.map((t) => [t.name, t.strictHostKeys, t.jump?.strictHostKeys])).toEqual([
      ['web1', true, true],
      ['web2', true, true],
    ]);
    expect(warnings).toEqual([
      {
        host: 'bastion',
        message:
          '/home/me/.ssh/config:4: StrictHostKeyChecking accept-new was not followed for bastion: host keys are checked strictly; ' +
          'ssh.accept_new_host_keys: true in deploy.yml accepts unknown hosts for a run',
      },
      {
        host: 'web1',
        message:
          '/home/me/.ssh/config:2: StrictHostKeyChecking no was not followed for web1: host keys are checked strictly; ' +
          'ssh.accept_new_host_keys: true in deploy.yml accepts unknown hosts for a run',
      },
    ]);
  });

  it('ForwardAgent yes is not followed either: only ssh.forward_agent in deploy.yml forwards the agent', () => {
    const { targets, warnings } = resolveTargetsWithNotes(config(), [host('kh', 'kh')], opts(SSH_CONFIG));
    expect(targets[0]!.forwardAgent).toBe(false);
    expect(warnings).toEqual([
      {
        host: 'kh',
        message:
          '/home/me/.ssh/config:32: ForwardAgent yes was not followed for kh: the agent is forwarded only when deploy.yml says ssh.forward_agent: true',
      },
    ]);
    const opted = resolveTargetsWithNotes(config({ forwardAgent: true }), [host('kh', 'kh')], opts(SSH_CONFIG));
    expect([opted.targets[0]!.forwardAgent, opted.warnings]).toEqual([true, []]);
  });

  it('ssh.accept_new_host_keys in deploy.yml accepts unknown hosts, whatever the ssh config says, with no warning', () => {
    const c = config({ acceptNewHostKeys: true });
    const { targets, warnings } = resolveTargetsWithNotes(c, [host('s', 'strict-no'), host('w', 'web1')], opts(SSH_CONFIG));
    expect(targets.map((t) => t.strictHostKeys)).toEqual([false, false]);
    expect(warnings).toEqual([]);
  });

  it('ProxyJump: the hop is looked up in the ssh config too', () => {
    const t = one(config(), host('db1', 'db1'), opts(SSH_CONFIG));
    expect(t.jump).toMatchObject({ name: 'bastion', address: 'bastion.example.com', user: 'ops', port: 2222 });
    expect(t.jump?.jump).toBeUndefined();
  });

  it('ProxyJump a,b: b is reached through a, and only a keeps its own ProxyJump', () => {
    const t = one(config(), host('c', 'chained'), opts(SSH_CONFIG));
    expect(t.jump?.name).toBe('second');
    expect(t.jump?.jump?.name).toBe('first');
    expect(t.jump?.jump?.jump?.name).toBe('zero');
    expect(t.jump?.jump?.jump?.jump).toBeUndefined();
  });

  it('notes Match and ProxyCommand, which are not supported', () => {
    const { notes } = resolveTargetsWithNotes(config(), [host('pc', 'pc')], opts(`Match all\n User x\n${SSH_CONFIG}`));
    expect(notes).toEqual([
      '/home/me/.ssh/config:1: Match blocks are not supported; their settings are ignored',
      'ssh config ProxyCommand for pc is not supported and is ignored; use ProxyJump or ssh.jump',
    ]);
  });

  it('an invalid value in the ssh config is a ConfigError naming the file and line', () => {
    expect(() => one(config(), host('bad', 'bad'), opts('Host bad\n  Port nope'))).toThrow(/\.ssh\/config:2: invalid port "nope"/);
  });
});

describe('resolveTargets: ssh.jump', () => {
  const web1 = host('web1', '127.0.1.1');
  const web2 = host('web2', '127.0.1.2', { user: 'other' });

  it('a host of the stage by name: every other host goes through it, it connects directly', () => {
    const c = config({ jump: 'web1' }, [web1, web2]);
    const [t1, t2] = resolveTargets(c, [web1, web2], opts());
    expect(t1!.jump).toBeUndefined();
    expect(t2!.jump).toEqual({ ...t1 });
    expect(t2!.user).toBe('other');
  });

  it('the stage host works as a bastion even when it is not among the selected hosts', () => {
    const c = config({ jump: 'web1' }, [web1, web2]);
    expect(resolveTargets(c, [web2], opts())[0]!.jump?.address).toBe('127.0.1.1');
  });

  it('[user@]host[:port], looked up in the ssh config; it wins over ProxyJump', () => {
    const c = config({ jump: 'bastion' });
    const t = one(c, host('db1', 'db1'), opts(SSH_CONFIG));
    expect(t.jump).toMatchObject({ name: 'bastion', address: 'bastion.example.com', user: 'bastion-user', port: 22 });
    const u = one(config({ jump: 'admin@10.1.1.1:2200' }), host('db1', 'db1'), opts(SSH_CONFIG));
    expect(u.jump).toMatchObject({ name: '10.1.1.1', address: '10.1.1.1', user: 'admin', port: 2200 });
    expect(one(config({ jump: '10.1.1.1' }), web1).jump).toMatchObject({ user: 'deploy', port: 22 });
  });

  it('a ProxyJump loop is a ConfigError', () => {
    const loop = 'Host a\n  ProxyJump b\nHost b\n  ProxyJump a';
    expect(() => one(config(), host('a', 'a'), opts(loop))).toThrow(ConfigError);
    expect(() => one(config(), host('a', 'a'), opts(loop))).toThrow(/more than 8 jump hosts/);
  });
});

describe('parseHop', () => {
  it.each([
    ['bastion', { host: 'bastion' }],
    ['ops@bastion', { user: 'ops', host: 'bastion' }],
    ['ops@bastion:2222', { user: 'ops', host: 'bastion', port: 2222 }],
    ['10.0.0.1:22', { host: '10.0.0.1', port: 22 }],
    ['[::1]:2200', { host: '::1', port: 2200 }],
  ])('%s', (spec, want) => expect(parseHop(spec)).toEqual(want));

  it.each(['', 'a@', 'host:0', 'host:70000', 'a b', 'h:p'])('rejects %j', (spec) => expect(parseHop(spec)).toBeUndefined());
});
