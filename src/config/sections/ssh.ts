import type { SshConfig } from '../types.js';
import { boolean, checked, integer, localPath, noControl, port, seconds, strict, userName } from './primitives.js';

const JUMP = /^(?:[^@\s]+@)?(?:\[[0-9a-fA-F:.]+\]|[^@\s:[\]]+)(?::\d{1,5})?$/;
const JUMP_TEXT = 'a jump host as `[user@]host[:port]` or a host name of this stage';

export const ssh = strict(
  {
    user: userName().default('deploy').describe('Remote user to log in as (default `deploy`); a host may override it.'),
    port: port().default(22).describe('SSH port (default 22); a host may override it.'),
    identity_file: localPath('a path to a private key')
      .optional()
      .describe(
        'Private key to log in with (default: IdentityFile from the ssh config, the SSH agent, then ' +
          '~/.ssh/id_ed25519, id_ecdsa, id_rsa).',
      ),
    known_hosts: localPath('a path to a known_hosts file')
      .optional()
      .describe('known_hosts file that host keys are checked against (default: ~/.ssh/known_hosts and ' + '/etc/ssh/ssh_known_hosts).'),
    accept_new_host_keys: boolean()
      .default(false)
      .describe(
        'Accept hosts that are not in known_hosts for this run, with a warning per host; a changed or revoked key is ' +
          'still refused and nothing is written (default false: unknown hosts stop the deploy, whatever the ssh config ' +
          'says about StrictHostKeyChecking).',
      ),
    jump: checked(
      JUMP_TEXT,
      noControl(JUMP_TEXT),
      (j) =>
        /(^|@)-/.test(j)
          ? { expected: JUMP_TEXT, hint: 'a user or host cannot start with `-` (ssh would read it as an option)' }
          : undefined,
      (j) => (JUMP.test(j) ? undefined : JUMP_TEXT),
    )
      .optional()
      .describe('Bastion to tunnel through: `[user@]host[:port]`, or the name of a host of this stage.'),
    forward_agent: boolean().default(false).describe('Forward the local SSH agent to the hosts (default false).'),
    connect_timeout: seconds(true).default(10).describe('Seconds to wait for a connection (default 10).'),
    command_timeout: seconds(true).default(600).describe('Seconds one remote command may run before it is stopped (default 600).'),
    parallel: integer(1).default(10).describe('Hosts worked on at once (default 10).'),
    config_file: localPath('a path to an OpenSSH client config file')
      .optional()
      .describe(
        'OpenSSH client config honoured for host aliases, HostName, User, Port, IdentityFile and ProxyJump ' + '(default ~/.ssh/config).',
      ),
  },
  'a mapping of SSH settings',
)
  .transform(
    (s): SshConfig => ({
      user: s.user,
      port: s.port,
      identityFile: s.identity_file,
      knownHosts: s.known_hosts,
      acceptNewHostKeys: s.accept_new_host_keys,
      jump: s.jump,
      forwardAgent: s.forward_agent,
      connectTimeout: s.connect_timeout,
      commandTimeout: s.command_timeout,
      parallel: s.parallel,
      configFile: s.config_file,
    }),
  )
  .describe('How to connect to the hosts.');
