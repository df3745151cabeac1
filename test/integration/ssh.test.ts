/**
 * SshBackend against the real test fleet (test/fleet): one sshd per host on its own loopback address.
 * Per-command latency is printed (look for "[ssh latency]").
 */
import { execFileSync } from 'node:child_process';
import { randomBytes, createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SshTarget } from '../../src/backends/backend.js';
import { fingerprint } from '../../src/backends/known-hosts.js';
import { SshBackend } from '../../src/backends/ssh.js';
import type { Config } from '../../src/config/types.js';
import { ConnectionError, ExitCode, InterruptedError, StepFailedError } from '../../src/errors.js';
import { resolveTargets } from '../../src/hosts/target.js';
import { and, raw, read, script, write } from '../../src/shell/command.js';
import { Sensitive } from '../../src/shell/sensitive.js';
import { fleet, netOf } from '../fleet/context.js';
import { until } from '../support/until.js';
import { dropConnections, refuse, restore, sshTarget, startHost, stopHost, type Fleet } from '../fleet/fleet.js';

let f: Fleet;
let tmp: string;
const backends: SshBackend[] = [];

/** A backend closed after the file, so a failing test never leaks connections. */
function backend(...args: ConstructorParameters<typeof SshBackend>): SshBackend {
  const b = new SshBackend(...args);
  backends.push(b);
  return b;
}

const target = (name: string, over: Partial<SshTarget> = {}): SshTarget => sshTarget(f, name, over);

/** The raw host key blob a fleet host serves, from the fleet's known_hosts. */
function hostKey(name: string): Buffer {
  const line = readFileSync(f.knownHosts, 'utf8')
    .split('\n')
    .find((l) => l.split(' ')[0]!.split(',').includes(name));
  if (!line) throw new Error(`${name} not in ${f.knownHosts}`);
  return Buffer.from(line.split(' ')[2]!, 'base64');
}

async function rejection(p: Promise<unknown>): Promise<Error> {
  try {
    await p;
  } catch (err) {
    return err as Error;
  }
  throw new Error('expected a rejection');
}

beforeAll(() => {
  f = fleet();
  tmp = mkdtempSync(join(tmpdir(), 'ssh-it-'));
});

afterAll(async () => {
  await Promise.all(backends.map((b) => b.close()));
  rmSync(tmp, { recursive: true, force: true });
});

describe('exec', () => {
  it('runs on several hosts, each answering as itself', async () => {
    const b = backend();
    const results = await Promise.all(f.hosts.map((h) => b.exec(target(h.name), read(['hostname']))));
    expect(results.map((r) => r.stdout.trim())).toEqual(f.hosts.map((h) => h.name));
    expect(results.every((r) => r.code === 0 && r.stderr === '')).toBe(true);
    expect(b.openConnections).toBe(f.hosts.length);
  });

  it('a non-zero exit and stderr output are a result, not an exception; output is untrimmed', async () => {
    const r = await backend().exec(target('web1'), script('echo out; echo err >&2; exit 7'));
    expect(r).toMatchObject({ code: 7, stdout: 'out\n', stderr: 'err\n' });
    expect(r.durationMs).toBeGreaterThan(0);
  });

  it('a command killed by a signal reports 128+n', async () => {
    const r = await backend().exec(target('web1'), script('kill -TERM $$'));
    expect(r.code).toBe(128 + 15);
  });

  it('quotes arguments and runs cwd/env wrapping as rendered', async () => {
    const r = await backend().exec(
      target('web1'),
      read(['printf', '%s|', "it's", '$HOME', 'a b'], { cwd: '/tmp', env: { GREETING: 'hi there' } }),
    );
    expect(r.stdout).toBe("it's|$HOME|a b|");
    const env = await backend().exec(target('web1'), script('pwd; echo "$GREETING"', { cwd: '/tmp', env: { GREETING: 'hi there' } }));
    expect(env.stdout).toBe('/tmp\nhi there\n');
  });

  it('a command reading stdin gets EOF instead of hanging or reading its own script', async () => {
    const b = backend();
    expect((await b.exec(target('web1'), script('cat; echo done'), { timeoutMs: 5000 })).stdout).toBe('done\n');
    const r = await b.exec(target('web1'), write(['cat'], { env: { A: '1' } }), { timeoutMs: 5000 });
    expect(r).toMatchObject({ code: 0, stdout: '' });
  });

  it('streams complete lines to onLine, in order, the last one without its newline too', async () => {
    const lines: string[] = [];
    const r = await backend().exec(
      target('web1'),
      script('for i in 1 2 3; do echo "line $i"; sleep 0.05; done; echo warn >&2; printf tail'),
      { onLine: (s, l) => lines.push(`${s}:${l}`) },
    );
    expect(lines).toEqual(['stdout:line 1', 'stdout:line 2', 'stdout:line 3', 'stderr:warn', 'stdout:tail']);
    expect(r.stdout).toBe('line 1\nline 2\nline 3\ntail');
  });

  it('masks a Sensitive value the host echoes back, in stdout, stderr and onLine', async () => {
    const secret = new Sensitive('hunter2-s3cret');
    const lines: string[] = [];
    const r = await backend().exec(target('web1'), script('echo "token=$TOKEN"; echo "$TOKEN" >&2', { env: { TOKEN: secret } }), {
      onLine: (_s, l) => lines.push(l),
    });
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('token=***\n');
    expect(r.stderr).toBe('***\n');
    expect(lines).toEqual(['token=***', '***']);
  });
});

describe('one connection per host', () => {
  it('100 concurrent commands on one connection all succeed (channel cap + queue) over the same TCP connection', async () => {
    const b = backend();
    const t = target('web1');
    const results = await Promise.all(Array.from({ length: 100 }, (_, i) => b.exec(t, script(`echo ${i}; echo "$SSH_CONNECTION"`))));
    results.forEach((r, i) => {
      expect(r.code).toBe(0);
      expect(r.stdout.split('\n')[0]).toBe(String(i));
    });
    // SSH_CONNECTION = "client_ip client_port server_ip server_port": one client port means one connection.
    expect(new Set(results.map((r) => r.stdout.split('\n')[1])).size).toBe(1);
    const later = await b.exec(t, read(['sh', '-c', 'echo "$SSH_CONNECTION"']));
    expect(later.stdout.trim()).toBe(results[0]!.stdout.split('\n')[1]);
    expect(b.openConnections).toBe(1);
  });

  it('with as many channels as sshd allows (10), refused channel opens are retried until all 100 succeed', async () => {
    const b = backend({ maxChannels: 10 });
    const results = await Promise.all(Array.from({ length: 100 }, (_, i) => b.exec(target('web1'), script(`echo ${i}`))));
    expect(results.map((r) => r.stdout)).toEqual(results.map((_, i) => `${i}\n`));
  });

  it('concurrent first commands share one connect', async () => {
    const b = backend();
    const rs = await Promise.all(Array.from({ length: 8 }, () => b.exec(target('web2'), script('echo "$SSH_CONNECTION"'))));
    expect(new Set(rs.map((r) => r.stdout)).size).toBe(1);
  });

  it('200 commands in a row and 200 at once on one warm connection all run, in order of their results', async () => {
    const b = backend();
    const t = target('web1');
    await b.exec(t, read(['true']));
    const n = 200;
    for (let i = 0; i < n; i++) expect((await b.exec(t, read(['echo', String(i)]))).stdout).toBe(`${i}\n`);
    const all = await Promise.all(Array.from({ length: n }, (_, i) => b.exec(t, read(['echo', String(i)]))));
    expect(all.map((r) => r.stdout)).toEqual(Array.from({ length: n }, (_, i) => `${i}\n`));
    expect(b.openConnections).toBe(1);
  });

  it('close() ends every connection; the next command connects again', async () => {
    const b = backend();
    const first = await b.exec(target('web1'), script('echo "$SSH_CONNECTION"'));
    await b.close();
    expect(b.openConnections).toBe(0);
    const second = await b.exec(target('web1'), script('echo "$SSH_CONNECTION"'));
    expect(second.stdout).not.toBe(first.stdout);
  });
});

describe("a connection's runner: its commands one after another in one session", () => {
  const sid = write([raw('ps -o sid= -p $$')]);

  it('commands in a row share one session; cd, export and exit end with their command', async () => {
    const b = backend();
    const t = target('web2');
    const first = await b.exec(t, write([raw('cd /tmp && export DEPLOY_T=1 && ps -o sid= -p $$')]));
    const second = await b.exec(t, write([raw('echo "${DEPLOY_T:-unset} $PWD"; ps -o sid= -p $$; exit 3')]));
    const third = await b.exec(t, sid);
    expect(first.code).toBe(0);
    expect(second.code).toBe(3);
    const [env, sameSession] = second.stdout.trim().split('\n');
    expect(env).not.toMatch(/^1 |\/tmp$/);
    expect(sameSession!.trim()).toBe(first.stdout.trim());
    expect(third.stdout).toBe(first.stdout);
  });

  it("a command's output is its own: no final newline, both streams, another runner's mark in it", async () => {
    const b = backend();
    const t = target('web2');
    const r = await b.exec(t, write([raw("printf 'a\\036deploy:ran:ffff 0\\nb'; printf e >&2; exit 5")]));
    expect(r).toMatchObject({ code: 5, stdout: 'a\x1edeploy:ran:ffff 0\nb', stderr: 'e' });
    expect(await b.exec(t, read(['echo', 'next']))).toMatchObject({ code: 0, stdout: 'next\n', stderr: '' });
  });

  it('a timeout kills its command with what that started, not what an earlier command left running; the runner goes on', async () => {
    const b = backend();
    const t = target('web2');
    const pids = async (n: number) => (await b.exec(t, read(['sh', '-c', `pgrep -fx "sleep ${n}" || true`]))).stdout.trim();
    try {
      const before = await b.exec(t, sid);
      expect((await b.exec(t, write([raw('sleep 39 >/dev/null 2>&1 &')]))).code).toBe(0);
      const r = await b.exec(t, script('sleep 38 & sleep 38; echo never'), { timeoutMs: 300 });
      expect(r).toMatchObject({ code: 124, stdout: '' });
      expect(await pids(38)).toBe('');
      expect(await pids(39)).not.toBe('');
      expect((await b.exec(t, sid)).stdout).toBe(before.stdout);
      expect(b.openConnections).toBe(1);
    } finally {
      await b.exec(t, read(['sh', '-c', 'pkill -fx "sleep 39" || true']));
    }
  });

  it("a lost connection: the watchdog kills the runner's running command, not what an earlier command left running", async () => {
    const b = backend();
    const look = backend();
    const t = target('web2');
    const pids = async (n: number) => (await look.exec(t, read(['sh', '-c', `pgrep -fx "sleep ${n}" || true`]))).stdout.trim();
    try {
      expect((await b.exec(t, write([raw('sleep 36 >/dev/null 2>&1 &')]))).code).toBe(0);
      const failed = rejection(b.exec(t, script('sleep 35'), { step: 'deploy:wait' }));
      await until(pids.bind(null, 35), { timeout: 5000, what: 'sleep 35 running' });
      dropConnections(f, 'web2');
      expect(await failed).toBeInstanceOf(ConnectionError);
      // The drop cut `look`'s connection too: its first command after it may be lost, and the next reconnects.
      await until(
        () =>
          pids(35).then(
            (p) => p === '',
            () => false,
          ),
        { timeout: 5000, what: 'sleep 35 killed by the watchdog' },
      );
      expect(await pids(36)).not.toBe('');
    } finally {
      await look.exec(t, read(['sh', '-c', 'pkill -fx "sleep 3[56]" || true']));
    }
  });

  it('a command started while the runner is busy gets a session of its own', async () => {
    const b = backend();
    const t = target('web2');
    const flag = `/tmp/deploy-runner-${randomBytes(4).toString('hex')}`;
    const runnerSid = (await b.exec(t, sid)).stdout;
    const busy = b.exec(t, write([raw(`while [ ! -e ${flag} ]; do sleep 0.05; done; rm ${flag}; ps -o sid= -p $$`)]));
    const beside = await b.exec(t, write([raw(`ps -o sid= -p $$; touch ${flag}`)]));
    expect((await busy).stdout).toBe(runnerSid);
    expect(beside.stdout).not.toBe(runnerSid);
    expect((await b.exec(t, sid)).stdout).toBe(runnerSid);
  });
});

describe('timeouts and interruption', () => {
  it('a command over its timeout is killed (with its children) and reported as code 124', async () => {
    const b = backend();
    const t0 = performance.now();
    const r = await b.exec(target('web1'), script('sleep 37 & sleep 37; echo never'), { timeoutMs: 300 });
    expect(performance.now() - t0).toBeLessThan(3000);
    expect(r).toMatchObject({ code: 124, timedOut: true, stdout: '' });
    expect(r.stderr).toMatch(/timed out after 0\.3s on web1/);
    const left = await b.exec(target('web1'), read(['sh', '-c', 'pgrep -fx "sleep 37" || true']));
    expect(left.stdout).toBe('');
  });

  it('uses the target commandTimeoutMs when no timeout is passed', async () => {
    const r = await backend().exec(target('web1', { commandTimeoutMs: 200 }), script('sleep 5'));
    expect(r.code).toBe(124);
  });

  it('aborting kills the command and rejects with InterruptedError naming host and step', async () => {
    const ac = new AbortController();
    setTimeout(() => ac.abort(), 200);
    const t0 = performance.now();
    const err = await rejection(
      backend().exec(target('web1'), script('sleep 30', { description: 'long sleep' }), { signal: ac.signal, step: 'deploy:wait' }),
    );
    expect(performance.now() - t0).toBeLessThan(3000);
    expect(err).toBeInstanceOf(InterruptedError);
    expect(err.message).toBe('web1: deploy:wait: interrupted while running long sleep');
  });
});

describe('upload', () => {
  it('puts a file over SFTP with progress; the remote sha256 matches', async () => {
    const local = join(tmp, 'blob.bin');
    const data = randomBytes(3 * 1024 * 1024 + 17);
    writeFileSync(local, data);
    const progress: Array<[number, number]> = [];
    const b = backend();
    const t0 = performance.now();
    await b.upload(target('web1'), local, '/tmp/blob.bin', { onProgress: (n, total) => progress.push([n, total]), mode: 0o640 });
    console.log(`[ssh latency] 3 MB upload ${(performance.now() - t0).toFixed(0)} ms`);
    expect(progress.at(-1)).toEqual([data.length, data.length]);
    const r = await b.exec(target('web1'), read(['sh', '-c', 'sha256sum /tmp/blob.bin; stat -c %a /tmp/blob.bin']));
    const [sum, mode] = r.stdout.trim().split('\n');
    expect(sum!.split(' ')[0]).toBe(createHash('sha256').update(data).digest('hex'));
    expect(mode).toBe('640');
  });

  it('a failed upload names host, step and remote path', async () => {
    const local = join(tmp, 'small.txt');
    writeFileSync(local, 'x');
    const err = await rejection(backend().upload(target('web1'), local, '/no/such/dir/file.txt', { step: 'deploy:transfer' }));
    expect(err).toBeInstanceOf(StepFailedError);
    expect(err.message).toMatch(/^web1: deploy:transfer: cannot upload .*small\.txt to \/no\/such\/dir\/file\.txt: /);
    const missing = await rejection(backend().upload(target('web1'), join(tmp, 'nope'), '/tmp/nope'));
    expect(missing.message).toMatch(/^web1: upload: cannot upload .*nope: ENOENT/);
  });
});

describe('directory operations over SFTP (a command with DirOps)', () => {
  const base = () => `/tmp/dirops-${randomBytes(4).toString('hex')}`;
  const ops = (d: string) => ({ emptied: `${d}/uploads`, ensure: [`${d}/uploads`, `${d}/releases`], create: `${d}/releases/1` });
  const list = async (b: SshBackend, d: string) => {
    const found = (await b.exec(target('web1'), read(['find', '.'], { cwd: d }))).stdout.trim().split('\n');
    return `${found.sort().join('\n')}\n`;
  };

  it('a command whose text would fail succeeds as its DirOps: every dir made, no shell started for it', async () => {
    const b = backend();
    const d = base();
    await b.exec(target('web1'), write(['mkdir', '-p', `${d}/uploads`]));
    const r = await b.exec(target('web1'), script('echo the text ran; exit 7', { dirs: ops(d) }));
    expect(r).toMatchObject({ code: 0, stdout: '', stderr: '' });
    expect(await list(b, d)).toBe('.\n./releases\n./releases/1\n./uploads\n');
  });

  it('a release dir that exists, or an upload dir that holds a file: the text runs, and finds the host as it was', async () => {
    const b = backend();
    const taken = base();
    await b.exec(target('web1'), write(['mkdir', '-p', `${taken}/releases/1/x`]));
    const r1 = await b.exec(target('web1'), script('echo the text ran; exit 7', { dirs: ops(taken) }));
    expect(r1).toMatchObject({ code: 7, stdout: 'the text ran\n' });
    expect(await list(b, taken)).toBe('.\n./releases\n./releases/1\n./releases/1/x\n./uploads\n');
    const busy = base();
    await b.exec(target('web1'), and([write(['mkdir', '-p', `${busy}/uploads`]), write(['touch', `${busy}/uploads/old.tar.gz`])]));
    const r2 = await b.exec(target('web1'), script('echo the text ran; exit 7', { dirs: ops(busy) }));
    expect(r2).toMatchObject({ code: 7, stdout: 'the text ran\n' });
    expect(await list(b, busy)).toBe('.\n./releases\n./uploads\n./uploads/old.tar.gz\n');
  });
});

describe('host keys', () => {
  it('refuses a changed key: exit 4, names host, both fingerprints, and how to fix it', async () => {
    const kh = join(tmp, 'kh_wrong');
    const web2Key = hostKey('web2').toString('base64');
    const web1 = target('web1');
    writeFileSync(kh, `web1,${web1.address} ssh-ed25519 ${web2Key}\n`);
    const err = await rejection(backend().exec({ ...web1, knownHosts: [kh] }, read(['true']), { step: 'preflight' }));
    expect(err).toBeInstanceOf(ConnectionError);
    expect((err as ConnectionError).exitCode).toBe(ExitCode.connection);
    expect(err.message).toContain('web1: preflight: host key verification failed');
    expect(err.message).toContain('CHANGED');
    expect(err.message).toContain(fingerprint(hostKey('web1')));
    expect(err.message).toContain(fingerprint(hostKey('web2')));
    expect((err as ConnectionError).hint).toMatch(/ssh-keygen -R .* ssh-keyscan/);
  });

  it('refuses an unknown host (no trust on first use): exit 4, names host and the fingerprint it got', async () => {
    const kh = join(tmp, 'kh_empty');
    writeFileSync(kh, '# nothing\n');
    const web1 = target('web1');
    const err = await rejection(backend().exec({ ...web1, knownHosts: [kh, join(tmp, 'absent')] }, read(['true'])));
    expect(err).toBeInstanceOf(ConnectionError);
    expect((err as ConnectionError).exitCode).toBe(4);
    expect(err.message).toMatch(new RegExp(`^web1: host key verification failed: ${web1.address.replace(/\./g, '\\.')} is unknown`));
    expect(err.message).toContain(`ssh-ed25519 key ${fingerprint(hostKey('web1'))}`);
    expect((err as ConnectionError).hint).toContain(`ssh-keyscan -t ssh-ed25519 ${web1.address} >> ${kh}`);
  });

  it('an unknown host is accepted only when strict checking is off; a changed key never is', async () => {
    const empty = join(tmp, 'kh_empty2');
    writeFileSync(empty, '');
    const r = await backend().exec(target('web1', { knownHosts: [empty], strictHostKeys: false }), read(['true']));
    expect(r.code).toBe(0);
    const wrong = join(tmp, 'kh_wrong2');
    writeFileSync(wrong, `${target('web1').address} ssh-ed25519 ${hostKey('web2').toString('base64')}\n`);
    const err = await rejection(backend().exec(target('web1', { knownHosts: [wrong], strictHostKeys: false }), read(['true'])));
    expect(err.message).toContain('CHANGED');
  });

  it('accepts hashed entries written by ssh-keygen -H', async () => {
    const kh = join(tmp, 'kh_hashed');
    writeFileSync(kh, readFileSync(f.knownHosts));
    execFileSync('ssh-keygen', ['-H', '-f', kh], { stdio: 'ignore' });
    expect(readFileSync(kh, 'utf8')).toMatch(/^\|1\|/);
    const r = await backend().exec(target('web1', { knownHosts: [kh] }), read(['hostname']));
    expect(r.stdout).toBe('web1\n');
  });

  it('refuses a @revoked key even if another line trusts it', async () => {
    const kh = join(tmp, 'kh_revoked');
    const key = hostKey('web1').toString('base64');
    writeFileSync(kh, `${readFileSync(f.knownHosts, 'utf8')}@revoked * ssh-ed25519 ${key}\n`);
    const err = await rejection(backend().exec(target('web1', { knownHosts: [kh] }), read(['true'])));
    expect(err.message).toMatch(/web1: host key verification failed: .* REVOKED/);
    expect(err.message).toContain(`${kh}:`);
  });

  it('uses HostKeyAlias: the key is looked up under the alias, not the address', async () => {
    const kh = join(tmp, 'kh_alias');
    writeFileSync(kh, `web1-alias ssh-ed25519 ${hostKey('web1').toString('base64')}\n`);
    const r = await backend().exec(target('web1', { knownHosts: [kh], hostKeyAlias: 'web1-alias' }), read(['true']));
    expect(r.code).toBe(0);
  });
});

describe('connection failures', () => {
  it('connection refused → ConnectionError naming the host and address', async () => {
    const unused = `${netOf(f)}.251`;
    const err = await rejection(backend().exec(target('web1', { name: 'ghost1', address: unused }), read(['true'])));
    expect(err).toBeInstanceOf(ConnectionError);
    expect(err.message).toBe(`ghost1: connection refused by ${unused}:22`);
    expect((err as ConnectionError).hint).toContain('sshd');
  });

  it('a wrong key → authentication error listing what was tried', async () => {
    const key = join(tmp, 'stranger');
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', key]);
    const err = await rejection(backend().exec(target('web1', { identityFiles: [key, join(tmp, 'missing_key')] }), read(['true'])));
    expect(err).toBeInstanceOf(ConnectionError);
    expect(err.message).toMatch(/^web1: authentication as deploy failed on .*; tried .*stranger; skipped .*missing_key \(not found\)/);
  });

  it('no usable key at all → a ConnectionError before connecting', async () => {
    const err = await rejection(
      backend().exec(target('web1', { identityFiles: [join(tmp, 'missing_key'), `${f.key}.pub`] }), read(['true'])),
    );
    expect(err.message).toMatch(/^web1: no SSH key to log in as deploy with: .*missing_key \(not found\), .*\.pub \(a public key/);
  });

  it('a non-22 port is checked as [address]:port; refused port 22 names the host', async () => {
    const web2 = target('web2');
    await refuse(f, 'web2');
    try {
      const err = await rejection(backend().exec(web2, read(['true'])));
      expect(err.message).toBe(`web2: connection refused by ${web2.address}:22`);

      const plain = join(tmp, 'kh_plain_only');
      writeFileSync(plain, `${web2.address} ssh-ed25519 ${hostKey('web2').toString('base64')}\n`);
      const wrongName = await rejection(backend().exec({ ...web2, port: 2222, knownHosts: [plain] }, read(['true'])));
      expect(wrongName.message).toContain(`[${web2.address}]:2222 is unknown`);

      const bracket = join(tmp, 'kh_bracket');
      writeFileSync(bracket, `[${web2.address}]:2222 ssh-ed25519 ${hostKey('web2').toString('base64')}\n`);
      const r = await backend().exec({ ...web2, port: 2222, knownHosts: [bracket] }, read(['hostname']));
      expect(r.stdout).toBe('web2\n');
    } finally {
      await restore(f, 'web2');
    }
  });
});

describe('a host that goes away', () => {
  it('a running command fails with "connection lost" naming the host; the next command reconnects', async () => {
    const b = backend();
    const t = target('web2');
    const failed = rejection(b.exec(t, script('sleep 30', { description: 'a long sleep' }), { step: 'deploy:wait' }));
    await new Promise((r) => setTimeout(r, 300));
    await stopHost(f, 'web2');
    try {
      const err = await failed;
      expect(err).toBeInstanceOf(ConnectionError);
      expect(err.message).toMatch(/^web2: deploy:wait: connection lost while running a long sleep/);
    } finally {
      await startHost(f, 'web2');
    }
    const r = await b.exec(t, read(['hostname']));
    expect(r.stdout).toBe('web2\n');
  });
});

describe('jump host', () => {
  it('reaches web2 through web1 (forwardOut as the socket), both host keys verified', async () => {
    const b = backend();
    const t = target('web2', { jump: target('web1') });
    const r = await b.exec(t, script('hostname; echo "$SSH_CONNECTION"'));
    const [name, conn] = r.stdout.trim().split('\n');
    expect(name).toBe('web2');
    expect(b.openConnections).toBe(2);
    // The TCP connection web2 sees was opened by a process of the deploy user (web1's sshd forwarding it), not by
    // this test process (root), which would own a direct connection. The hosts share one network namespace.
    const sourcePort = conn!.split(' ')[1];
    const uid = (await b.exec(target('web1'), read(['id', '-u']))).stdout.trim();
    expect(uid).not.toBe('0');
    const socket = await b.exec(target('web1'), read(['ss', '-Htne', 'sport', '=', `:${sourcePort}`]));
    expect(socket.stdout).toContain(`uid:${uid} `);
  });

  it('a jump host with a wrong key is refused, naming the jump host and the final host', async () => {
    const kh = join(tmp, 'kh_jump_wrong');
    writeFileSync(kh, `${target('web1').address} ssh-ed25519 ${hostKey('db1').toString('base64')}\n`);
    const t = target('web2', { jump: target('web1', { knownHosts: [kh] }) });
    const err = await rejection(backend().exec(t, read(['true'])));
    expect(err).toBeInstanceOf(ConnectionError);
    expect(err.message).toMatch(/^web2: cannot reach jump host web1: web1: host key verification failed: .*CHANGED/);
  });

  it('the final host behind a jump is verified too', async () => {
    const kh = join(tmp, 'kh_final_wrong');
    writeFileSync(kh, `${target('web2').address} ssh-ed25519 ${hostKey('web1').toString('base64')}\n`);
    const t = target('web2', { knownHosts: [kh], jump: target('web1') });
    const err = await rejection(backend().exec(t, read(['true'])));
    expect(err.message).toMatch(/^web2: host key verification failed: .*CHANGED/);
  });

  it('the jump cannot reach the final host → names both', async () => {
    const t = target('web2', { name: 'ghost2', address: `${netOf(f)}.252`, jump: target('web1') });
    const err = await rejection(backend().exec(t, read(['true'])));
    expect(err.message).toMatch(/^ghost2: jump host web1 could not connect to .*\.252:22/);
  });
});

describe('resolveTargets with the fleet ssh_config', () => {
  it('resolves aliases (HostName, User, IdentityFile, known hosts, HostKeyAlias) and ssh.jump by host name', async () => {
    const hosts = f.hosts.map((h) => ({ name: h.name, address: h.name, roles: h.roles, vars: {}, primary: false }));
    const config = {
      file: join(tmp, 'deploy.yml'),
      hosts,
      ssh: { user: 'nobody', port: 22, forwardAgent: false, connectTimeout: 5, commandTimeout: 60, parallel: 5, jump: 'web1' },
    } as unknown as Config;
    const targets = resolveTargets(config, hosts, {
      home: tmp,
      env: {},
      sshConfigText: readFileSync(f.sshConfig, 'utf8'),
      sshConfigFile: f.sshConfig,
    });
    const web2 = targets.find((t) => t.name === 'web2')!;
    expect(web2).toMatchObject({ user: 'deploy', identityFiles: [f.key], hostKeyAlias: 'web2' });
    expect(web2.jump?.name).toBe('web1');
    const b = backend();
    const rs = await Promise.all(targets.map((t) => b.exec(t, write(['hostname']))));
    expect(rs.map((r) => r.stdout.trim())).toEqual(f.hosts.map((h) => h.name));
  });
});

describe('write effect', () => {
  it('the SSH backend runs writes (only the dry-run backend holds them back)', async () => {
    const b = backend();
    await b.exec(target('web1'), write(['sh', '-c', 'echo written > /tmp/ssh-it-write']));
    expect((await b.exec(target('web1'), read(['cat', '/tmp/ssh-it-write']))).stdout).toBe('written\n');
  });
});
