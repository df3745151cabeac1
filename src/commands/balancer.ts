import { cmd, raw, read, script, write, type Command, type Effect } from '../shell/command.js';
import { quote } from '../shell/quote.js';
import { ifThen, test } from './sh.js';

// ── nginx: the `upstream` include file is owned by this tool and rewritten whole ────────────────────────────────

export interface UpstreamServer {
  readonly address: string;
  readonly port: number;
  /** Out of rotation: nginx sends it nothing, not even retries. */
  readonly down: boolean;
  /** The host's inventory name, written as a comment after its line for people and for facts/balancer.ts. */
  readonly name?: string;
  /** `weight=` (a traffic canary's share); absent: nginx's default of 1. */
  readonly weight?: number;
}

export interface UpstreamOptions {
  /** `max_fails`: failed attempts within `failTimeout` that take a server out for `failTimeout` (default 1). */
  readonly maxFails?: number;
  /** `fail_timeout` in seconds (default 5). */
  readonly failTimeout?: number;
  /** `keepalive`: idle connections to the pool each worker keeps (default 16; 0 leaves keepalive out). */
  readonly keepalive?: number;
  /**
   * Upstream `keepalive_timeout` in seconds (default 1). It must stay below the app's own idle timeout (Node 5 s,
   * gunicorn 2 s): nginx would otherwise reuse a connection the app is closing, and a POST on it fails with 502.
   */
  readonly keepaliveTimeout?: number;
}

export const UPSTREAM_HEADER = '# Written by deploy: every drain, ready and pool sync rewrites this file whole; edits by hand are lost.';

const NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;
const HOST = /^(?:[A-Za-z0-9_.:-]+|\[[0-9A-Fa-f:.]+\])$/;

function count(what: string, n: number, min: number): string {
  if (!Number.isInteger(n) || n < min) throw new RangeError(`${what} must be a whole number >= ${min}, got ${n}`);
  return String(n);
}

/** `host:port`, IPv6 addresses in brackets. */
export function serverAddress(address: string, port: number): string {
  if (!HOST.test(address)) throw new RangeError(`cannot write address ${JSON.stringify(address)} into an nginx upstream`);
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new RangeError(`port out of range: ${port}`);
  const host = address.includes(':') && !address.startsWith('[') ? `[${address}]` : address;
  return `${host}:${port}`;
}

/** The whole include file: one `upstream` block listing every server, the drained ones marked `down`. */
export function renderUpstream(name: string, servers: readonly UpstreamServer[], options: UpstreamOptions = {}): string {
  if (!NAME.test(name)) throw new RangeError(`not an nginx upstream name: ${JSON.stringify(name)}`);
  if (servers.length === 0) throw new RangeError(`upstream ${name} needs at least one server (nginx refuses an empty one)`);
  const maxFails = count('max_fails', options.maxFails ?? 1, 0);
  const failTimeout = count('fail_timeout', options.failTimeout ?? 5, 0);
  const keepalive = Number(count('keepalive', options.keepalive ?? 16, 0));
  const keepaliveTimeout = count('upstream keepalive_timeout', options.keepaliveTimeout ?? 1, 1);
  const lines = servers.map((s) => {
    if (s.name !== undefined && !NAME.test(s.name)) throw new RangeError(`not a host name: ${JSON.stringify(s.name)}`);
    const weight = s.weight === undefined ? '' : `weight=${count('weight', s.weight, 1)} `;
    const params = s.down ? 'down' : `${weight}max_fails=${maxFails} fail_timeout=${failTimeout}s`;
    return `  server ${serverAddress(s.address, s.port)} ${params};${s.name !== undefined ? ` # ${s.name}` : ''}`;
  });
  if (keepalive > 0) lines.push(`  keepalive ${keepalive};`, `  keepalive_timeout ${keepaliveTimeout}s;`);
  return `${UPSTREAM_HEADER}\nupstream ${name} {\n${lines.join('\n')}\n}\n`;
}

/** The include file's text; nothing when it does not exist yet. */
export const readUpstream = (file: string): Command =>
  read(ifThen(test('-f', file), ['cat', file]), { description: `read the upstream file ${file}` });

/**
 * Replaces `file` with `text` atomically (a temporary file renamed over it) and only when the text differs, so
 * an unchanged pool needs no reload. Prints `changed` or `unchanged`.
 */
export function writeUpstream(file: string, text: string): Command {
  const tmp = `${file}.tmp`;
  return write(
    [
      'printf',
      '%s',
      text,
      raw('>'),
      tmp,
      raw('&&'),
      ...ifThen(
        ['cmp', '-s', tmp, file],
        ['rm', '-f', tmp, raw('&&'), 'echo', 'unchanged'],
        ['mv', '-f', tmp, file, raw('&&'), 'echo', 'changed'],
      ),
    ],
    { description: `write the upstream file ${file}` },
  );
}

/** Removes the include file: what a failed first write is undone with, when there was no file before. */
export const removeUpstream = (file: string): Command => write(['rm', '-f', file], { description: `remove the upstream file ${file}` });

// `nginx -s reload` returns as soon as the master has the signal; its old workers go on accepting connections with
// the old configuration until the master has started new ones and told the old ones to quit. So a reload returns
// once no worker that was active before it is active beside a new worker of the same master (5 s at most).
const ACTIVE_WORKER = '$3 == "nginx:" && $4 == "worker" && $5 == "process" && NF == 5';
/** What the reload prints when nginx still runs a worker from before it once the wait is over. */
export const RELOAD_PENDING = 'deploy:reload-pending';
const BEFORE_RELOAD = `_deploy_old=$(ps -eo pid=,ppid=,args= 2>/dev/null | awk '${ACTIVE_WORKER} { printf " %s", $1 }')`;
const AFTER_RELOAD = [
  '{ _deploy_i=0; while [ -n "$_deploy_old" ] && [ $_deploy_i -lt 100 ]; do',
  `ps -eo pid=,ppid=,args= | awk -v old="$_deploy_old " '${ACTIVE_WORKER} { if (index(old, " " $1 " ")) o[$2] = 1; else n[$2] = 1 }`,
  `END { for (m in n) if (m in o) exit 1; for (m in n) exit 0; exit 1 }' && break;`,
  'sleep 0.05 || break; _deploy_i=$((_deploy_i + 1)); done;',
  `[ $_deploy_i -lt 100 ] || printf '%s\\n' ${quote(RELOAD_PENDING)}; }`,
].join(' ');

/**
 * The configured snippet that checks the configuration and reloads nginx; it returns once nginx runs the new one, or
 * after 5 s printing RELOAD_PENDING.
 */
export const reloadNginx = (snippet: string): Command =>
  cmd([raw(BEFORE_RELOAD), raw('&&'), ...script(snippet).tokens, raw('&&'), raw(AFTER_RELOAD)], {
    description: 'check and reload nginx',
  });

// ── haproxy: server states change at runtime through the admin socket, without any reload ──────────────────────

export type ServerState = 'ready' | 'drain' | 'maint';

const HAPROXY_NAME = /^[A-Za-z0-9_.:-]+$/;

function haproxyName(what: string, name: string): string {
  if (!HAPROXY_NAME.test(name)) throw new RangeError(`not a haproxy ${what} name: ${JSON.stringify(name)}`);
  return name;
}

/** One runtime API command sent to the admin socket; haproxy answers on stdout (socat exits 0 either way). */
export function haproxyCommand(socket: string, text: string, options: { effect?: Effect; description?: string } = {}): Command {
  // A newline or `;` would make haproxy run a second command; `,` `:` `!` separate socat's address parts.
  if (/[\n\r;]/.test(text)) throw new RangeError(`one haproxy command at a time: ${JSON.stringify(text)}`);
  if (/[,:!]/.test(socket)) throw new RangeError(`socat cannot address the socket ${JSON.stringify(socket)}`);
  return cmd(['printf', '%s\\n', text, raw('|'), 'socat', 'stdio', `unix-connect:${socket}`], {
    effect: options.effect ?? 'write',
    description: options.description ?? `haproxy: ${text}`,
  });
}

export const setServerState = (socket: string, backend: string, server: string, state: ServerState): Command =>
  haproxyCommand(socket, `set server ${haproxyName('backend', backend)}/${haproxyName('server', server)} state ${state}`, {
    description: `set ${backend}/${server} to ${state} in haproxy`,
  });

/**
 * `100%` is the configured weight; `0` keeps a server up but sends it nothing new; a number from 1 to 256 is a
 * weight of its own (a traffic canary's share).
 */
export const setServerWeight = (socket: string, backend: string, server: string, weight: '0' | '100%' | number): Command =>
  haproxyCommand(
    socket,
    `set weight ${haproxyName('backend', backend)}/${haproxyName('server', server)} ${typeof weight === 'number' ? count('weight', weight, 0) : weight}`,
    {
      description: `set the weight of ${backend}/${server} to ${weight} in haproxy`,
    },
  );

/**
 * Several `set` commands in one line, which haproxy applies one after another with nothing in between: the
 * cut-over of a rollout (new servers get their weight, old ones start draining) happens at one instant.
 */
export function cutOver(socket: string, backend: string, ready: readonly string[], drain: readonly string[]): Command {
  const b = haproxyName('backend', backend);
  const lines = [
    ...ready.map((s) => `set weight ${b}/${haproxyName('server', s)} 100%`),
    ...drain.map((s) => `set server ${b}/${haproxyName('server', s)} state drain`),
  ];
  return cmd(['printf', '%s\\n', lines.join('; '), raw('|'), 'socat', 'stdio', `unix-connect:${socket}`], {
    description: `haproxy: ${ready.join(', ')} in, ${drain.join(', ')} out, at once`,
  });
}

export const showServersState = (socket: string, backend: string): Command =>
  haproxyCommand(socket, `show servers state ${haproxyName('backend', backend)}`, {
    effect: 'read',
    description: `show the server states of backend ${backend}`,
  });

/** Statistics CSV of every proxy and server; `scur` is a server's current sessions. */
export const showStat = (socket: string): Command =>
  haproxyCommand(socket, 'show stat', { effect: 'read', description: 'show haproxy statistics' });

/** Prints socat's path, or nothing when it is not installed. */
export const findSocat = (): Command =>
  read(['command', '-v', 'socat', raw('||'), 'true'], { description: 'look for socat (talks to the haproxy admin socket)' });
