import { spawnSync } from 'node:child_process';
import type { SshTarget } from '../../backends/backend.js';
import { DeployError, ExitCode } from '../../errors.js';
import { paths } from '../../commands/paths.js';
import { loginShell } from '../../commands/run.js';
import type { RunFlags } from '../common.js';
import { openSession } from '../session.js';

/** OpenSSH client arguments equivalent to how the SSH backend reaches `t`. */
export function sshArgs(t: SshTarget): string[] {
  const args = ['-p', String(t.port), '-l', t.user, '-o', `ConnectTimeout=${Math.ceil(t.connectTimeoutMs / 1000)}`];
  for (const f of t.identityFiles) args.push('-i', f);
  const known = t.knownHosts.join(' ') || '/dev/null';
  if (t.strictHostKeys) args.push('-o', `UserKnownHostsFile=${known}`, '-o', 'StrictHostKeyChecking=yes');
  // ssh.accept_new_host_keys: accept-new still refuses a changed key; the real files are read as global ones, so
  // the key it learns goes to /dev/null and nothing is written.
  else args.push('-o', 'UserKnownHostsFile=/dev/null', '-o', `GlobalKnownHostsFile=${known}`, '-o', 'StrictHostKeyChecking=accept-new');
  if (t.hostKeyAlias) args.push('-o', `HostKeyAlias=${t.hostKeyAlias}`);
  args.push(t.forwardAgent ? '-A' : '-a');
  const hops: string[] = [];
  for (let j = t.jump; j; j = j.jump) hops.unshift(`${j.user}@${j.address}:${j.port}`);
  if (hops.length > 0) args.push('-J', hops.join(','));
  return [...args, t.address];
}

export async function ssh(stage: string, hostName: string, flags: RunFlags): Promise<number> {
  const session = await openSession(stage, { ...flags, hosts: hostName }, 'ssh', { sink: () => undefined });
  const target = session.ctx.targets.get(hostName);
  await session.finish();
  if (!target) throw new DeployError(`no host ${hostName} in stage ${stage}`, ExitCode.config);
  const result = spawnSync('ssh', [...sshArgs(target), '-t', loginShell(paths(session.ctx.config.deployTo))], { stdio: 'inherit' });
  return result.status ?? ExitCode.connection;
}
