import { describe, expect, it } from 'vitest';
import type { DeployEvent, EventSink } from '../../../src/output/events.js';
import { masking } from '../../../src/output/mask.js';

const SECRET = 's3cr3t-value';

function through(secrets: string[], events: DeployEvent[]): DeployEvent[] {
  const seen: DeployEvent[] = [];
  const sink = masking(secrets, (e) => void seen.push(e));
  events.forEach((e) => sink(e));
  return seen;
}

describe('masking', () => {
  it('masks a secret in every string of every event, nested ones included', () => {
    const seen = through(
      [SECRET],
      [
        { type: 'output', step: 'task:leak', host: 'web1', stream: 'stdout', line: `token=${SECRET}` },
        { type: 'host:end', step: 'x', host: 'web1', ok: false, durationMs: 1, error: `bad ${SECRET}`, tail: [`a ${SECRET} b`] },
        {
          type: 'run:end',
          outcome: 'failed',
          exitCode: 5,
          durationMs: 1,
          error: SECRET,
          summary: {
            stage: 's',
            hosts: [{ host: 'web1', previous: null, release: null, outcome: 'failed', durationMs: 0, error: `x${SECRET}x` }],
          },
        },
      ],
    );
    expect(JSON.stringify(seen)).not.toContain(SECRET);
    expect(seen[0]).toMatchObject({ line: 'token=***' });
    expect(seen[1]).toMatchObject({ error: 'bad ***', tail: ['a *** b'] });
    expect(JSON.stringify(seen[2])).toContain('"error":"x***x"');
  });

  it('masks each line of a multi-line secret, since output arrives a line at a time', () => {
    const key = '-----BEGIN KEY-----\nAAAAB3NzaC1yc2EAAAADAQAB\n-----END KEY-----';
    const seen = through([key], [{ type: 'output', step: 's', host: 'h', stream: 'stdout', line: 'AAAAB3NzaC1yc2EAAAADAQAB' }]);
    expect(seen[0]).toMatchObject({ line: '***' });
  });

  it('masks the encodings of a secret with quotes, backslashes and spaces: JSON, URL, base64', () => {
    const secret = 'a "quoted" \\ secret/+=';
    const seen = through(
      [secret],
      [
        { type: 'output', step: 's', host: 'h', stream: 'stdout', line: `{"t":${JSON.stringify(secret)}}` },
        { type: 'output', step: 's', host: 'h', stream: 'stdout', line: `?t=${new URLSearchParams({ t: secret }).toString().slice(2)}` },
        {
          type: 'run:end',
          outcome: 'failed',
          exitCode: 5,
          durationMs: 1,
          error: `token ${Buffer.from(secret).toString('base64url')} refused`,
        },
      ],
    );
    expect(seen.map((e) => ('line' in e ? e.line : 'error' in e ? e.error : ''))).toEqual(['{"t":"***"}', '?t=***', 'token *** refused']);
  });

  it('passes close through to the sink behind it', async () => {
    let closed = false;
    const sink: EventSink = () => undefined;
    sink.close = () => void (closed = true);
    await masking([SECRET], sink).close?.();
    expect(closed).toBe(true);
  });

  it('numbers and booleans stay as they are', () => {
    const [e] = through([SECRET], [{ type: 'command:exit', step: 's', host: 'h', code: 3, durationMs: 12 }]);
    expect(e).toEqual({ type: 'command:exit', step: 's', host: 'h', code: 3, durationMs: 12 });
  });
});
