import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { SshTarget } from '../../src/backends/backend.js';
import { LocalBackend } from '../../src/backends/local.js';
import { InterruptedError, StepFailedError } from '../../src/errors.js';
import { read, script, write } from '../../src/shell/command.js';
import { Sensitive } from '../../src/shell/sensitive.js';

const local = new LocalBackend();
const here: SshTarget = {
  name: 'local',
  address: '127.0.0.1',
  port: 22,
  user: 'me',
  identityFiles: [],
  knownHosts: [],
  strictHostKeys: true,
  forwardAgent: false,
  connectTimeoutMs: 1000,
  keepaliveIntervalMs: 0,
};
const tmp = mkdtempSync(join(tmpdir(), 'local-it-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('LocalBackend.run (argv, no shell)', () => {
  it('passes arguments verbatim: nothing is interpreted by a shell', async () => {
    const r = await local.run(['printf', '%s|', '$HOME', '; rm -rf /', "it's", '*']);
    expect(r).toMatchObject({ code: 0, stdout: "$HOME|; rm -rf /|it's|*|", stderr: '' });
  });

  it('a non-zero exit and stderr are a result; output is untrimmed', async () => {
    const r = await local.run(['sh', '-c', 'echo out; echo err >&2; exit 3']);
    expect(r).toMatchObject({ code: 3, stdout: 'out\n', stderr: 'err\n' });
  });

  it('a missing program is code 127 with a message, like a shell', async () => {
    const r = await local.run(['definitely-not-a-program-xyz']);
    expect(r.code).toBe(127);
    expect(r.stderr).toMatch(/cannot run definitely-not-a-program-xyz/);
  });

  it('cwd, env and stdin; stdin is empty (EOF) when not given', async () => {
    const r = await local.run(['sh', '-c', 'pwd; echo "$X"; cat'], { cwd: tmp, env: { X: 'ex' }, stdin: 'in\n' });
    expect(r.stdout).toBe(`${tmp}\nex\nin\n`);
    expect((await local.run(['cat'], { timeoutMs: 5000 })).stdout).toBe('');
  });

  it('masks Sensitive argv and env values in output and lines', async () => {
    const lines: string[] = [];
    const r = await local.run(['sh', '-c', 'echo "$1 $TOKEN"', 'sh', new Sensitive('argsecret')], {
      env: { TOKEN: new Sensitive('envsecret') },
      onLine: (_s, l) => lines.push(l),
    });
    expect(r.stdout).toBe('*** ***\n');
    expect(lines).toEqual(['*** ***']);
  });

  it('a timeout kills it and gives code 124', async () => {
    const t0 = performance.now();
    const r = await local.run(['sleep', '20'], { timeoutMs: 200 });
    expect(performance.now() - t0).toBeLessThan(3000);
    expect(r).toMatchObject({ code: 124, timedOut: true });
    expect(r.stderr).toMatch(/timed out after 0\.2s on local/);
  });

  it('aborting rejects with InterruptedError', async () => {
    const ac = new AbortController();
    setTimeout(() => ac.abort(), 100);
    await expect(local.run(['sleep', '20'], { signal: ac.signal, step: 'build' })).rejects.toThrow(InterruptedError);
  });
});

describe('LocalBackend as a Backend', () => {
  it('exec runs the rendered Command with sh -c, cwd/env included, secrets masked', async () => {
    const r = await local.exec(here, read(['sh', '-c', 'pwd; echo "$PASS"'], { cwd: tmp, env: { PASS: new Sensitive('pa55word') } }));
    expect(r).toMatchObject({ code: 0, stdout: `${tmp}\n***\n` });
    const s = await local.exec(here, script('echo a && echo b | tr b c'));
    expect(s.stdout).toBe('a\nc\n');
  });

  it('write commands run too (dry runs are the DryRunBackend’s job)', async () => {
    const file = join(tmp, 'written');
    await local.exec(here, write(['sh', '-c', `echo yes > ${file}`]));
    expect(readFileSync(file, 'utf8')).toBe('yes\n');
  });

  it('upload copies the file with its mode and reports progress; failures name host, step and paths', async () => {
    const src = join(tmp, 'src.txt');
    writeFileSync(src, 'payload');
    const progress: number[][] = [];
    await local.upload(here, src, join(tmp, 'dst.txt'), { mode: 0o600, onProgress: (a, b) => progress.push([a, b]) });
    expect(readFileSync(join(tmp, 'dst.txt'), 'utf8')).toBe('payload');
    expect(statSync(join(tmp, 'dst.txt')).mode & 0o777).toBe(0o600);
    expect(progress).toEqual([[7, 7]]);
    const err = await local.upload(here, src, join(tmp, 'no', 'dir'), { step: 'transfer' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(StepFailedError);
    expect((err as Error).message).toMatch(/^local: transfer: cannot copy .*src\.txt to .*no\/dir: ENOENT/);
  });
});
