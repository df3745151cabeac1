/**
 * Reaching a host over SSH: the TCP socket (TCP_NODELAY), ssh2's handshake with strict host key checking against
 * known_hosts, and the authentication methods (key files, ssh-agent). Errors say what failed and what to do.
 */
import { createRequire } from 'node:module';
import net from 'node:net';
import type { Duplex } from 'node:stream';
import type { AnyAuthMethod, Client, ConnectConfig, ParsedKey } from 'ssh2';
import { ConnectionError } from '../errors.js';
import type { SshTarget } from './backend.js';
import {
  fingerprint,
  keyTypeOf,
  knownHostsName,
  parseKnownHosts,
  preferredHostKeyAlgorithms,
  verifyHostKey,
  type HostKeyVerdict,
  type KnownHostEntry,
} from './known-hosts.js';
import { formatSeconds } from './output.js';

export type Ssh2 = typeof import('ssh2');
let ssh2Loading: Promise<Ssh2> | undefined;
// A require, not an import(): the CLI's code runs from V8's code cache, where import() has no loader (src/cli/boot.ts).
const requireHere = createRequire(import.meta.url);

/**
 * ssh2 takes ~35 ms to load. Loaded on first use, verbs that never connect do not pay for it, and a run loads it
 * while its first TCP connection is being accepted (sshd forks before it sends its banner).
 */
export function loadSsh2(): Promise<Ssh2> {
  ssh2Loading ??= Promise.resolve().then(() => requireHere('ssh2') as Ssh2);
  return ssh2Loading;
}

/** A local file's contents, undefined when it does not exist. */
export type ReadFile = (path: string) => Promise<Buffer | undefined>;

export interface KnownHosts {
  readonly entries: readonly KnownHostEntry[];
  readonly files: readonly string[];
  readonly found: readonly string[];
}

export interface Auth {
  readonly methods: AnyAuthMethod[];
  readonly tried: readonly string[];
  readonly skipped: readonly string[];
}

export async function readKnownHosts(target: SshTarget, read: ReadFile): Promise<KnownHosts> {
  const entries: KnownHostEntry[] = [];
  const found: string[] = [];
  for (const file of target.knownHosts) {
    const text = await read(file);
    if (text === undefined) continue;
    found.push(file);
    entries.push(...parseKnownHosts(text.toString('utf8'), file).entries);
  }
  return { entries, files: target.knownHosts, found };
}

export async function authMethods(target: SshTarget, read: ReadFile): Promise<Auth> {
  const methods: AnyAuthMethod[] = [];
  const tried: string[] = [];
  const skipped: string[] = [];
  const ssh2 = await loadSsh2();
  const addKey = async (file: string, quietIfMissing: boolean) => {
    const buf = await read(file);
    if (buf === undefined) {
      if (!quietIfMissing) skipped.push(`${file} (not found)`);
      return;
    }
    const parsed = ssh2.utils.parseKey(buf) as ParsedKey | ParsedKey[] | Error;
    if (parsed instanceof Error) {
      skipped.push(
        /encrypted|passphrase/i.test(parsed.message) ? `${file} (has a passphrase: add it to ssh-agent)` : `${file} (${parsed.message})`,
      );
      return;
    }
    const key = Array.isArray(parsed) ? parsed[0]! : parsed;
    if (!key.isPrivateKey()) {
      skipped.push(`${file} (a public key; name the private key file)`);
      return;
    }
    methods.push({ type: 'publickey', username: target.user, key });
    tried.push(file);
  };
  for (const f of target.identityFiles) await addKey(f, false);
  if (target.agent) {
    methods.push({ type: 'agent', username: target.user, agent: target.agent });
    tried.push(`ssh-agent ${target.agent}`);
  }
  for (const f of target.defaultIdentityFiles ?? []) await addKey(f, true);
  if (methods.length === 0) {
    throw new ConnectionError(
      target.name,
      `no SSH key to log in as ${target.user} with${skipped.length ? `: ${skipped.join(', ')}` : ''}`,
      'Set ssh.identity_file in deploy.yml, or start ssh-agent and add a key (ssh-add).',
    );
  }
  return { methods, tried, skipped };
}

export function tcpConnect(target: SshTarget): Promise<net.Socket> {
  const where = `${target.address}:${target.port}`;
  return new Promise((resolve, reject) => {
    const sock = net.connect({ host: target.address, port: target.port });
    sock.setNoDelay(true);
    const timer = setTimeout(() => {
      sock.destroy();
      reject(
        new ConnectionError(
          target.name,
          `connecting to ${where} timed out after ${formatSeconds(target.connectTimeoutMs)}`,
          'Is the host up and reachable? ssh.connect_timeout in deploy.yml sets the limit.',
        ),
      );
    }, target.connectTimeoutMs);
    const onError = (err: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      sock.destroy();
      reject(socketError(target, err));
    };
    sock.once('error', onError);
    sock.once('connect', () => {
      clearTimeout(timer);
      sock.removeListener('error', onError);
      resolve(sock);
    });
  });
}

/**
 * The server closed a connection it had accepted before its SSH banner: what sshd does over MaxStartups (after
 * writing `Exceeded MaxStartups`). The server is busy, not down.
 */
export class DroppedError extends ConnectionError {
  constructor(target: SshTarget) {
    super(
      target.name,
      `${target.address}:${target.port} closed the connection before the SSH banner (sshd busy: MaxStartups?)`,
      'Too many connections were waiting for authentication there: lower ssh.parallel, or raise MaxStartups in its sshd_config.',
    );
  }
}

function socketError(target: SshTarget, err: NodeJS.ErrnoException): ConnectionError {
  const where = `${target.address}:${target.port}`;
  switch (err.code) {
    case 'ECONNREFUSED':
      return new ConnectionError(target.name, `connection refused by ${where}`, `Is sshd running on ${where}?`);
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return new ConnectionError(target.name, `cannot resolve host name ${target.address}`);
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return new ConnectionError(target.name, `${where} is unreachable`);
    default:
      return new ConnectionError(target.name, `cannot connect to ${where}: ${err.code ?? err.message}`);
  }
}

export function handshake(
  ssh2: Ssh2,
  target: SshTarget,
  sock: Duplex,
  known: KnownHosts,
  auth: Auth,
  onUnknownHostKey: ((target: SshTarget, key: string) => void) | undefined,
): Promise<Client> {
  const name = knownHostsName(target.address, target.port, target.hostKeyAlias);
  let verdict: HostKeyVerdict | undefined;
  let offered: Buffer | undefined;
  const client = new ssh2.Client();
  const config: ConnectConfig = {
    sock: sock as ConnectConfig['sock'],
    username: target.user,
    readyTimeout: target.connectTimeoutMs,
    keepaliveInterval: target.keepaliveIntervalMs,
    keepaliveCountMax: 3,
    algorithms: {
      serverHostKey: preferredHostKeyAlgorithms(known.entries, name) as NonNullable<
        NonNullable<ConnectConfig['algorithms']>['serverHostKey']
      >,
    },
    hostVerifier: (key: Buffer) => {
      offered = key;
      verdict = verifyHostKey(known.entries, name, key);
      if (verdict.kind === 'unknown' && !target.strictHostKeys) {
        onUnknownHostKey?.(target, `${keyTypeOf(key)} key ${fingerprint(key)}`);
        return true;
      }
      return verdict.kind === 'trusted';
    },
    authHandler: auth.methods,
    ...(target.forwardAgent && target.agent ? { agent: target.agent, agentForward: true } : {}),
  };
  return new Promise((resolve, reject) => {
    let settled = false;
    const fail = (err: ConnectionError) => {
      if (settled) return;
      settled = true;
      client.destroy();
      reject(err);
    };
    client.once('ready', () => {
      settled = true;
      resolve(client);
    });
    client.on('error', (err: Error & { level?: string }) => {
      if (verdict && offered && verdict.kind !== 'trusted' && !(verdict.kind === 'unknown' && !target.strictHostKeys)) {
        fail(hostKeyError(target, name, verdict, offered, known));
      } else if (err.level === 'client-authentication') {
        fail(
          new ConnectionError(
            target.name,
            `authentication as ${target.user} failed on ${target.address}:${target.port}; tried ${auth.tried.join(', ') || 'nothing'}` +
              (auth.skipped.length ? `; skipped ${auth.skipped.join(', ')}` : ''),
            `Is the public key in ~${target.user}/.ssh/authorized_keys on ${target.name}? Set ssh.identity_file in deploy.yml to pick the key.`,
          ),
        );
      } else if (err.level === 'client-timeout') {
        fail(
          new ConnectionError(
            target.name,
            `SSH handshake with ${target.address}:${target.port} timed out after ${formatSeconds(target.connectTimeoutMs)}`,
          ),
        );
      } else if ((client as { _remoteVer?: string })._remoteVer === undefined) {
        // Reset or closed before the server's identification line ('Connection lost before handshake').
        fail(new DroppedError(target));
      } else {
        fail(new ConnectionError(target.name, `SSH connection to ${target.address}:${target.port} failed: ${err.message}`));
      }
    });
    client.on('close', () =>
      fail(
        (client as { _remoteVer?: string })._remoteVer === undefined
          ? new DroppedError(target)
          : new ConnectionError(target.name, `${target.address}:${target.port} closed the connection during the SSH handshake`),
      ),
    );
    client.connect(config);
  });
}

function hostKeyError(target: SshTarget, name: string, verdict: HostKeyVerdict, offered: Buffer, known: KnownHosts): ConnectionError {
  const type = keyTypeOf(offered);
  const got = `${type} key ${fingerprint(offered)}`;
  const file = known.files[0] ?? '~/.ssh/known_hosts';
  const keyscan =
    `ssh-keyscan ${target.port === 22 ? '' : `-p ${target.port} `}-t ${type} ${target.address} >> ${file}` +
    (target.hostKeyAlias ? ` (then replace the host name on that line with ${target.hostKeyAlias})` : '');
  switch (verdict.kind) {
    case 'revoked':
      return new ConnectionError(
        target.name,
        `host key verification failed: ${name} offered the REVOKED ${got} (@revoked at ${verdict.entry.file}:${verdict.entry.line}); refusing to connect`,
        'A revoked key means the host or its key is compromised; ask whoever runs the host.',
      );
    case 'changed': {
      const was = verdict.expected.map((e) => `${e.keyType} ${fingerprint(e.key)} (${e.file}:${e.line})`).join(', ');
      return new ConnectionError(
        target.name,
        `host key verification failed: the host key of ${name} has CHANGED; it offered ${got}, known_hosts has ${was}. ` +
          'Someone may be intercepting the connection (man-in-the-middle), or the host was rebuilt',
        `If the change is expected, verify the new fingerprint out of band, then: ssh-keygen -R '${name}' -f ${verdict.expected[0]!.file} && ${keyscan}`,
      );
    }
    default: {
      const files = known.found.length ? known.found.join(', ') : `none of ${known.files.join(', ') || '(no files)'} exist`;
      return new ConnectionError(
        target.name,
        `host key verification failed: ${name} is unknown (not in known_hosts: ${files}); it offered ${got}`,
        `If this is the right host, compare that fingerprint with the host's own (ssh-keygen -lf /etc/ssh/ssh_host_${type.replace(/^ssh-|-.*$/g, '')}_key.pub on its console), then add it: ${keyscan}`,
      );
    }
  }
}
