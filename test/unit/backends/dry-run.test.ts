import { describe, expect, it } from 'vitest';
import type { Backend, ExecOptions, ExecResult, SshTarget, UploadOptions } from '../../../src/backends/backend.js';
import { DryRunBackend } from '../../../src/backends/dry-run.js';
import { read, write, type Command } from '../../../src/shell/command.js';
import { Sensitive } from '../../../src/shell/sensitive.js';

class FakeBackend implements Backend {
  readonly calls: string[] = [];
  closed = false;
  exec(host: SshTarget, command: Command, _options?: ExecOptions): Promise<ExecResult> {
    this.calls.push(`exec ${host.name} ${command.tokens.join(' ')}`);
    return Promise.resolve({ code: 1, stdout: 'real output\n', stderr: '', durationMs: 3 });
  }
  upload(host: SshTarget, local: string, remote: string, _options?: UploadOptions): Promise<void> {
    this.calls.push(`upload ${host.name} ${local} ${remote}`);
    return Promise.resolve();
  }
  close(): Promise<void> {
    this.closed = true;
    return Promise.resolve();
  }
}

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

describe('DryRunBackend', () => {
  it('runs reads for real and passes their real result through', async () => {
    const inner = new FakeBackend();
    const dry = new DryRunBackend(inner);
    const r = await dry.exec(target('web1'), read(['test', '-e', '/srv/app/current']));
    expect(r).toEqual({ code: 1, stdout: 'real output\n', stderr: '', durationMs: 3 });
    expect(inner.calls).toEqual(['exec web1 test -e /srv/app/current']);
  });

  it('runs no write and no upload, and answers them with a synthetic success', async () => {
    const inner = new FakeBackend();
    const dry = new DryRunBackend(inner);
    const web1 = target('web1');
    const web2 = target('web2');
    const w = await dry.exec(web1, write(['mkdir', '-p', '/srv/app/releases/1'], { description: 'make release dir' }), {
      step: 'deploy:release',
    });
    expect(w).toEqual({ code: 0, stdout: '', stderr: '', durationMs: 0 });
    await dry.exec(web2, write(['echo', new Sensitive('hunter2')], { env: { TOKEN: new Sensitive('t0k') } }));
    await dry.upload(web1, '/tmp/a.tgz', '/srv/app/uploads/a.tgz', { step: 'deploy:transfer' });
    await dry.exec(web1, write(['ln', '-s', 'a', 'b']));
    expect(inner.calls).toEqual([]);
  });

  it('closes the inner backend', async () => {
    const inner = new FakeBackend();
    await new DryRunBackend(inner).close();
    expect(inner.closed).toBe(true);
  });
});
