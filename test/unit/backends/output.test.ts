import { describe, expect, it } from 'vitest';
import { maskList, OutputCollector, timeoutNote, type Stream } from '../../../src/backends/output.js';

function collect(secrets: string[], chunks: Array<[Stream, string | Buffer]>) {
  const lines: Array<[Stream, string]> = [];
  const c = new OutputCollector(secrets, (s, l) => lines.push([s, l]));
  for (const [s, chunk] of chunks) c.push(s, chunk);
  return { ...c.finish(), lines };
}

describe('OutputCollector', () => {
  it('hands out complete lines only, holding partial ones until their newline or the end', () => {
    const { stdout, lines } = collect(
      [],
      [
        ['stdout', 'one\ntw'],
        ['stdout', 'o\nthr'],
        ['stdout', 'ee'],
      ],
    );
    expect(lines).toEqual([
      ['stdout', 'one'],
      ['stdout', 'two'],
      ['stdout', 'three'],
    ]);
    expect(stdout).toBe('one\ntwo\nthree');
  });

  it('keeps stdout and stderr apart and untrimmed, strips CR only from lines', () => {
    const { stdout, stderr, lines } = collect(
      [],
      [
        ['stdout', 'a\r\n'],
        ['stderr', 'warn\n'],
        ['stdout', '\n'],
      ],
    );
    expect(stdout).toBe('a\r\n\n');
    expect(stderr).toBe('warn\n');
    expect(lines).toEqual([
      ['stdout', 'a'],
      ['stderr', 'warn'],
      ['stdout', ''],
    ]);
  });

  it('decodes a multi-byte character split across chunks', () => {
    const euro = Buffer.from('€\n');
    const { stdout, lines } = collect(
      [],
      [
        ['stdout', euro.subarray(0, 1)],
        ['stdout', euro.subarray(1)],
      ],
    );
    expect(stdout).toBe('€\n');
    expect(lines).toEqual([['stdout', '€']]);
  });

  it('masks secrets in text and lines, also when a secret arrives split across chunks', () => {
    const { stdout, stderr, lines } = collect(
      ['hunter2', 's3cr3t'],
      [
        ['stdout', 'pass=hun'],
        ['stdout', 'ter2\n'],
        ['stderr', 'token s3cr3t leaked'],
      ],
    );
    expect(stdout).toBe('pass=***\n');
    expect(stderr).toBe('token *** leaked');
    expect(lines).toEqual([
      ['stdout', 'pass=***'],
      ['stderr', 'token *** leaked'],
    ]);
  });

  it('masks a multi-line secret whole in the text and line by line in onLine', () => {
    const key = '-----BEGIN KEY-----\nAAAAbase64stuff\n-----END KEY-----';
    const { stdout, lines } = collect([key], [['stdout', `${key}\n`]]);
    expect(stdout).toBe('***\n');
    expect(lines.map(([, l]) => l)).toEqual(['***', '***', '***']);
  });

  it('masks a secret a program printed JSON-escaped, URL-encoded or base64-encoded', () => {
    const secret = 'pa"ss\\wo rd/é';
    const { stdout, lines } = collect(
      [secret],
      [
        ['stdout', `{"password":${JSON.stringify(secret)}}\n`],
        ['stdout', `https://x/?p=${encodeURIComponent(secret)}\n${Buffer.from(secret).toString('base64')}\n`],
      ],
    );
    expect(lines.map(([, l]) => l)).toEqual(['{"password":"***"}', 'https://x/?p=***', '***']);
    expect(stdout).toBe('{"password":"***"}\nhttps://x/?p=***\n***\n');
  });

  it('notes start on a fresh line', () => {
    const c = new OutputCollector([]);
    c.push('stderr', 'partial');
    c.note('stderr', timeoutNote('web1', 1500));
    expect(c.finish().stderr).toBe('partial\ndeploy: timed out after 1.5s on web1; the command was killed\n');
    const d = new OutputCollector([]);
    d.note('stderr', 'x');
    expect(d.finish().stderr).toBe('x\n');
  });
});

describe('maskList', () => {
  it('drops empty secrets and adds the long lines of multi-line ones and base64 forms', () => {
    const list = maskList(['', 'a', 'line one\r\n}\nline two']);
    expect(list.slice(0, 2)).toEqual(['a', 'line one\r\n}\nline two']);
    expect(list).toEqual(expect.arrayContaining(['line one', 'line two', Buffer.from('line one\r\n}\nline two').toString('base64')]));
    expect(list).not.toContain('}');
    expect(list).not.toContain('');
  });
});
