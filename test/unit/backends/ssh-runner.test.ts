import { EventEmitter } from 'node:events';
import type { ClientChannel } from 'ssh2';
import { describe, expect, it } from 'vitest';
import { OutputCollector } from '../../../src/backends/output.js';
import { Runner } from '../../../src/backends/ssh-runner.js';
import { until } from '../../support/until.js';

/** What a Runner uses of an ssh2 channel: data on both streams, exit, close, writes to stdin. */
class FakeChannel extends EventEmitter {
  readonly stderr = Object.assign(new EventEmitter(), { readableEnded: false });
  readonly written: string[] = [];
  readonly signals: string[] = [];
  writable = true;
  write(text: string): boolean {
    this.written.push(text);
    return true;
  }
  end(): void {
    this.writable = false;
  }
  signal(name: string): void {
    this.signals.push(name);
  }
  close(): void {}
  /** The session ends: exit status (undefined: none came), then the streams' ends and the close. */
  finish(status?: number): void {
    if (status !== undefined) this.emit('exit', status);
    this.stderr.readableEnded = true;
    this.stderr.emit('end');
    this.emit('close');
  }
}

const NONCE = 'abc123';
const mark = (code: number) => `\x1edeploy:ran:${NONCE} ${code}\n`;

function setup() {
  const channel = new FakeChannel();
  let closed = 0;
  const runner = new Runner(channel as unknown as ClientChannel, NONCE, () => closed++);
  return { channel, runner, closedCount: () => closed };
}

describe('Runner', () => {
  it('ends a command at its marks, wherever the chunks split them; the output before them is its own', async () => {
    const stdout = Buffer.from(`hello\nwor\x1eld${mark(3)}`);
    for (let cut = 0; cut <= stdout.length; cut++) {
      const { channel, runner } = setup();
      const out = new OutputCollector([]);
      runner.begin(out, 'script');
      channel.emit('data', stdout.subarray(0, cut));
      channel.stderr.emit('data', Buffer.from(`warn${mark(3)}`));
      channel.emit('data', stdout.subarray(cut));
      expect(await runner.wait(0, {})).toEqual({ kind: 'exit', code: 3 });
      expect(out.finish()).toEqual({ stdout: 'hello\nwor\x1eld', stderr: 'warn' });
      expect(runner.idle).toBe(true);
      expect(channel.written).toEqual(['script']);
    }
  });

  it('holds back only what may still become a mark: output with stray \\x1e and no newline flows on', async () => {
    const { channel, runner } = setup();
    const lines: string[] = [];
    const out = new OutputCollector([], (_stream, line) => lines.push(line));
    runner.begin(out);
    channel.emit('data', Buffer.from('a\x1eb\nc\x1edeploy:ran:other 1'));
    channel.emit('data', Buffer.from('\nd\x1edeploy:ran:'));
    expect(lines).toEqual(['a\x1eb', 'c\x1edeploy:ran:other 1']);
    channel.emit('data', Buffer.from(`${NONCE} 2\n`));
    channel.stderr.emit('data', Buffer.from(mark(2)));
    expect(await runner.wait(0, {})).toEqual({ kind: 'exit', code: 2 });
    expect(out.finish().stdout).toBe('a\x1eb\nc\x1edeploy:ran:other 1\nd');
  });

  it('waits for both marks; output after them and before the next command is dropped', async () => {
    const { channel, runner } = setup();
    const first = new OutputCollector([]);
    runner.begin(first);
    channel.emit('data', Buffer.from(`a\n${mark(0)}late\n`));
    let settled = false;
    const ended = runner.wait(0, {}).then((e) => {
      settled = true;
      return e;
    });
    await Promise.resolve();
    expect(settled).toBe(false);
    channel.stderr.emit('data', Buffer.from(mark(0)));
    expect(await ended).toEqual({ kind: 'exit', code: 0 });
    channel.emit('data', Buffer.from('stray\n'));
    const second = new OutputCollector([]);
    runner.begin(second, 'next');
    channel.emit('data', Buffer.from(`b\n${mark(1)}`));
    channel.stderr.emit('data', Buffer.from(mark(1)));
    expect(await runner.wait(0, {})).toEqual({ kind: 'exit', code: 1 });
    expect(first.finish().stdout).toBe('a\n');
    expect(second.finish().stdout).toBe('b\n');
  });

  it("a session that ends before the marks ends its command: with the session's exit status, or lost", async () => {
    for (const [status, ended] of [
      [137, { kind: 'exit', code: 137 }],
      [undefined, { kind: 'lost' }],
    ] as const) {
      const { channel, runner, closedCount } = setup();
      const out = new OutputCollector([]);
      runner.begin(out);
      channel.emit('data', Buffer.from('partial \x1edeploy:ran:'));
      channel.finish(status);
      expect(await runner.wait(0, {})).toEqual(ended);
      expect(out.finish().stdout).toBe('partial \x1edeploy:ran:');
      expect(runner.idle).toBe(false);
      expect(closedCount()).toBe(1);
      expect(() => runner.begin(out)).toThrow(/busy or closed/);
    }
  });

  it("a timeout sends the runner TERM (it kills the job's group); the job's marks end it as timed out, and the runner goes on", async () => {
    const { channel, runner } = setup();
    runner.begin(new OutputCollector([]));
    const ended = runner.wait(1, {});
    await until(() => channel.signals.length > 0, { timeout: 2000, interval: 1, what: 'the kill signal' });
    expect(channel.signals[0]).toBe('TERM');
    channel.emit('data', Buffer.from(mark(137)));
    channel.stderr.emit('data', Buffer.from(mark(137)));
    expect(await ended).toEqual({ kind: 'timeout' });
    expect(runner.idle).toBe(true);
  });

  it('an abort does the same, as interrupted; a runner that ends instead is not used again', async () => {
    const { channel, runner } = setup();
    runner.begin(new OutputCollector([]));
    const ac = new AbortController();
    const ended = runner.wait(0, { signal: ac.signal });
    ac.abort();
    expect(channel.signals).toEqual(['TERM']);
    channel.finish(143);
    expect(await ended).toEqual({ kind: 'aborted' });
    expect(runner.idle).toBe(false);
  });

  it('a session that ends with exit 97 before any mark is a host without bash; after a mark it is not', async () => {
    const none = setup();
    none.runner.begin(new OutputCollector([]));
    none.channel.finish(97);
    expect(await none.runner.wait(0, {})).toEqual({ kind: 'exit', code: 97 });
    expect(none.runner.unavailable).toBe(true);
    const ran = setup();
    ran.runner.begin(new OutputCollector([]));
    ran.channel.emit('data', Buffer.from(mark(0)));
    ran.channel.stderr.emit('data', Buffer.from(mark(0)));
    await ran.runner.wait(0, {});
    ran.runner.begin(new OutputCollector([]));
    ran.channel.finish(97);
    await ran.runner.wait(0, {});
    expect(ran.runner.unavailable).toBe(false);
  });
});
