import { chmodSync, copyFileSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import type { Backend, ExecOptions, ExecResult, SshTarget, UploadOptions } from '../../../src/backends/backend.js';
import {
  dropCommand,
  failCommand,
  FaultBackend,
  faultsFromEnv,
  INJECTED_EXIT_CODE,
  parseFaults,
  stepTracker,
  type FaultLogEntry,
  type FaultNote,
} from '../../../src/backends/faults.js';
import { chain } from '../../../src/commands/chain.js';
import { renew } from '../../../src/commands/lock.js';
import { paths } from '../../../src/commands/paths.js';
import { ConfigError, ConnectionError, ExitCode, StepFailedError } from '../../../src/errors.js';
import { read, render, write, type Command } from '../../../src/shell/command.js';
import { Sensitive } from '../../../src/shell/sensitive.js';
import { until } from '../../support/until.js';

const target = (name: string): SshTarget => ({
  name,
  address: '127.0.0.1',
  port: 22,
  user: 'deploy',
  identityFiles: [],
  knownHosts: [],
  strictHostKeys: true,
  forwardAgent: false,
  connectTimeoutMs: 1000,
  keepaliveIntervalMs: 0,
});

type Call =
  | { host: string; kind: 'exec'; command: Command }
  | { host: string; kind: 'upload'; local: string; remote: string; bytes: Buffer };

/** A scripted inner backend: records what reaches it; uploads can be scripted to report progress and wait. */
class Scripted implements Backend {
  readonly calls: Call[] = [];
  onUpload?: (host: string, options: UploadOptions) => Promise<void>;
  onExec?: (host: string, command: Command) => Promise<ExecResult> | undefined;
  exec(host: SshTarget, command: Command, _options?: ExecOptions): Promise<ExecResult> {
    this.calls.push({ host: host.name, kind: 'exec', command });
    return this.onExec?.(host.name, command) ?? Promise.resolve({ code: 0, stdout: `ran on ${host.name}\n`, stderr: '', durationMs: 1 });
  }
  async upload(host: SshTarget, local: string, remote: string, options: UploadOptions = {}): Promise<void> {
    this.calls.push({ host: host.name, kind: 'upload', local, remote, bytes: readFileSync(local) });
    await this.onUpload?.(host.name, options);
  }
  close(): Promise<void> {
    return Promise.resolve();
  }
}

function logged() {
  const lines: (FaultLogEntry | FaultNote)[] = [];
  return { lines, log: (l: FaultLogEntry | FaultNote) => lines.push(l) };
}

const web1 = target('web1');
const web2 = target('web2');

describe('parseFaults', () => {
  it('reads kind@host:n lists, spaces allowed', () => {
    expect(parseFaults(' fail@web1:12, drop@db1:7 ,drop-after@lb-1.example:1')).toEqual([
      { kind: 'fail', host: 'web1', n: 12 },
      { kind: 'drop', host: 'db1', n: 7 },
      { kind: 'drop-after', host: 'lb-1.example', n: 1 },
    ]);
    expect(parseFaults('')).toEqual([]);
  });

  it.each(['fail@web1', 'explode@web1:3', 'fail@web1:0', 'fail@web1:-2', 'fail web1:3', 'fail@:3', 'fail@web1:3x'])(
    '%j is an input error (exit 2) naming DEPLOY_FAULTS',
    (text) => {
      const e = (() => {
        try {
          parseFaults(`drop@db1:1,${text}`);
        } catch (err) {
          return err;
        }
      })();
      expect(e).toBeInstanceOf(ConfigError);
      expect((e as ConfigError).exitCode).toBe(ExitCode.config);
      expect((e as ConfigError).message).toContain('DEPLOY_FAULTS');
      expect((e as ConfigError).message).toContain(JSON.stringify(text));
    },
  );

  it('two faults at one point are an error', () => {
    expect(() => parseFaults('fail@web1:3,drop@web1:3')).toThrow(/two faults at web1:3/);
  });
});

describe('FaultBackend', () => {
  it('counts operations per host from 1 and changes only the named one; the rest pass through untouched', async () => {
    const inner = new Scripted();
    const { lines, log } = logged();
    const b = new FaultBackend(inner, [{ kind: 'fail', host: 'web1', n: 2 }], { log });
    const a = read(['cat', '/srv/app/current/REVISION'], { description: 'read the revision' });
    const w = write(['mkdir', '-p', '/srv/app/releases/1']);
    await b.exec(web1, a);
    await b.exec(web2, a);
    await b.exec(web2, w);
    await b.exec(web1, w);
    await b.exec(web1, a);
    expect(inner.calls.map((c) => c.host)).toEqual(['web1', 'web2', 'web2', 'web1', 'web1']);
    expect(inner.calls[0]).toMatchObject({ command: a });
    expect(inner.calls[2]).toMatchObject({ command: w });
    expect(inner.calls[4]).toMatchObject({ command: a });
    expect(render((inner.calls[3] as { command: Command }).command)).toBe(
      `sh -c 'echo '\\''deploy: injected failure at web1:2'\\'' >&2; exit ${INJECTED_EXIT_CODE}'`,
    );
    expect(
      lines.map((l) => 'op' in l && `${l.host}:${l.n} ${l.op} ${l.effect} ${l.description}${l.injected ? ` [${l.injected}]` : ''}`),
    ).toEqual([
      'web1:1 exec read read the revision',
      'web2:1 exec read read the revision',
      'web2:2 exec write mkdir -p /srv/app/releases/1',
      'web1:2 exec write mkdir -p /srv/app/releases/1 [fail]',
      'web1:3 exec read read the revision',
    ]);
  });

  it('counts a chain’s commands one by one with their own steps, and puts a fault into the one it names', async () => {
    const inner = new Scripted();
    const { lines, log } = logged();
    const b = new FaultBackend(inner, [{ kind: 'drop', host: 'web1', n: 3 }], { log });
    const unpack = write(['tar', '-xzf', 'a.tgz'], { description: 'unpack' });
    const link = write(['ln', '-s', 'shared/log', 'log'], { description: 'link shared' });
    const t1 = write(['true'], { description: 'task t1' });
    const c = chain([
      { step: 'transfer', commands: [unpack] },
      { step: 'shared', commands: [link] },
      { step: 'task:t1', commands: [t1] },
    ]);
    await b.exec(web2, c);
    await b.exec(web1, c);
    expect((inner.calls[0] as { command: Command }).command).toBe(c);
    const sent = (inner.calls[1] as { command: Command }).command;
    expect(sent.chain?.map((p) => p.step)).toEqual(['transfer', 'shared', 'task:t1']);
    expect(sent.chain?.[0]?.commands).toEqual([unpack]);
    expect(sent.chain?.[1]?.commands).toEqual([link]);
    expect(render(sent.chain![2]!.commands[0]!)).toContain('injected drop at web1:3');
    expect(lines.map((l) => 'op' in l && `${l.host}:${l.n} ${l.step} ${l.description}${l.injected ? ` [${l.injected}]` : ''}`)).toEqual([
      'web2:1 transfer unpack',
      'web2:2 shared link shared',
      'web2:3 task:t1 task t1',
      'web1:1 transfer unpack',
      'web1:2 shared link shared',
      'web1:3 task:t1 task t1 [drop]',
    ]);
  });

  it('logs the step the caller passed, else the one stepOf knows for the host; descriptions are masked and one line', async () => {
    const inner = new Scripted();
    const { lines, log } = logged();
    const tracker = stepTracker();
    const b = new FaultBackend(inner, [], { log, stepOf: tracker.stepOf });
    tracker.sink({ type: 'command', step: 'install', host: 'web1' });
    tracker.sink({ type: 'command', step: 'switch', host: 'web2' });
    tracker.sink({ type: 'output', step: 'other', host: 'web1' });
    await b.exec(web1, write(['echo', new Sensitive('hunter2')]));
    await b.exec(web1, write(['true']), { step: 'health' });
    await b.exec(web2, write(['printf', 'a\n  b']));
    await b.upload(web2, join(tmpdir(), 'none'), '/srv/x', {}).catch(() => undefined);
    expect(lines).toMatchObject([
      { host: 'web1', n: 1, step: 'install', description: 'echo ***' },
      { host: 'web1', n: 2, step: 'health' },
      { host: 'web2', n: 1, step: 'switch', description: "printf 'a b'" },
      { host: 'web2', n: 2, op: 'upload', step: 'switch', effect: 'write', description: `upload ${join(tmpdir(), 'none')} → /srv/x` },
    ]);
    expect(JSON.stringify(lines)).not.toContain('hunter2');
  });

  it('lock renewals, which come on a timer, pass through uncounted and unlogged: later numbers stay the same', async () => {
    const inner = new Scripted();
    const { lines, log } = logged();
    const b = new FaultBackend(inner, [{ kind: 'fail', host: 'web1', n: 2 }], { log });
    await b.exec(web1, write(['true']));
    await b.exec(web1, renew(paths('/srv/app'), '0'.repeat(32), 30));
    await b.exec(web1, write(['mkdir', 'x'], { description: 'second' }));
    expect(inner.calls).toHaveLength(3);
    expect(render((inner.calls[1] as { command: Command }).command)).toContain('expires');
    expect(lines.map((l) => 'op' in l && `${l.n} ${l.description}${l.injected ? ` [${l.injected}]` : ''}`)).toEqual([
      '1 true',
      '2 second [fail]',
    ]);
  });

  it('fail keeps the effect and description of the command it replaces (so a dry run and messages see the same)', () => {
    const c = failCommand('db1:7', read(['true'], { description: 'probe' }));
    expect(c.effect).toBe('read');
    expect(c.description).toBe('probe');
  });

  it('drop-after runs the whole command, then the drop, with its cwd and env applied to the command only', async () => {
    const inner = new Scripted();
    const b = new FaultBackend(inner, [{ kind: 'drop-after', host: 'web1', n: 1 }]);
    await b.exec(web1, write(['touch', 'done'], { cwd: '/srv/app', env: { A: 'x y' }, description: 'touch it' }));
    const sent = (inner.calls[0] as { command: Command }).command;
    expect(sent.description).toBe('touch it');
    expect(render(sent)).toBe(`( cd /srv/app && export A='x y' && touch done ) ; ${render(dropCommand('web1:1'))}`);
  });

  it('fail on an upload sends the first part of the file, then fails as a failed SFTP write does (exit 5, host, step)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'faults-test-'));
    const file = join(dir, 'artifact.tar.gz');
    writeFileSync(file, Buffer.alloc(10_000, 7));
    const inner = new Scripted();
    const b = new FaultBackend(inner, [{ kind: 'fail', host: 'web2', n: 1 }]);
    const e = await b.upload(web2, file, '/srv/app/uploads/1.tar.gz').catch((err: unknown) => err);
    expect(e).toBeInstanceOf(StepFailedError);
    expect((e as StepFailedError).exitCode).toBe(ExitCode.stepFailed);
    expect((e as StepFailedError).message).toBe(
      `web2: upload: cannot upload ${file} to /srv/app/uploads/1.tar.gz: injected failure at web2:1`,
    );
    const call = inner.calls[0] as Extract<Call, { kind: 'upload' }>;
    expect(call.remote).toBe('/srv/app/uploads/1.tar.gz');
    expect(call.bytes.length).toBe(5000);
    expect(existsSync(call.local)).toBe(false);
  });

  it('drop on an upload drops the connection from the host once the first bytes arrived; the upload then fails as the backend says', async () => {
    const inner = new Scripted();
    const { lines, log } = logged();
    let dropped!: () => void;
    const drop = new Promise<void>((r) => (dropped = r));
    inner.onExec = (_host, command) => {
      if (render(command) === render(dropCommand('web1:2'))) {
        dropped();
        return Promise.reject(new ConnectionError('web1', 'connection lost while running the drop'));
      }
      return undefined;
    };
    inner.onUpload = async (_host, options) => {
      options.onProgress?.(0, 1000);
      options.onProgress?.(32_768, 1_000_000);
      await drop;
      throw new ConnectionError('web1', 'upload: connection lost while uploading to /srv/app/uploads/1.tar.gz');
    };
    const b = new FaultBackend(inner, [{ kind: 'drop', host: 'web1', n: 2 }], { log });
    await b.exec(web1, write(['mkdir', '-p', '/srv/app/uploads']));
    const e = await b.upload(web1, import.meta.filename, '/srv/app/uploads/1.tar.gz').catch((err: unknown) => err);
    expect(e).toBeInstanceOf(ConnectionError);
    expect((e as ConnectionError).exitCode).toBe(ExitCode.connection);
    expect(inner.calls.map((c) => c.kind)).toEqual(['exec', 'upload', 'exec']);
    expect(lines.at(-1)).toMatchObject({
      host: 'web1',
      n: 2,
      note: 'the connection was dropped while uploading (32768 bytes had arrived when the drop started)',
    });
  });

  it('drop on an upload that finishes before the drop lands says so in the log', async () => {
    const inner = new Scripted();
    const { lines, log } = logged();
    inner.onUpload = async (_host, options) => options.onProgress?.(10, 10);
    const b = new FaultBackend(inner, [{ kind: 'drop', host: 'web1', n: 1 }], { log });
    await b.upload(web1, import.meta.filename, '/srv/app/uploads/1.tar.gz');
    expect(lines.at(-1)).toMatchObject({
      note: 'the upload finished before the connection was dropped (10 bytes had arrived when the drop started)',
    });
  });

  it('drop-after on an upload uploads in full, drops the connection and reports it lost (exit 4)', async () => {
    const inner = new Scripted();
    const b = new FaultBackend(inner, [{ kind: 'drop-after', host: 'web1', n: 1 }]);
    const e = await b.upload(web1, import.meta.filename, '/srv/app/uploads/1.tar.gz', { step: 'transfer' }).catch((err: unknown) => err);
    expect(e).toBeInstanceOf(ConnectionError);
    expect((e as ConnectionError).message).toBe(
      'web1: transfer: connection lost while uploading to /srv/app/uploads/1.tar.gz (injected drop at web1:1)',
    );
    expect(inner.calls.map((c) => c.kind)).toEqual(['upload', 'exec']);
    expect((inner.calls[0] as Extract<Call, { kind: 'upload' }>).bytes.length).toBe(readFileSync(import.meta.filename).length);
  });
});

describe('the injected commands on a real shell', () => {
  // A copy of sh named sshd stands in for the connection's session process.
  const dir = mkdtempSync(join(tmpdir(), 'faults-sh-'));
  const sshd = join(dir, 'sshd');
  copyFileSync('/bin/sh', sshd);
  chmodSync(sshd, 0o755);
  const drop = render(dropCommand('web1:3'));

  it('fail prints where on stderr and exits 97', async () => {
    const r = await execa('sh', ['-c', render(failCommand('web1:3'))], { reject: false });
    expect(r.exitCode).toBe(97);
    expect(r.stderr).toBe('deploy: injected failure at web1:3');
  });

  it.each([
    ['as $SHELL -c <text>', (text: string) => [sshd, '-c', `sh -c ${shq(text)}; echo survived`], undefined],
    ['as a script on stdin to sh -s', () => [sshd, '-c', 'sh -s; echo survived'], (text: string) => text],
    [
      'in a child shell of a script',
      () => [sshd, '-c', 'sh -s; echo survived'],
      (text: string) => `sh -c ${shq(text)}\necho child-returned`,
    ],
  ] as const)('drop SIGKILLs the nearest process named sshd, %s', async (_how, argv, input) => {
    const args = argv(drop);
    const r = await execa(args[0]!, args.slice(1), { reject: false, ...(input ? { input: input(drop) } : {}) });
    expect(r.signal).toBe('SIGKILL');
    expect(r.stdout).not.toContain('survived');
  });

  it('drop with no sshd above it says so and exits 98 (it never kills pid 1)', async () => {
    // Orphaned (double fork), so that its parent is pid 1 and the walk never meets an sshd this test runs under.
    const out = join(dir, 'orphan.out');
    await execa('sh', ['-c', `(sh -c ${shq(`${drop}`)} >${out} 2>&1; echo "exit $?" >>${out}) &`]);
    await until(() => readFileSync(out, { flag: 'a+' }).toString().includes('exit'), {
      timeout: 5000,
      interval: 20,
      what: 'the orphan to exit',
    });
    expect(readFileSync(out, 'utf8')).toBe('deploy: injected drop at web1:3 found no sshd process above it\nexit 98\n');
  });

  it('drop-after does the effect first, then drops', async () => {
    const inner = new Scripted();
    const b = new FaultBackend(inner, [{ kind: 'drop-after', host: 'web1', n: 1 }]);
    await b.exec(web1, write(['touch', join(dir, 'effect')]));
    const text = render((inner.calls[0] as { command: Command }).command);
    const r = await execa(sshd, ['-c', `sh -c ${shq(text)}; echo survived`], { reject: false });
    expect(r.signal).toBe('SIGKILL');
    expect(existsSync(join(dir, 'effect'))).toBe(true);
  });
});

describe('faultsFromEnv', () => {
  it('is the inner backend itself when neither variable is set', () => {
    const inner = new Scripted();
    expect(faultsFromEnv(inner, {}).backend).toBe(inner);
    expect(faultsFromEnv(inner, { DEPLOY_FAULTS: ' ' }).backend).toBe(inner);
  });

  it('appends one JSON line per operation to DEPLOY_FAULTS_LOG, and injects DEPLOY_FAULTS', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'faults-log-')), 'ops.ndjson');
    const inner = new Scripted();
    const { backend, faults } = faultsFromEnv(inner, { DEPLOY_FAULTS: 'fail@web1:2', DEPLOY_FAULTS_LOG: file });
    expect(faults).toEqual([{ kind: 'fail', host: 'web1', n: 2 }]);
    await backend.exec(web1, read(['true'], { description: 'probe' }));
    await backend.exec(web1, write(['false'], { description: 'change' }));
    const lines = readFileSync(file, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as FaultLogEntry);
    expect(lines.map(({ time: _t, ...rest }) => rest)).toEqual([
      { host: 'web1', n: 1, op: 'exec', step: null, description: 'probe', effect: 'read' },
      { host: 'web1', n: 2, op: 'exec', step: null, description: 'change', effect: 'write', injected: 'fail' },
    ]);
  });
});

/** POSIX single quotes, for the test's own shell lines. */
const shq = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;
