import { describe, expect, it } from 'vitest';
import type { SshTarget } from '../../../src/backends/backend.js';
import { sshArgs } from '../../../src/cli/actions/ssh.js';

const target: SshTarget = {
  name: 'web1',
  address: '10.0.0.1',
  port: 22,
  user: 'deploy',
  identityFiles: ['/k'],
  knownHosts: ['/kh', '/etc/ssh/ssh_known_hosts'],
  strictHostKeys: true,
  forwardAgent: false,
  connectTimeoutMs: 10_000,
  keepaliveIntervalMs: 15_000,
};

describe('sshArgs (deploy ssh)', () => {
  it('checks host keys strictly against the same files, whatever ~/.ssh/config says', () => {
    expect(sshArgs(target)).toEqual([
      '-p',
      '22',
      '-l',
      'deploy',
      '-o',
      'ConnectTimeout=10',
      '-i',
      '/k',
      '-o',
      'UserKnownHostsFile=/kh /etc/ssh/ssh_known_hosts',
      '-o',
      'StrictHostKeyChecking=yes',
      '-a',
      '10.0.0.1',
    ]);
  });

  it('with ssh.accept_new_host_keys: accepts an unknown host, still refuses a changed key, writes nothing', () => {
    expect(sshArgs({ ...target, strictHostKeys: false, hostKeyAlias: 'web1-key' })).toEqual([
      '-p',
      '22',
      '-l',
      'deploy',
      '-o',
      'ConnectTimeout=10',
      '-i',
      '/k',
      '-o',
      'UserKnownHostsFile=/dev/null',
      '-o',
      'GlobalKnownHostsFile=/kh /etc/ssh/ssh_known_hosts',
      '-o',
      'StrictHostKeyChecking=accept-new',
      '-o',
      'HostKeyAlias=web1-key',
      '-a',
      '10.0.0.1',
    ]);
  });
});
