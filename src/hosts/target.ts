/**
 * Inventory hosts → SshTargets: how to reach each host. Pure: the caller reads the OpenSSH client config
 * (~/.ssh/config or ssh.config_file) and passes its text; home and environment come in as arguments.
 *
 * The host's `address` is the alias looked up in the ssh config (as `ssh <address>` would). Per field, the
 * first source that sets it wins:
 *   address       ssh config HostName → the host's address
 *   user, port    the host's own `user`/`port` in deploy.yml → ssh config User/Port → deploy.yml ssh.user/ssh.port
 *                 (ssh.user/ssh.port always carry a default, so an explicit value there cannot be told from the
 *                 default; the more specific per-alias ssh config entry wins over them)
 *   jump          deploy.yml ssh.jump (a host of this stage by name, or `[user@]host[:port]`) → ssh config ProxyJump
 *                 (`a,b` chains: a is reached first); the jump host itself connects directly
 *   forwardAgent  on only if deploy.yml says ssh.forward_agent: true; the ssh config's ForwardAgent is not followed
 *                 (a forwarded agent lets root on every host log in as you elsewhere; a warning names the line)
 *
 * Authentication, in the order it is tried:
 *   1. identity file: deploy.yml ssh.identity_file, else every ssh config IdentityFile (missing files are reported)
 *   2. ssh-agent at SSH_AUTH_SOCK, if set (skipped when ssh config says IdentitiesOnly yes and keys are configured)
 *   3. only when 1 named nothing: ~/.ssh/id_ed25519, id_ecdsa, id_rsa (missing ones skipped silently)
 *
 * Host keys are always checked against known_hosts files, never learned:
 *   files   deploy.yml ssh.known_hosts alone, else ssh config UserKnownHostsFile (default ~/.ssh/known_hosts,
 *           ~/.ssh/known_hosts2) plus /etc/ssh/ssh_known_hosts
 *   name    ssh config HostKeyAlias, else the address (`[address]:port` when the port is not 22)
 *   strict  unknown hosts are refused unless deploy.yml says ssh.accept_new_host_keys: true (then an unknown host
 *           is accepted for this run, with a warning, and nothing is written); a changed or @revoked key is always
 *           refused. The ssh config's StrictHostKeyChecking is not followed: it belongs to whoever runs the deploy,
 *           may have been written for other hosts, and `no`/`accept-new` there would silently turn checking off
 *           (a warning names the host and the line)
 */
import type { SshTarget } from '../backends/backend.js';
import { lookupSshHost, parseSshConfig, type Includer, type SshConfigFile, type SshHostConfig } from '../backends/ssh-config.js';
import type { Config, HostDef } from '../config/types.js';
import { ConfigError } from '../errors.js';

export interface ResolveOptions {
  readonly home: string;
  readonly env: Readonly<Record<string, string | undefined>>;
  /** The OpenSSH client config's text; absent: no ssh config is honoured. */
  readonly sshConfigText?: string;
  /** Its path, for messages. */
  readonly sshConfigFile?: string;
  /** Reads Include'd files; without it Include lines are skipped with a note. */
  readonly include?: Includer;
}

export interface ResolvedTargets {
  readonly targets: SshTarget[];
  /** Things a verbose log should mention: skipped ssh config lines, unsupported settings. */
  readonly notes: string[];
  /** Things every run must say, per host: ssh config settings that were not followed. */
  readonly warnings: { readonly host: string; readonly message: string }[];
}

const DEFAULT_KEEPALIVE_S = 15;
const MAX_HOPS = 8;
const NO_SSH_CONFIG: SshHostConfig = { identityFiles: [], problems: [] };

export function resolveTargets(config: Config, hosts: readonly HostDef[], opts: ResolveOptions): SshTarget[] {
  return resolveTargetsWithNotes(config, hosts, opts).targets;
}

export function resolveTargetsWithNotes(config: Config, hosts: readonly HostDef[], opts: ResolveOptions): ResolvedTargets {
  const notes: string[] = [];
  const warnings: { host: string; message: string }[] = [];
  const ignored = (host: string, message: string) => {
    if (!warnings.some((w) => w.host === host && w.message === message)) warnings.push({ host, message });
  };
  const home = opts.home.replace(/\/+$/, '');
  const ctx = { home, localUser: opts.env.USER ?? opts.env.LOGNAME ?? 'root' };
  const sshFileName = opts.sshConfigFile ?? `${home}/.ssh/config`;
  let sshFile: SshConfigFile | undefined;
  if (opts.sshConfigText !== undefined) {
    sshFile = parseSshConfig(opts.sshConfigText, {
      file: sshFileName,
      home,
      ...(opts.include ? { include: opts.include } : {}),
    });
    notes.push(...sshFile.notes);
  }
  const lookup = (alias: string): SshHostConfig => {
    if (!sshFile) return NO_SSH_CONFIG;
    const found = lookupSshHost(sshFile, alias, ctx);
    if (found.problems.length > 0) throw ConfigError.single(sshFileName, found.problems.join('\n'));
    return found;
  };
  const projectDir = config.file.slice(0, config.file.lastIndexOf('/')) || '/';
  /** `~/x` is the user's; a relative path in deploy.yml is relative to deploy.yml, so it works from any cwd. */
  const tilde = (p: string) => (p === '~' || p.startsWith('~/') ? home + p.slice(1) : p.startsWith('/') ? p : `${projectDir}/${p}`);
  const agent = opts.env.SSH_AUTH_SOCK || undefined;
  const ssh = config.ssh;

  const common = (alias: string, sshc: SshHostConfig, host: string) => {
    const identityFiles = ssh.identityFile ? [tilde(ssh.identityFile)] : [...sshc.identityFiles];
    const useAgent = agent !== undefined && !(identityFiles.length > 0 && sshc.identitiesOnly === true);
    const knownHosts = ssh.knownHosts
      ? [tilde(ssh.knownHosts)]
      : [...(sshc.userKnownHostsFiles ?? [`${home}/.ssh/known_hosts`, `${home}/.ssh/known_hosts2`]), '/etc/ssh/ssh_known_hosts'];
    const lax = sshc.strictHostKeyChecking === 'no' || sshc.strictHostKeyChecking === 'accept-new';
    if (lax && !ssh.acceptNewHostKeys) {
      ignored(
        host,
        `${sshc.at?.strictHostKeyChecking}: StrictHostKeyChecking ${sshc.strictHostKeyChecking} was not followed for ${host}: ` +
          'host keys are checked strictly; ssh.accept_new_host_keys: true in deploy.yml accepts unknown hosts for a run',
      );
    }
    if (sshc.forwardAgent === true && !ssh.forwardAgent) {
      ignored(
        host,
        `${sshc.at?.forwardAgent}: ForwardAgent yes was not followed for ${host}: the agent is forwarded only when deploy.yml says ssh.forward_agent: true`,
      );
    }
    if (sshc.proxyCommand !== undefined) {
      notes.push(`ssh config ProxyCommand for ${alias} is not supported and is ignored; use ProxyJump or ssh.jump`);
    }
    return {
      address: sshc.hostName ?? alias,
      identityFiles,
      ...(useAgent ? { agent } : {}),
      ...(identityFiles.length === 0 ? { defaultIdentityFiles: ['id_ed25519', 'id_ecdsa', 'id_rsa'].map((f) => `${home}/.ssh/${f}`) } : {}),
      knownHosts,
      ...(sshc.hostKeyAlias !== undefined ? { hostKeyAlias: sshc.hostKeyAlias } : {}),
      strictHostKeys: !ssh.acceptNewHostKeys,
      forwardAgent: ssh.forwardAgent,
      connectTimeoutMs: ssh.connectTimeout * 1000,
      keepaliveIntervalMs: (sshc.serverAliveInterval ?? DEFAULT_KEEPALIVE_S) * 1000,
      commandTimeoutMs: ssh.commandTimeout * 1000,
    };
  };

  /** A `[user@]host[:port]` hop (from ssh.jump or ProxyJump); its own ProxyJump applies only if `ownJump`. */
  const hop = (spec: string, ownJump: boolean, depth: number, where: string): SshTarget => {
    if (depth > MAX_HOPS) throw ConfigError.single(config.file, `more than ${MAX_HOPS} jump hosts (a ProxyJump loop?)`, undefined, where);
    const parsed = parseHop(spec);
    if (!parsed) throw ConfigError.single(config.file, `invalid jump host "${spec}": expected [user@]host[:port]`, undefined, where);
    const sshc = lookup(parsed.host);
    const jump = ownJump && sshc.proxyJump ? chain(sshc.proxyJump, depth + 1, `${sshFileName}: ProxyJump of ${parsed.host}`) : undefined;
    return {
      name: parsed.host,
      ...common(parsed.host, sshc, parsed.host),
      port: parsed.port ?? sshc.port ?? 22,
      user: parsed.user ?? sshc.user ?? ssh.user,
      ...(jump ? { jump } : {}),
    };
  };

  /** `a,b,c`: c is reached through b, b through a; a's own ProxyJump applies (as OpenSSH's -J does). */
  const chain = (list: string, depth: number, where: string): SshTarget => {
    const specs = list
      .split(',')
      .map((s) => s.trim())
      .filter((s) => s !== '');
    let jump: SshTarget | undefined;
    specs.forEach((spec, i) => {
      const t = hop(spec, i === 0, depth + i, where);
      jump = jump ? { ...t, jump } : t;
    });
    if (!jump) throw ConfigError.single(config.file, `empty jump host list "${list}"`, undefined, where);
    return jump;
  };

  const direct = (h: HostDef): SshTarget => {
    const sshc = lookup(h.address);
    return {
      name: h.name,
      ...common(h.address, sshc, h.name),
      port: h.port ?? sshc.port ?? ssh.port,
      user: h.user ?? sshc.user ?? ssh.user,
    };
  };

  let stageJump: { host?: string; target: SshTarget } | undefined;
  if (ssh.jump !== undefined) {
    const byName = config.hosts.find((h) => h.name === ssh.jump) ?? hosts.find((h) => h.name === ssh.jump);
    stageJump = byName ? { host: byName.name, target: direct(byName) } : { target: hop(ssh.jump, true, 1, 'ssh.jump') };
  }

  const targets = hosts.map((h): SshTarget => {
    const t = direct(h);
    if (stageJump) return stageJump.host === h.name ? t : { ...t, jump: stageJump.target };
    const sshc = lookup(h.address);
    return sshc.proxyJump ? { ...t, jump: chain(sshc.proxyJump, 1, `${sshFileName}: ProxyJump of ${h.address}`) } : t;
  });
  return { targets, notes, warnings };
}

/** `[user@]host[:port]`, host may be `[v6addr]`. */
export function parseHop(spec: string): { user?: string; host: string; port?: number } | undefined {
  const m = /^(?:([^@\s]+)@)?(?:\[([0-9a-fA-F:.]+)\]|([^@\s:[\]]+))(?::(\d{1,5}))?$/.exec(spec.trim());
  if (!m) return undefined;
  const port = m[4] === undefined ? undefined : Number(m[4]);
  if (port !== undefined && (port < 1 || port > 65535)) return undefined;
  return {
    ...(m[1] !== undefined ? { user: m[1] } : {}),
    host: m[2] ?? m[3]!,
    ...(port !== undefined ? { port } : {}),
  };
}
