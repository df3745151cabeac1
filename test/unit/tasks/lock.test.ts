import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Backend, ExecResult, SshTarget } from '../../../src/backends/backend.js';
import { RUNS_DIR, readRunRecord, writeRunRecord } from '../../../src/backends/runs.js';
import { acquire, type LockInfo } from '../../../src/commands/lock.js';
import { paths } from '../../../src/commands/paths.js';
import type { Config } from '../../../src/config/types.js';
import { CommandLostError, InterruptedError, LockHeldError, LockLostError } from '../../../src/errors.js';
import { parseLockStatus } from '../../../src/facts/lock.js';
import type { DeployEvent } from '../../../src/output/events.js';
import { raw, render, write, type Command } from '../../../src/shell/command.js';
import type { RunContext } from '../../../src/tasks/context.js';
import { preflight } from '../../../src/tasks/check.js';
import {
  acquireLocks,
  beginLocks,
  describeHolder,
  formatAge,
  lockedHosts,
  lockHost,
  unlock,
  type LockRequest,
} from '../../../src/tasks/lock.js';
import { config, testTargets } from './fixtures.js';
import { until } from '../../support/until.js';

/** What `f` throws, if it throws. */
const thrownBy = (f: () => void): unknown => {
  try {
    f();
  } catch (e) {
    return e;
  }
  return undefined;
};

describe('lock', () => {
  it('lives on the primary host of the first role in the rollout', () => {
    expect(lockHost(config()).name).toBe('db1');
    const c = config();
    expect(lockHost({ ...c, rollout: ['web', 'db'] }).name).toBe('web1');
  });

  it('is taken on every host a run touches, the lock host first: the selection, and the balancers', () => {
    const c = config();
    expect(lockedHosts({ config: c, hosts: c.hosts }).map((h) => h.name)).toEqual(['db1', 'web1', 'web2', 'media1', 'lb1']);
    expect(lockedHosts({ config: c, hosts: c.hosts.filter((h) => h.name === 'media1') }).map((h) => h.name)).toEqual([
      'db1',
      'media1',
      'lb1',
    ]);
  });

  it('names holder, run, age (by the host clock) and message, with control characters escaped', () => {
    const info: LockInfo = {
      owner: 'alice@laptop',
      message: 'hotfix\n\u001b[2J\u009b31mreal: ok\u202e',
      verb: 'deploy',
      run: '20260101-000000',
      token: 'a'.repeat(32),
    };
    const clock = { now: 1_767_225_900, since: 1_767_225_600, expires: 1_767_226_500 };
    expect(describeHolder({ state: 'locked', token: info.token, info, clock })).toBe(
      'alice@laptop (deploy 20260101-000000) since 2026-01-01T00:00:00.000Z (5m ago): "hotfix\\n\\x1b[2J\\x9b31mreal: ok\\u202e"',
    );
    expect(describeHolder({ state: 'malformed', token: '', error: 'the lock has no owner file', raw: '', clock })).toBe(
      'an unreadable lock (the lock has no owner file) since 2026-01-01T00:00:00.000Z (5m ago)',
    );
  });

  it.each([
    [5, '5s'],
    [119, '119s'],
    [600, '10m'],
    [7200, '2h'],
  ])('age %is reads %s', (s, text) => expect(formatAge(s)).toBe(text));
});

/**
 * Hosts as directories of this machine: every command runs for real in `sh`, with the stage's deploy_to rewritten
 * to the host's own directory. `down` hosts fail like an unreachable host.
 */
class ShellHosts implements Backend {
  readonly down = new Set<string>();
  /** Hosts whose next command runs in full, then its connection is lost before the answer (once). */
  readonly lostAfter = new Set<string>();
  /** What happens on a host's side once its next command has run (another run's doing, that very moment). */
  readonly afterNext = new Map<string, () => void>();
  constructor(
    readonly base: string,
    readonly deployTo: string,
  ) {}
  dir(host: string): string {
    return join(this.base, host);
  }
  exec(host: SshTarget, command: Command): Promise<ExecResult> {
    if (this.down.has(host.name)) return Promise.reject(new Error(`${host.name}: connection refused`));
    const text = render(command, 'reveal')
      .split(this.deployTo)
      .join(join(this.dir(host.name), 'app'));
    const lost = this.lostAfter.delete(host.name);
    const after = this.afterNext.get(host.name);
    this.afterNext.delete(host.name);
    return new Promise((resolve, reject) => {
      const child = spawn('sh', ['-c', text]);
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
      child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
      child.on('close', (code) => {
        after?.();
        return lost
          ? reject(new CommandLostError(host.name, 'connection lost while running the command'))
          : resolve({ code: code ?? 1, stdout, stderr, durationMs: 1 });
      });
    });
  }
  upload(): Promise<void> {
    return Promise.resolve();
  }
  close(): Promise<void> {
    return Promise.resolve();
  }
}

describe('acquireLocks and unlock, on hosts that run the real commands', () => {
  const root = realpathSync(mkdtempSync(join(tmpdir(), 'deploy-locks-')));
  afterAll(() => rmSync(root, { recursive: true, force: true }));
  let n = 0;
  let hosts: ShellHosts;
  let events: DeployEvent[];
  let ctx: RunContext;
  const TTL = 2;
  const req = (o: Partial<LockRequest> = {}): LockRequest => ({
    run: '20260101-000000',
    owner: 'ann@laptop',
    message: 'test',
    verb: 'deploy',
    waitSeconds: 0,
    ...o,
  });
  const lockOn = (host: string) => {
    const dir = join(hosts.dir(host), 'app', 'deploy.lock');
    const stdout = existsSync(dir)
      ? spawnSync(
          'sh',
          [
            '-c',
            `d='${dir}'; printf 'locked\\nnow %s\\nmtime 0\\ntoken %s\\nsince %s\\nexpires %s\\nowner %s\\n' "$(date +%s)" "$(cat $d/token)" "$(cat $d/since)" "$(cat $d/expires)" "$(cat $d/owner)"`,
          ],
          { encoding: 'utf8' },
        ).stdout
      : '';
    return parseLockStatus(stdout, TTL);
  };
  /** A lock taken by another run (another machine), as its own acquire would have left it. */
  const foreign = (host: string, token: string, o: { expiresIn?: number } = {}) => {
    const info: LockInfo = { owner: 'bob@ci', message: 'theirs', verb: 'deploy', run: '20260101-000001', token };
    const p = paths(join(hosts.dir(host), 'app'));
    mkdirSync(hosts.dir(host), { recursive: true });
    expect(spawnSync('sh', ['-c', render(acquire(p, info, TTL))]).status).toBe(0);
    writeFileSync(join(p.lock, 'expires'), `${Math.floor(Date.now() / 1000) + (o.expiresIn ?? 600)}\n`);
  };
  const T2 = 'b'.repeat(32);

  beforeEach(() => {
    const base = join(root, `run${++n}`);
    mkdirSync(base);
    const loaded = config();
    const c: Config = { ...loaded, deployTo: '/nonexistent/deploy-to-of-the-test', lock: { ...loaded.lock, ttl: TTL } };
    hosts = new ShellHosts(base, c.deployTo);
    events = [];
    ctx = {
      config: c,
      backend: hosts,
      targets: testTargets(c),
      emit: (e) => events.push(e),
      mode: 'real',
      hosts: c.hosts,
      local: { run: () => Promise.resolve({ code: 0, stdout: '', stderr: '', durationMs: 0 }) },
      projectDir: base,
    };
  });
  afterEach(() => vi.useRealTimers());

  it('takes every host, records the run, releases everything, and leaves no record', async () => {
    const lock = await acquireLocks(ctx, req());
    for (const h of ['db1', 'web1', 'web2', 'media1', 'lb1']) expect(lockOn(h)).toMatchObject({ state: 'locked', token: lock.token });
    expect(readRunRecord(ctx.projectDir, lock.token)).toMatchObject({ pid: process.pid, verb: 'deploy', manual: false });
    expect(events).toContainEqual({ type: 'lock', action: 'acquired', host: 'db1', hosts: ['db1', 'web1', 'web2', 'media1', 'lb1'] });
    expect((await lock.release()).problems).toEqual([]);
    for (const h of ['db1', 'web1', 'web2', 'media1', 'lb1']) expect(lockOn(h)).toEqual({ state: 'unlocked' });
    expect(readRunRecord(ctx.projectDir, lock.token)).toBeUndefined();
  });

  it('a second run fails at once on the lock host, naming the holder; it touched no other host', async () => {
    const first = await acquireLocks(ctx, req({ message: 'first\u001b]0;pwned\u0007' }));
    const second = acquireLocks(ctx, req({ message: 'second' }));
    await expect(second).rejects.toThrow(LockHeldError);
    await expect(second).rejects.toThrow(
      /stage staging is locked on db1 by ann@laptop \(deploy 20260101-000000\) since .* ago\): "first\\x1b\]0;pwned\\x07"$/,
    );
    for (const h of ['web1', 'web2']) expect(lockOn(h)).toMatchObject({ token: first.token });
    await first.release();
  });

  it('the first try rides in the check’s round trip where deploy_to exists; finish locks only the rest, and makes a missing deploy_to there', async () => {
    mkdirSync(join(hosts.dir('web1'), 'app'), { recursive: true });
    const locking = beginLocks(ctx, req());
    await preflight(
      ctx,
      ctx.hosts.filter((h) => h.name !== 'db1'),
      { lock: locking },
    );
    expect(lockOn('web1')).toMatchObject({ state: 'locked' });
    expect(existsSync(join(hosts.dir('web2'), 'app'))).toBe(false);
    expect(events.filter((e) => e.type === 'command' && e.step === 'lock')).toEqual([]);
    const lock = await locking.finish();
    const lockCommands = events.filter((e) => e.type === 'command' && e.step === 'lock').map((e) => (e.type === 'command' ? e.host : ''));
    expect(lockCommands.sort()).toEqual(['db1', 'lb1', 'media1', 'web2']);
    for (const h of ['db1', 'web1', 'web2', 'media1', 'lb1']) expect(lockOn(h)).toMatchObject({ state: 'locked', token: lock.token });
    await locking.abandon();
    expect(lockOn('web1')).toMatchObject({ state: 'locked', token: lock.token });
    expect((await lock.release()).problems).toEqual([]);
  });

  it('a check that fails on one host gives back every lock its round trip took, and leaves no record', async () => {
    for (const h of ['db1', 'web1', 'web2', 'media1', 'lb1']) mkdirSync(join(hosts.dir(h), 'app'), { recursive: true });
    hosts.lostAfter.add('web2');
    const locking = beginLocks(ctx, req());
    await expect(preflight(ctx, ctx.hosts, { lock: locking })).rejects.toThrow(/web2: connection lost while running/);
    expect(lockOn('web1')).toMatchObject({ state: 'locked' });
    expect(lockOn('web2')).toMatchObject({ state: 'locked' });
    await locking.abandon();
    for (const h of ['db1', 'web1', 'web2', 'media1', 'lb1']) expect(lockOn(h)).toEqual({ state: 'unlocked' });
    expect(readdirSync(join(ctx.projectDir, RUNS_DIR))).toEqual([]);
    await expect(locking.finish()).rejects.toThrow(/abandoned/);
  });

  it('a first try older than a third of lock.ttl (a long build since) is renewed, and tried again when another run took it meanwhile', async () => {
    for (const h of ['db1', 'web1', 'web2', 'media1', 'lb1']) mkdirSync(join(hosts.dir(h), 'app'), { recursive: true });
    vi.useFakeTimers({ toFake: ['performance'] });
    const locking = beginLocks(ctx, req());
    await preflight(ctx, ctx.hosts, { lock: locking });
    // Another run took web2's lock over as expired while this one built its artifact.
    rmSync(join(hosts.dir('web2'), 'app', 'deploy.lock'), { recursive: true });
    foreign('web2', T2);
    vi.advanceTimersByTime((TTL * 1000) / 3 + 1);
    await expect(locking.finish()).rejects.toThrow(/locked on web2 by bob@ci/);
    for (const h of ['db1', 'web1', 'media1', 'lb1']) expect(lockOn(h)).toEqual({ state: 'unlocked' });
    expect(lockOn('web2')).toMatchObject({ token: T2 });
    expect(events.filter((e) => e.type === 'command' && e.step === 'lock' && e.command.startsWith('if t=')).length).toBeGreaterThan(0);
  });

  it('all or nothing: one host held by another stage’s run, and what was taken is given back', async () => {
    foreign('web2', T2);
    await expect(acquireLocks(ctx, req())).rejects.toThrow(/locked on web2 by bob@ci/);
    for (const h of ['db1', 'web1', 'media1', 'lb1']) expect(lockOn(h)).toEqual({ state: 'unlocked' });
    expect(lockOn('web2')).toMatchObject({ token: T2 });
  });

  it('a lock read half-removed (its holder releasing it that moment) is read again, and taken once gone', async () => {
    foreign('db1', T2);
    const held = join(hosts.dir('db1'), 'app', 'deploy.lock');
    rmSync(join(held, 'owner'));
    hosts.afterNext.set('db1', () => rmSync(held, { recursive: true }));
    const lock = await acquireLocks(ctx, req());
    expect(lockOn('db1')).toMatchObject({ state: 'locked', token: lock.token });
    await lock.release();
  });

  it('a lock that stays unreadable is read three times, then named as such', async () => {
    foreign('db1', T2);
    rmSync(join(hosts.dir('db1'), 'app', 'deploy.lock', 'owner'));
    await expect(acquireLocks(ctx, req())).rejects.toThrow(/locked on db1 by an unreadable lock \(the lock has no owner file\)/);
    expect(events.filter((e) => e.type === 'command' && e.step === 'lock' && e.host === 'db1')).toHaveLength(3);
    for (const h of ['web1', 'web2', 'media1', 'lb1']) expect(lockOn(h)).toEqual({ state: 'unlocked' });
  });

  it('a connection lost after the lock command ran: the lock it took there is released too, and no record is left', async () => {
    hosts.lostAfter.add('web2');
    await expect(acquireLocks(ctx, req())).rejects.toThrow(/web2: connection lost while running/);
    for (const h of ['db1', 'web1', 'web2', 'media1', 'lb1']) expect(lockOn(h)).toEqual({ state: 'unlocked' });
    expect(events.filter((e) => e.type === 'warning')).toEqual([]);
    expect(readdirSync(join(ctx.projectDir, RUNS_DIR))).toEqual([]);
  });

  it('…and where it cannot be released, the warning says how, and the run record stays for the next run to take it over', async () => {
    hosts.lostAfter.add('web2');
    const taking = acquireLocks(ctx, req());
    // The host goes away with the connection: the release cannot reach it.
    hosts.down.add('web2');
    await expect(taking).rejects.toThrow(/web2: connection lost while running/);
    const web2 = lockOn('web2');
    expect(web2).toMatchObject({ state: 'locked' });
    const token = web2.state === 'locked' ? web2.token : '';
    expect(events).toContainEqual({
      type: 'warning',
      message:
        'the lock on web2 could not be released (web2: connection refused): run `deploy unlock staging` (the next deploy from this directory takes it over by itself)',
    });
    expect(readRunRecord(ctx.projectDir, token)).toMatchObject({ pid: process.pid, verb: 'deploy' });
  });

  it('takes over a lock expired by the host clock, never one that only looks expired to a client clock ahead', async () => {
    foreign('db1', T2, { expiresIn: 600 });
    vi.useFakeTimers({ now: Date.now() + 3600_000, toFake: ['Date'] });
    await expect(acquireLocks(ctx, req())).rejects.toThrow(LockHeldError);
    vi.useRealTimers();
    expect(lockOn('db1')).toMatchObject({ token: T2 });

    foreign('web1', T2, { expiresIn: -1 });
    writeFileSync(join(hosts.dir('db1'), 'app', 'deploy.lock', 'expires'), `${Math.floor(Date.now() / 1000) - 1}\n`);
    const lock = await acquireLocks(ctx, req());
    expect(lockOn('db1')).toMatchObject({ token: lock.token });
    expect(
      events
        .filter((e) => e.type === 'lock' && e.action === 'taken-over')
        .map((e) => (e as { host: string }).host)
        .sort(),
    ).toEqual(['db1', 'web1']);
    await lock.release();
  });

  it('takes over the lock of a run of this machine whose process is gone, not of one still running', async () => {
    const dead = spawnSync('true').pid!;
    foreign('db1', T2);
    foreign('web1', T2);
    writeRunRecord(ctx.projectDir, {
      token: T2,
      stage: 'staging',
      verb: 'deploy',
      pid: process.pid,
      identity: null,
      started: '',
      manual: false,
    });
    await expect(acquireLocks(ctx, req())).rejects.toThrow(LockHeldError);
    writeRunRecord(ctx.projectDir, { token: T2, stage: 'staging', verb: 'deploy', pid: dead, identity: null, started: '', manual: false });
    const lock = await acquireLocks(ctx, req());
    expect(lockOn('web1')).toMatchObject({ token: lock.token });
    expect(events).toContainEqual(
      expect.objectContaining({
        type: 'warning',
        message: expect.stringContaining(`of a deploy from this machine whose process ${dead} is gone`),
      }),
    );
    expect(readRunRecord(ctx.projectDir, T2)).toBeUndefined();
    await lock.release();
  });

  it('a lock taken by hand here is never taken over as a dead run’s', async () => {
    foreign('db1', T2);
    writeRunRecord(ctx.projectDir, {
      token: T2,
      stage: 'staging',
      verb: 'lock',
      pid: spawnSync('true').pid!,
      identity: null,
      started: '',
      manual: true,
    });
    await expect(acquireLocks(ctx, req())).rejects.toThrow(LockHeldError);
  });

  it('stops before the next step once a renewal has failed for longer than the ttl', async () => {
    const lock = await acquireLocks(ctx, req());
    lock.check('transfer');
    hosts.down.add('web2');
    const error = await until(() => thrownBy(() => lock.check('install')), { timeout: 10_000, what: 'the lock check to fail' });
    expect(error).toBeInstanceOf(LockLostError);
    expect((error as Error).message).toMatch(
      /^the deploy lock on web2 was not renewed for \ds, longer than lock.ttl \(2s\), so another run may take it over: stopping before install$/,
    );
    expect(events).toContainEqual(
      expect.objectContaining({
        type: 'warning',
        host: 'web2',
        message: expect.stringMatching(/^could not renew the deploy lock on web2 .*; trying again$/),
      }),
    );
    hosts.down.clear();
    await lock.release();
  });

  it('stops before the next step when its lock changed hands, and then leaves the new holder’s lock alone', async () => {
    const lock = await acquireLocks(ctx, req());
    writeFileSync(join(hosts.dir('web1'), 'app', 'deploy.lock', 'token'), `${T2}\n`);
    const error = await until(() => thrownBy(() => lock.check('batch 2 of web')), { timeout: 10_000, what: 'the lock check to fail' });
    expect((error as Error).message).toBe('the deploy lock on web1 is now held by another run: stopping before batch 2 of web');
    expect(error).toBeInstanceOf(LockLostError);
    expect((await lock.release()).problems).toEqual([]);
    expect(lockOn('web1')).toMatchObject({ state: 'malformed', token: T2 });
    expect(lockOn('db1')).toEqual({ state: 'unlocked' });
  });

  it('a command can go before the unlock, in the same round trip, and its output is returned', async () => {
    const lock = await acquireLocks(ctx, req());
    const r = await lock.release({ before: new Map([['web1', write(['printf', 'before\\n'])]]), step: 'cleanup' });
    expect(r).toMatchObject({ problems: [] });
    expect(r.before.get('web1')).toMatchObject({ stdout: 'before\nreleased\n' });
    expect(events.filter((e) => e.type === 'command' && e.host === 'web1').slice(-1)).toMatchObject([{ step: 'cleanup' }]);
    for (const h of ['db1', 'web1', 'web2']) expect(lockOn(h)).toEqual({ state: 'unlocked' });
  });

  it('a command before the unlock that keeps it from running (its shell killed): the unlock is tried again alone', async () => {
    const lock = await acquireLocks(ctx, req());
    const r = await lock.release({ before: new Map([['db1', write(['kill', '-9', raw('$$')])]]), step: 'cleanup' });
    expect(r).toMatchObject({ problems: [] });
    expect(r.before.get('db1')).toMatchObject({ stdout: '' });
    expect(events.filter((e) => e.type === 'command' && e.host === 'db1').slice(-2)).toMatchObject([{ step: 'cleanup' }, { step: 'lock' }]);
    for (const h of ['db1', 'web1', 'web2', 'media1', 'lb1']) expect(lockOn(h)).toEqual({ state: 'unlocked' });
    expect(readRunRecord(ctx.projectDir, lock.token)).toBeUndefined();
  });

  it('a release that cannot reach a host says so, with the command to fix it, and keeps the run record', async () => {
    const lock = await acquireLocks(ctx, req());
    hosts.down.add('db1');
    expect((await lock.release()).problems).toEqual([
      'the lock on db1 could not be released (db1: connection refused): run `deploy unlock staging` (the next deploy from this directory takes it over by itself)',
    ]);
    expect(readRunRecord(ctx.projectDir, lock.token)).toBeDefined();
  });

  it('the lock wait ends at once on Ctrl-C', async () => {
    foreign('db1', T2);
    const abort = new AbortController();
    const waiting = acquireLocks({ ...ctx, signal: abort.signal }, req({ waitSeconds: 60 }));
    await until(() => events.some((e) => e.type === 'lock' && e.action === 'waiting'), {
      timeout: 5000,
      interval: 20,
      what: 'the lock wait',
    });
    const t0 = Date.now();
    abort.abort(new InterruptedError('interrupted by SIGINT'));
    await expect(waiting).rejects.toThrow(InterruptedError);
    expect(Date.now() - t0).toBeLessThan(1000);
  });

  it('unlock releases locks of this machine’s dead runs, leaves another machine’s, and --force removes any', async () => {
    foreign('db1', T2);
    foreign('web1', 'c'.repeat(32));
    writeRunRecord(ctx.projectDir, {
      token: T2,
      stage: 'staging',
      verb: 'deploy',
      pid: spawnSync('true').pid!,
      identity: null,
      started: '',
      manual: false,
    });
    const r = await unlock(ctx, { force: false });
    expect(r.refused).toEqual(['web1']);
    expect(r.done.join('\n')).toMatch(
      /^db1: released the lock of bob@ci .*\nweb1: left the lock of bob@ci .*: not held by a run of this machine$/,
    );
    expect(lockOn('db1')).toEqual({ state: 'unlocked' });
    expect(lockOn('web1')).toMatchObject({ token: 'c'.repeat(32) });
    expect(readRunRecord(ctx.projectDir, T2)).toBeUndefined();
    const forced = await unlock(ctx, { force: true });
    expect(forced).toMatchObject({ refused: [], failed: [] });
    expect(lockOn('web1')).toEqual({ state: 'unlocked' });
  });
});
