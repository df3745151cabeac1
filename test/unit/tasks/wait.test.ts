import { describe, expect, it } from 'vitest';
import { InterruptedError } from '../../../src/errors.js';
import { sleep } from '../../../src/tasks/wait.js';

describe('sleep', () => {
  it('resolves after the time', async () => {
    await expect(sleep(5)).resolves.toBeUndefined();
  });

  it('rejects at once when the signal aborts, with its reason', async () => {
    const abort = new AbortController();
    const waiting = sleep(60_000, abort.signal);
    abort.abort(new InterruptedError('interrupted by SIGINT'));
    await expect(waiting).rejects.toThrow('interrupted by SIGINT');
  });

  it('rejects when the signal was already aborted, with an InterruptedError by default', async () => {
    const abort = new AbortController();
    abort.abort();
    await expect(sleep(60_000, abort.signal)).rejects.toBeInstanceOf(InterruptedError);
  });
});
