/**
 * A scripted fleet for the rollout's orderings: reads are answered from a small model of the hosts and the
 * balancer (current, which release's app runs, nginx's file and running config, haproxy's server states), writes
 * change the model and are recorded in order. Faults are scripted with `before`, with `failAt` (the Nth command on
 * a host fails) and with `answers` (reads answered from a table, ahead of the model).
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { stringify } from 'yaml';
import type { Backend, ExecOptions, ExecResult, SshTarget } from '../../../src/backends/backend.js';
import { parseUpstream } from '../../../src/facts/balancer.js';
import { loadConfig } from '../../../src/config/load.js';
import type { Config } from '../../../src/config/types.js';
import { InterruptedError } from '../../../src/errors.js';
import type { DeployEvent } from '../../../src/output/events.js';
import { render, type Command } from '../../../src/shell/command.js';
import { decodeLockInfo } from '../../../src/facts/lock.js';
import type { LockInfo } from '../../../src/commands/lock.js';
import { CHAIN_MARK } from '../../../src/commands/chain.js';
import type { RunContext } from '../../../src/tasks/context.js';
import { testTargets } from './fixtures.js';

export const OLD = '20260101000000';
export const NEW = '20260102000000';
export const NGINX_COMPLAINT = 'nginx: [emerg] unknown directive "garbage" in /srv/lb/nginx.conf:40';

interface Server {
  admin: 'ready' | 'drain' | 'maint';
  weight: number;
}

export interface World {
  /** Per host: the release `current` points at. */
  readonly current: Map<string, string | null>;
  /** Per host: the release whose app runs, or null. */
  readonly app: Map<string, string | null>;
  /** Releases whose app fails its health check, on every host or on the hosts listed. */
  readonly unhealthy: Map<string, string[] | 'all'>;
  nginx: { file: string; running: string; reloadFails: boolean };
  readonly haproxy: Map<string, Server>;
  /** Every write, in order: `web1: restart the app (20260102000000)`. */
  readonly writes: string[];
  /** Called before each command runs; may throw (a lost connection) or abort the run. */
  before?: (host: string, command: Command) => void;
  /** Commands run so far, per host (the Nth is `failAt`'s N). */
  readonly count: Map<string, number>;
  /** `web2:3` → what the 3rd command on web2 answers instead of running (by default exit 1). */
  readonly failures: Map<string, Partial<ExecResult>>;
  /** Answers by host and description, checked before the model: the first match answers. */
  readonly answers: { host?: string; match: RegExp; answer: Partial<ExecResult> }[];
  /** Per host: the deploy lock, by the host's clock (`clock`, seconds). */
  readonly locks: Map<string, { token: string; info: LockInfo; since: number; expires: number } | null>;
  clock: number;
  /** Every command as it ran: host, description, its env (for what tasks see). */
  readonly commands: { host: string; description: string; env: Readonly<Record<string, unknown>> }[];
}

export interface Scripted {
  readonly ctx: RunContext;
  /** Writes (`web1: restart the app (…)`) and `drain`/`switchback` events (`event: ready web1`), in order. */
  readonly log: string[];
  readonly world: World;
  readonly events: DeployEvent[];
  readonly abort: AbortController;
  /** Pool hosts the balancer really sends requests to now. */
  serving(): string[];
  /** Events of these types as short lines, in order. */
  trace(types?: readonly string[]): string[];
}

const WEBS = ['web1', 'web2', 'web3'];
const ADDRESS: Record<string, string> = { web1: '10.0.0.1', web2: '10.0.0.2', web3: '10.0.0.3', media1: '10.0.0.20', lb1: '10.0.0.30' };

export function scripted(
  o: {
    kind?: 'nginx' | 'haproxy';
    webs?: number;
    stop?: boolean;
    first?: boolean;
    health?: boolean;
    batch?: number | string;
    pause?: number;
    extra?: Record<string, unknown>;
    /** A media host (role media, rolled out before the web tier) besides the web hosts. */
    media?: boolean;
  } = {},
): Scripted {
  const kind = o.kind ?? 'nginx';
  const webs = WEBS.slice(0, o.webs ?? 2);
  const code = o.media ? ['media1', ...webs] : webs;
  const dir = mkdtempSync(join(tmpdir(), 'scripted-'));
  const file = join(dir, 'deploy.yml');
  const balancer =
    kind === 'nginx'
      ? { kind, upstream_file: '/srv/lb/upstream.conf', upstream_name: 'app', reload: 'nginx -t -q && nginx -s reload', drain_timeout: 0 }
      : { kind, admin_socket: '/srv/lb/haproxy.sock', backend: 'app', drain_timeout: 0 };
  writeFileSync(
    file,
    stringify({
      app: 'shop',
      deploy_to: '/srv/shop',
      repository: '/nonexistent/shop.git',
      restart: { command: 'bin/restart', ...(o.stop ? { stop: 'bin/stop' } : {}) },
      ...(o.health === false ? {} : { health: { path: '/health', port: 3000, retries: 1, interval: 0.01, timeout: 1 } }),
      roles: { web: { batch: o.batch ?? 1, ...(o.pause ? { pause: o.pause } : {}) }, balancer: { balancer } },
      ...o.extra,
      stages: {
        staging: {
          hosts: [...code, 'lb1'].map((name) => ({
            name,
            address: ADDRESS[name],
            roles: [name.replace(/\d+$/, '').replace(/^lb$/, 'balancer')],
          })),
        },
      },
    }),
  );
  const config: Config = loadConfig({ file, stage: 'staging', cwd: dir, env: {} });
  const upstream = (down: readonly string[] = []) =>
    `upstream app {\n${webs.map((w) => `  server ${ADDRESS[w]}:3000 ${down.includes(w) ? 'down' : 'max_fails=1 fail_timeout=5s'}; # ${w}`).join('\n')}\n}\n`;
  const world: World = {
    current: new Map(code.map((w) => [w, o.first ? null : OLD])),
    app: new Map(webs.map((w) => [w, o.first ? null : OLD])),
    unhealthy: new Map(),
    nginx: { file: upstream(), running: upstream(), reloadFails: false },
    haproxy: new Map(webs.map((w) => [w, { admin: 'ready', weight: 1 }])),
    writes: [],
    count: new Map(),
    locks: new Map(),
    clock: 1_767_225_600,
    failures: new Map(),
    answers: [],
    commands: [],
  };
  const events: DeployEvent[] = [];
  const abort = new AbortController();
  const log: string[] = [];
  const backend = scriptedBackend(world, log);
  const ctx: RunContext = {
    config,
    backend,
    targets: testTargets(config),
    emit: (e) => {
      events.push(e);
      if (e.type === 'drain') log.push(`event: ${e.action} ${e.host}`);
      if (e.type === 'switchback') log.push(`event: switchback ${e.hosts.join(',')} → ${e.to}`);
    },
    mode: 'real',
    signal: abort.signal,
    hosts: config.hosts,
    local: { run: () => Promise.reject(new Error('no local commands here')) },
    projectDir: dir,
  };
  const healthy = (host: string) => {
    const release = world.app.get(host);
    if (!release) return false;
    const bad = world.unhealthy.get(release);
    return !(bad === 'all' || bad?.includes(host));
  };
  return {
    ctx,
    log,
    world,
    events,
    abort,
    serving: () => {
      if (kind === 'nginx')
        return parseUpstream(world.nginx.running)
          .servers.filter((s) => !s.down)
          .map((s) => s.name!);
      return webs.filter((w) => world.haproxy.get(w)!.admin === 'ready' && world.haproxy.get(w)!.weight > 0 && healthy(w));
    },
    trace: (types = ['drain', 'switchback']) =>
      events.flatMap((e) => {
        if (!types.includes(e.type)) return [];
        if (e.type === 'drain') return [`${e.action} ${e.host}`];
        if (e.type === 'switchback') return [`switchback ${e.hosts.join(',')} → ${e.to}`];
        if (e.type === 'warning' || e.type === 'info') return [`${e.type}${e.host ? ` ${e.host}` : ''}: ${e.message}`];
        if (e.type === 'health') return [`health ${e.host} ${e.ok ? 'ok' : 'failed'}`];
        return [e.type];
      }),
  };

  function scriptedBackend(w: World, log: string[]): Backend {
    const answer = (code: number, stdout = '', stderr = ''): ExecResult => ({ code, stdout, stderr, durationMs: 1 });
    const run = (host: string, c: Command): ExecResult => {
      const what = c.description ?? '';
      const arg = typeof c.tokens[2] === 'string' ? c.tokens[2] : '';
      const release = c.cwd ? basename(c.cwd) : '';
      const isLock = /^(lock |take over the lock|renew the deploy lock|read the deploy lock|unlock |.*, then unlock )/.test(what);
      if (isLock) return lockCommand(host, c, what);
      if (c.effect === 'write') {
        const line = `${host}: ${what}${release && what.endsWith('app') ? ` (${release})` : ''}`;
        w.writes.push(line);
        log.push(line);
      }
      if (what.startsWith('read the upstream file')) return answer(0, w.nginx.file);
      if (what.startsWith('write the upstream file')) {
        const changed = arg !== w.nginx.file;
        w.nginx.file = arg;
        return answer(0, changed ? 'changed\n' : 'unchanged\n');
      }
      if (what.startsWith('remove the upstream file')) return ((w.nginx.file = ''), answer(0));
      if (what === 'check and reload nginx') {
        if (w.nginx.reloadFails) return answer(1, '', `${NGINX_COMPLAINT}\nnginx: configuration file /srv/lb/nginx.conf test failed\n`);
        w.nginx.running = w.nginx.file;
        return answer(0);
      }
      if (what.startsWith('look for socat')) return answer(0, '/usr/bin/socat\n');
      if (what.startsWith('show the server states')) {
        const header = '# be_id be_name srv_id srv_name srv_addr srv_op_state srv_admin_state srv_uweight srv_iweight';
        const bits = { ready: 0, drain: 8, maint: 1 };
        const rows = webs.map((s, i) => {
          const v = w.haproxy.get(s)!;
          const op = v.admin !== 'maint' && healthy(s) ? 2 : 0;
          return `3 app ${i + 1} ${s} ${ADDRESS[s]} ${op} ${bits[v.admin]} ${v.weight} 1`;
        });
        return answer(0, `1\n${header}\n${rows.join('\n')}\n\n`);
      }
      if (what.startsWith('show haproxy statistics')) {
        return answer(0, `# pxname,svname,scur,status,\n${webs.map((s) => `app,${s},0,UP,`).join('\n')}\n`);
      }
      if (what.includes('haproxy')) {
        for (const line of arg.split('; ')) {
          const state = /^set server app\/(\S+) state (\w+)$/.exec(line);
          const weight = /^set weight app\/(\S+) (\S+)$/.exec(line);
          if (state) w.haproxy.get(state[1]!)!.admin = state[2] as Server['admin'];
          else if (weight) w.haproxy.get(weight[1]!)!.weight = weight[2] === '0' ? 0 : 1;
        }
        return answer(0, '\n');
      }
      if (what.startsWith('switch current to ')) return (w.current.set(host, what.slice('switch current to '.length)), answer(0));
      if (what.startsWith('remove current')) return (w.current.set(host, null), answer(0));
      if (what === 'restart the app') return (w.app.set(host, release), answer(0));
      if (what === 'stop the app') return (w.app.set(host, null), answer(0));
      if (what.startsWith('probe http://'))
        return healthy(host) ? answer(0, '{"ok":true}\n200') : answer(7, '\n000', 'curl: (7) Failed to connect');
      return answer(0);
    };
    /** The lock commands of commands/lock.ts, on the model: `lock → held` and the like go to the log. */
    function lockCommand(host: string, c: Command, what: string): ExecResult {
      const text = render(c, 'reveal');
      const held = w.locks.get(host) ?? null;
      const status = () =>
        held
          ? `locked\nnow ${w.clock}\nmtime ${held.since}\ntoken ${held.token}\nsince ${held.since}\nexpires ${held.expires}\nowner ${ownerOf(held.info)}\n`
          : '';
      const said = (outcome: string, r: ExecResult) => (c.effect === 'write' && log.push(`${host}: ${what} → ${outcome}`), r);
      const ttl = Number(/\+ (\d+)\)\)/.exec(text)?.[1] ?? '60');
      const take = () => {
        const info = infoIn(c);
        w.locks.set(host, { token: info.token, info, since: w.clock, expires: w.clock + ttl });
        return said('acquired', answer(0, 'acquired\n'));
      };
      if (what.startsWith('read the deploy lock')) return answer(0, status());
      if (what.startsWith('lock ')) return held ? said('held', answer(1, status())) : take();
      if (what.startsWith('take over')) {
        const seen = /of run ([0-9a-f]{8})/.exec(what)?.[1] ?? '';
        const same = held?.token.startsWith(seen);
        const expired = !text.includes(' -le ') || (held !== null && held.expires <= w.clock);
        return same && expired ? take() : said('held', answer(1, status()));
      }
      const token = /[0-9a-f]{32}/.exec(text.replace(/stale-[0-9a-f]+/g, ''))?.[0] ?? '';
      if (what.startsWith('renew')) {
        if (held?.token !== token) return said('lost', answer(3, `lost ${held?.token ?? ''}\n`));
        held.expires = w.clock + ttl;
        return said('renewed', answer(0));
      }
      if (held?.token === token) return (w.locks.set(host, null), said('released', answer(0, 'released\n')));
      return said(held ? 'other' : 'gone', answer(0, held ? `other ${ownerOf(held.info)}\n` : 'gone\n'));
    }

    return {
      exec(target: SshTarget, command: Command, options: ExecOptions = {}): Promise<ExecResult> {
        return command.chain ? runChain(command, options, (c) => one(target, c, options)) : one(target, command, options);
      },
      upload: () => Promise.resolve(),
      close: () => Promise.resolve(),
    };

    async function one(target: SshTarget, command: Command, options: ExecOptions): Promise<ExecResult> {
      if (options.signal?.aborted) throw options.signal.reason instanceof Error ? options.signal.reason : new InterruptedError();
      const n = (w.count.get(target.name) ?? 0) + 1;
      w.count.set(target.name, n);
      w.commands.push({ host: target.name, description: command.description ?? '', env: { ...command.env } });
      w.before?.(target.name, command);
      await new Promise((r) => setImmediate(r));
      if (options.signal?.aborted) throw options.signal.reason instanceof Error ? options.signal.reason : new InterruptedError();
      const failed = w.failures.get(`${target.name}:${n}`);
      const table = w.answers.find((a) => (a.host === undefined || a.host === target.name) && a.match.test(command.description ?? ''));
      const scriptedAnswer = failed ? { code: 1, ...failed } : table?.answer;
      if (scriptedAnswer) {
        if (command.effect === 'write') log.push(`${target.name}: ${command.description ?? ''} (exit ${scriptedAnswer.code ?? 0})`);
        return { code: 0, stdout: '', stderr: '', durationMs: 1, ...scriptedAnswer };
      }
      return run(target.name, command);
    }
  }
}

/**
 * A chain (commands/chain.ts) as its script runs it: each command through `one`, its status marked after its
 * output on both streams (its lines go to onLine as soon as it ended: stdout's, then stderr's), a failure ending
 * the chain, or its part when the part goes on.
 */
export async function runChain(command: Command, options: ExecOptions, one: (c: Command) => Promise<ExecResult>): Promise<ExecResult> {
  const text = { stdout: '', stderr: '' };
  let code = 0;
  for (const part of command.chain ?? []) {
    let status = 0;
    for (const c of part.commands) {
      const r = await one(c);
      for (const stream of ['stdout', 'stderr'] as const) {
        const marked = `${r[stream]}${CHAIN_MARK} ${r.code}\n`;
        for (const line of marked.split('\n').slice(0, -1)) options.onLine?.(stream, line);
        text[stream] += marked;
      }
      status = r.code;
      if (status !== 0) break;
    }
    if (status !== 0 && !part.goOn) {
      code = status;
      break;
    }
  }
  return { code, ...text, durationMs: 1 };
}

const ownerOf = (info: LockInfo) => Buffer.from(JSON.stringify(info), 'utf8').toString('base64');

/** The lock info a lock command writes: its base64 owner token. */
function infoIn(c: Command): LockInfo {
  for (const t of c.tokens) {
    if (typeof t !== 'string' || !/^[A-Za-z0-9+/]{20,}={0,2}$/.test(t)) continue;
    const info = decodeLockInfo(t);
    if (!('error' in info)) return info;
  }
  throw new Error(`no lock info in ${c.description}`);
}
