/**
 * How commands reach the hosts, on the real fleet: a failing snippet fails its step whatever surrounds it; no secret
 * is ever on a host's process list; an env of 1 MB deploys; a command whose connection is lost is killed (by its
 * watchdog, or by the fence of the next connection) and never does anything after the run has moved on; an upload
 * notices a lost connection, a stall and Ctrl-C, and leaves no partial file.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SshTarget } from '../../src/backends/backend.js';
import { SshBackend } from '../../src/backends/ssh.js';
import { ConnectionError, InterruptedError } from '../../src/errors.js';
import { cmd, raw, read, script } from '../../src/shell/command.js';
import { fleet } from '../fleet/context.js';
import { dropConnections, hostExec, sshRun, sshTarget, type Fleet } from '../fleet/fleet.js';
import { until } from '../support/until.js';
import { appRepo, cli, project, repoRoot, scratch, type AppRepo } from './support/project.js';

const cliPath = join(repoRoot, 'dist', 'cli', 'bin.js');
const codeHosts = (f: Fleet) => f.hosts.filter((h) => !h.roles.includes('balancer')).map((h) => h.name);
const webHosts = (f: Fleet) => f.hosts.filter((h) => h.roles.includes('web')).map((h) => h.name);

async function on(f: Fleet, host: string, command: string): Promise<string> {
  const r = await sshRun(f, host, command);
  if (r.code !== 0) throw new Error(`${host}: ${command}: exit ${r.code}: ${r.stderr}`);
  return r.stdout.trim();
}

async function currentOn(f: Fleet, deployTo: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const h of codeHosts(f)) out[h] = (await sshRun(f, h, `readlink '${deployTo}/current' | xargs -r basename`)).stdout.trim();
  return out;
}

interface Running {
  readonly pid: number;
  readonly events: Array<Record<string, unknown>>;
  /** The first event (already seen or coming) for which `match` holds. */
  event(match: (e: Record<string, unknown>) => boolean, ms?: number): Promise<Record<string, unknown>>;
  readonly done: Promise<{ code: number; stdout: string; stderr: string; endedAt: number }>;
}

/** The built CLI with --json, its events read as they come. */
function start(args: readonly string[], env: Record<string, string> = {}): Running {
  const child = spawn('node', [cliPath, ...args, '--json'], {
    env: { ...process.env, CI: 'true', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const events: Array<Record<string, unknown>> = [];
  let stdout = '';
  let stderr = '';
  createInterface({ input: child.stdout }).on('line', (line) => {
    stdout += `${line}\n`;
    try {
      events.push(JSON.parse(line) as Record<string, unknown>);
    } catch {
      // not an event
    }
  });
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const done = new Promise<{ code: number; stdout: string; stderr: string; endedAt: number }>((resolve) =>
    child.once('close', (code) => resolve({ code: code ?? -1, stdout, stderr, endedAt: Date.now() })),
  );
  return {
    pid: child.pid!,
    events,
    event: (match, ms = 120_000) => until(() => events.find(match), { timeout: ms, what: 'an event' }),
    done,
  };
}

const isCommand = (step: string, host: string) => (e: Record<string, unknown>) =>
  e.type === 'command' && e.step === step && e.host === host;

/** Every process's full command line on a host, read as the unprivileged `nobody` (ps and /proc/<pid>/cmdline). */
async function processLists(f: Fleet, host: string): Promise<string> {
  const ps = await hostExec(f, host, ['ps', '-eo', 'args'], { user: 'nobody' }).catch((e: Error) => ({ stdout: `(${e.message})` }));
  const proc = await hostExec(
    f,
    host,
    ['sh', '-c', 'for p in /proc/[0-9]*; do tr "\\0" " " < $p/cmdline 2>/dev/null; echo; cat $p/environ 2>/dev/null | tr "\\0" " "; done'],
    { user: 'nobody' },
  ).catch((e: Error) => ({ stdout: `(${e.message})` }));
  return `${ps.stdout}\n${proc.stdout}`;
}

describe('a failing snippet fails its step, wherever it is composed', () => {
  let f: Fleet;
  let repo: AppRepo;
  let p: ReturnType<typeof project>;
  let live: Record<string, string>;
  const flag = (name: string) => `/tmp/exec-reached-${name.replace(/\W/g, '')}-${process.pid}`;
  const failing = (name: string) => `set -eu\nfalse\necho reached > ${flag(name)}\necho 'install ok'`;

  beforeAll(async () => {
    f = fleet();
    repo = appRepo();
    repo.commit('v1');
    p = project(f, { source: { repository: repo.url } });
    const r = await cli(['staging', '-c', p.file]);
    expect(r.code, r.stderr).toBe(0);
    live = await currentOn(f, p.deployTo);
  });
  afterAll(async () => {
    for (const h of webHosts(f)) await sshRun(f, h, `'${p.deployTo}/current/bin/stop' || true`);
  });

  // A failing `before: switch` hook ends the deploy through the rollout's switch-back (exit 6, "no host had
  // switched"); whether that should be 5 is the rollout's to decide (tasks/switch.ts).
  const cases: Array<[string, string, Record<string, unknown>, number[]]> = [
    ['the install command', 'install', { install: { command: failing('install'), lockfile: 'package-lock.json', reuse: [] } }, [5]],
    ['a before:switch task', 'gate', { tasks: { gate: { run: failing('gate') } }, hooks: { before: { switch: ['gate'] } } }, [5, 6]],
    ['the migration', 'migrate', { migrate: { command: failing('migrate'), role: 'db' } }, [5]],
  ];
  it.each(cases)(
    '%s: the deploy fails before any switch, current untouched everywhere, nothing after the failing line ran',
    async (_name, which, extra, codes) => {
      const reached = flag(which);
      repo.commit(`v-${randomBytes(3).toString('hex')}`);
      const broken = project(f, { source: { repository: repo.url }, deployTo: p.deployTo, extra });
      const r = await cli(['staging', '-c', broken.file]);
      expect(codes, r.stdout + r.stderr).toContain(r.code);
      if (r.code === 6) expect(r.stderr).toContain('no host had switched');
      expect(`${r.stdout}\n${r.stderr}`).not.toMatch(/install ok/);
      expect(await currentOn(f, p.deployTo)).toEqual(live);
      for (const h of codeHosts(f))
        expect((await sshRun(f, h, `test -e ${reached} && echo reached || echo clean`)).stdout.trim()).toBe('clean');
    },
  );
});

describe('secrets and a large env', () => {
  let f: Fleet;
  let repo: AppRepo;
  let p: ReturnType<typeof project>;
  const secret = `pw-${randomBytes(12).toString('hex')}`;

  beforeAll(() => {
    f = fleet();
    repo = appRepo();
    repo.commit('v1');
  });
  afterAll(async () => {
    for (const h of webHosts(f)) await sshRun(f, h, `'${p.deployTo}/current/bin/stop' || true`);
  });

  it('no secret is ever on a host process list, read as another user, while a deploy with secrets runs', async () => {
    p = project(f, {
      source: { repository: repo.url },
      extra: {
        env: { DB_PASSWORD: { secret: '${EXEC_DB_PASSWORD}' } },
        tasks: {
          // The secret is interpolated into the snippet's text when deploy.yml is read.
          'warm-up': { run: 'sleep 1.234; test "${EXEC_DB_PASSWORD}" = "$DB_PASSWORD"' },
        },
        hooks: { after: { install: ['warm-up'], restart: ['warm-up'] } },
      },
    });
    const deploy = start(['staging', '-c', p.file], { EXEC_DB_PASSWORD: secret });
    let samples = 0;
    let sawTask = false;
    const leaks: string[] = [];
    let finished = false;
    void deploy.done.then(() => (finished = true));
    while (!finished) {
      for (const h of codeHosts(f)) {
        const text = await processLists(f, h);
        samples++;
        if (text.includes('sleep 1.234')) sawTask = true;
        for (const line of text.split('\n')) if (line.includes(secret)) leaks.push(`${h}: ${line.slice(0, 300)}`);
      }
    }
    const r = await deploy.done;
    expect(r.code, r.stderr).toBe(0);
    // The sampling saw the task's own command running, so it would have seen the secrets next to it.
    expect(sawTask).toBe(true);
    expect(samples).toBeGreaterThan(20);
    expect(leaks).toEqual([]);
  });

  it('an env of 1 MB (16 variables of 64 KiB) deploys, and the app sees every value', async () => {
    repo.commit('v2');
    const big = Object.fromEntries(Array.from({ length: 16 }, (_, i) => [`BIG_${i}`, String.fromCharCode(97 + i).repeat(64 * 1024)]));
    const large = project(f, { source: { repository: repo.url }, deployTo: p.deployTo, extra: { env: big } });
    const r = await cli(['staging', '-c', large.file]);
    expect(r.code, r.stderr.slice(0, 2000)).toBe(0);
    for (const h of webHosts(f)) {
      const pid = await on(f, h, `cat '${p.deployTo}/shared/tmp/pids/app.pid'`);
      const seen = await hostExec(f, h, ['sh', '-c', `tr '\\0' '\\n' < /proc/${pid}/environ | grep '^BIG_' | sort`]);
      expect(seen.stdout.split('\n')).toEqual(
        Object.entries(big)
          .map(([k, v]) => `${k}=${v}`)
          .sort(),
      );
    }
  });
});

describe('a lost connection', () => {
  let f: Fleet;
  let repo: AppRepo;
  let p: ReturnType<typeof project>;
  const marker = `/tmp/exec-orphan-${process.pid}`;

  beforeAll(async () => {
    f = fleet();
    repo = appRepo();
    repo.commit('v1');
    p = project(f, { source: { repository: repo.url } });
    const r = await cli(['staging', '-c', p.file]);
    expect(r.code, r.stderr).toBe(0);
  });
  afterAll(async () => {
    for (const h of webHosts(f)) {
      await hostExec(f, h, ['pkill', '-KILL', '-f', '^sleep (321|312)$']);
      await sshRun(f, h, `'${p.deployTo}/current/bin/stop' || true; rm -f ${marker}`);
    }
  });

  it('during a long command: a ConnectionError naming host and step at once, and the orphaned command is killed', async () => {
    repo.commit('v2');
    const slow = project(f, {
      source: { repository: repo.url },
      deployTo: p.deployTo,
      // Slow on web1 only: web2's task ends at once, so the run ends when web1's connection is lost, not 321 s later.
      extra: {
        tasks: { slow: { run: `[ "$(hostname)" != web1 ] || { sleep 321; touch ${marker}; }`, roles: ['web'] } },
        hooks: { after: { install: ['slow'] } },
      },
    });
    const before = await currentOn(f, p.deployTo);
    const deploy = start(['staging', '-c', slow.file]);
    await deploy.event(isCommand('task:slow', 'web1'));
    await until(async () => (await hostExec(f, 'web1', ['pgrep', '-f', '^sleep 321$'])).code === 0, {
      timeout: 30_000,
      what: 'the task running on web1',
    });
    const dropped = Date.now();
    await dropConnections(f, 'web1');
    const r = await deploy.done;
    expect(r.endedAt - dropped).toBeLessThan(10_000);
    expect(r.code).toBe(4);
    expect(r.stderr).toMatch(/web1: task:slow: connection lost while running task slow/);
    expect(await currentOn(f, p.deployTo)).toEqual(before);
    // The task would run for minutes: it is gone only if something killed it.
    await until(async () => (await hostExec(f, 'web1', ['pgrep', '-f', '^sleep 321$'])).code !== 0, {
      timeout: 15_000,
      what: 'the orphaned task killed on web1',
    });
    expect((await hostExec(f, 'web1', ['sh', '-c', `test -e ${marker} && echo written || echo absent`])).stdout.trim()).toBe('absent');
  });

  it('while a host restarts: the switch-back brings it back to the previous release, and it stays there', async () => {
    const previous = await currentOn(f, p.deployTo);
    // Only v3's restart is slow (it has the file); the switch-back's restart of the previous release is quick.
    repo.commit('v3', { files: { SLOW_RESTART: '312\n' } });
    const slow = project(f, {
      source: { repository: repo.url },
      deployTo: p.deployTo,
      extra: { restart: { command: '[ ! -f SLOW_RESTART ] || sleep "$(cat SLOW_RESTART)"; bin/restart' } },
    });
    const deploy = start(['staging', '-c', slow.file]);
    await deploy.event(isCommand('restart', 'web1'));
    await until(async () => (await hostExec(f, 'web1', ['pgrep', '-f', '^sleep 312$'])).code === 0, {
      timeout: 30_000,
      what: 'the restart running on web1',
    });
    await dropConnections(f, 'web1');
    const r = await deploy.done;
    expect(r.code, r.stderr).toBe(6);
    expect(r.stderr).toMatch(/web1: restart: connection lost while running restart the app/);
    expect(await currentOn(f, p.deployTo)).toEqual(previous);
    // An orphaned restart would stop this app and start v3's once its sleep ends: it must be gone, not waiting.
    await until(async () => (await hostExec(f, 'web1', ['pgrep', '-f', '^sleep 312$'])).code !== 0, {
      timeout: 15_000,
      what: 'the orphaned restart killed on web1',
    });
    const web1 = f.hosts.find((h) => h.name === 'web1')!;
    const release = async () => ((await (await fetch(`http://${web1.address}:3000/health`)).json()) as { release: string }).release;
    expect(await release()).toBe(previous.web1);
  });
});

describe('uploads', () => {
  let f: Fleet;
  let p: ReturnType<typeof project>;
  let artifact: string;

  beforeAll(async () => {
    f = fleet();
    artifact = scratch('artifact');
    mkdirSync(join(artifact, 'bin'), { recursive: true });
    writeFileSync(join(artifact, 'VERSION'), 'big\n');
    writeFileSync(join(artifact, 'blob.bin'), randomBytes(50 * 1024 * 1024));
    p = project(f, {
      source: { artifact: { path: artifact } },
      hosts: ['web1', 'web2'],
      extra: { migrate: null },
    });
  });
  afterAll(() => rmSync(artifact, { recursive: true, force: true }));

  const leftovers = async (host: string) =>
    (await sshRun(f, host, `ls -A '${p.deployTo}/uploads' 2>/dev/null; ls '${p.deployTo}/releases' 2>/dev/null`)).stdout.trim();

  it('a connection dropped mid-upload fails the deploy at once with exit 4 naming host and step; lock released, no partial file left', async () => {
    const deploy = start(['staging', '-c', p.file]);
    await deploy.event(
      (e) => e.type === 'upload' && e.host === 'web1' && Number(e.transferred) > 0 && Number(e.transferred) < Number(e.total),
    );
    const dropped = Date.now();
    await dropConnections(f, 'web1');
    const r = await deploy.done;
    expect(r.endedAt - dropped).toBeLessThan(15_000);
    expect(r.code, r.stderr).toBe(4);
    expect(r.stderr).toMatch(/web1: transfer: connection lost while uploading to \S+\/uploads\/\d{14}\.tar\.gz/);
    expect((await cli(['lock', 'staging', 'status', '-c', p.file])).stdout).toContain('unlocked');
    for (const h of ['web1', 'web2']) expect(await leftovers(h)).toBe('');
  });

  it('SIGINT mid-upload exits 130 within 2 s; lock released, no partial file left', async () => {
    const deploy = start(['staging', '-c', p.file]);
    await deploy.event((e) => e.type === 'upload' && Number(e.transferred) > 0 && Number(e.transferred) < Number(e.total));
    const sent = Date.now();
    process.kill(deploy.pid, 'SIGINT');
    const r = await deploy.done;
    expect(r.endedAt - sent).toBeLessThan(2000);
    expect(r.code).toBe(130);
    expect((await cli(['lock', 'staging', 'status', '-c', p.file])).stdout).toContain('unlocked');
    for (const h of ['web1', 'web2']) expect(await leftovers(h)).toBe('');
  });
});

describe('the SSH backend', () => {
  let f: Fleet;
  const backends: SshBackend[] = [];
  const backend = () => {
    const b = new SshBackend();
    backends.push(b);
    return b;
  };
  const target = (name: string, over: Partial<SshTarget> = {}): SshTarget => sshTarget(f, name, over);
  /** The sshd processes (its notty child and [priv] parent) serving the connection that runs the program `pattern`. */
  const sessionOf = async (host: string, pattern: string): Promise<string[] | undefined> => {
    const r = await hostExec(f, host, [
      'sh',
      '-c',
      `p=$(pgrep -f '${pattern}' | head -n 1); while [ -n "$p" ] && [ "$p" != 1 ]; do case "$(ps -o args= -p "$p")" in "sshd: "*@notty) echo "$p" $(ps -o ppid= -p "$p"); exit 0 ;; esac; p=$(ps -o ppid= -p "$p" | tr -d ' '); done; exit 1`,
    ]);
    return r.code === 0 ? r.stdout.trim().split(/\s+/) : undefined;
  };

  beforeAll(() => {
    f = fleet();
  });
  afterAll(async () => {
    await Promise.all(backends.map((b) => b.close()));
  });

  it('fence: a command whose connection died without the host noticing is killed before the next command runs', async () => {
    const marker = `/tmp/exec-fence-${process.pid}`;
    const b = backend();
    const t = target('web2', { keepaliveIntervalMs: 200 });
    await b.exec(t, read(['rm', '-f', marker]));
    const running = b
      .exec(t, script(`sleep 4.56; touch ${marker}`, { description: 'a slow write' }), { step: 'deploy:slow' })
      .catch((e: Error) => e);
    const session = await until(() => sessionOf('web2', '^sleep 4.56$'), { timeout: 30_000, what: 'the command running on web2' });
    // A frozen session: the TCP connection stays up on the host, its sshd never closes the command's stdin.
    await hostExec(f, 'web2', ['kill', '-STOP', ...session]);
    try {
      const err = await running;
      expect(err).toBeInstanceOf(ConnectionError);
      expect((err as Error).message).toMatch(/^web2: deploy:slow: connection lost while running a slow write/);
      const next = await b.exec(t, read(['sh', '-c', "pgrep -f '^sleep 4.56$' || echo none"]));
      expect(next.stdout.trim()).toBe('none');
      await new Promise((r) => setTimeout(r, 4800));
      expect((await b.exec(t, read(['sh', '-c', `test -e ${marker} && echo written || echo absent`]))).stdout.trim()).toBe('absent');
    } finally {
      await hostExec(f, 'web2', ['kill', '-KILL', ...session]);
    }
  });

  it('an abort as a command starts still kills it, with everything it started', async () => {
    const marker = `/tmp/exec-early-abort-${process.pid}`;
    const b = backend();
    const t = target('web1');
    await b.exec(t, read(['rm', '-f', marker]));
    for (const delay of [0, 1, 2, 5, 10, 20]) {
      const ac = new AbortController();
      const t0 = performance.now();
      const running = b
        .exec(t, script(`(sleep 3.45; touch ${marker}) & sleep 3.45`), { signal: ac.signal, step: 'early' })
        .catch((e: Error) => e);
      setTimeout(() => ac.abort(), delay);
      expect(await running).toBeInstanceOf(InterruptedError);
      expect(performance.now() - t0).toBeLessThan(3000);
    }
    expect((await b.exec(t, read(['sh', '-c', "pgrep -f '^sleep 3.45$' || echo none"]))).stdout.trim()).toBe('none');
    await new Promise((r) => setTimeout(r, 3600));
    expect((await b.exec(t, read(['sh', '-c', `test -e ${marker} && echo written || echo absent`]))).stdout.trim()).toBe('absent');
  });

  it('a command of raw shell runs as written: when it kills its nearest sshd, the connection is lost and the command dies', async () => {
    const marker = `/tmp/exec-raw-${process.pid}`;
    const b = backend();
    const t = target('web1');
    await b.exec(t, read(['rm', '-f', marker]));
    const text = `(sleep 1.67; touch ${marker}) & p=$$; while [ "$p" -gt 1 ]; do case "$(ps -o comm= -p "$p")" in sshd) kill -KILL "$p"; break ;; esac; p=$(ps -o ppid= -p "$p" | tr -d ' '); done; sleep 5`;
    const err = await b.exec(t, cmd([raw(text)], { description: 'drop my connection' }), { step: 'fault' }).catch((e: Error) => e);
    expect(err).toBeInstanceOf(ConnectionError);
    expect((err as Error).message).toMatch(/^web1: fault: connection lost while running drop my connection/);
    await new Promise((r) => setTimeout(r, 1900));
    expect(
      (
        await b.exec(t, read(['sh', '-c', `test -e ${marker} && echo written || echo absent; pgrep -f '^sleep 1.67$' || true`]))
      ).stdout.trim(),
    ).toBe('absent');
  });

  it('an upload with no progress fails when its stall timeout passes; an aborted one at once', async () => {
    const local = join(scratch('upload'), 'blob.bin');
    writeFileSync(local, randomBytes(20 * 1024 * 1024));
    const b = backend();
    const t = target('web2');
    // Our command's shell is a child of the sshd process that serves this connection.
    const server = (await b.exec(t, read([raw('echo $PPID')]))).stdout.trim();
    let frozen: Promise<unknown> | undefined;
    const t0 = Date.now();
    const stalled = b
      .upload(t, local, '/tmp/exec-stall.bin', {
        step: 'transfer',
        stallTimeoutMs: 1000,
        onProgress: () => void (frozen ??= hostExec(f, 'web2', ['kill', '-STOP', server])),
      })
      .catch((e: Error) => e);
    try {
      const err = await stalled;
      expect(err).toBeInstanceOf(ConnectionError);
      expect((err as Error).message).toBe('web2: transfer: upload to /tmp/exec-stall.bin stalled: no progress for 1s');
      expect(Date.now() - t0).toBeLessThan(10_000);
    } finally {
      await frozen;
      await hostExec(f, 'web2', ['kill', '-KILL', server]);
    }

    const ac = new AbortController();
    const err = await backend()
      .upload(t, local, '/tmp/exec-abort.bin', { step: 'transfer', signal: ac.signal, onProgress: () => ac.abort() })
      .catch((e: Error) => e);
    expect(err).toBeInstanceOf(InterruptedError);
    expect((err as Error).message).toBe('web2: transfer: interrupted while uploading to /tmp/exec-abort.bin');
    await sshRun(f, 'web2', 'rm -f /tmp/exec-stall.bin /tmp/exec-abort.bin');
  });
});
