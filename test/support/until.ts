export interface UntilOptions {
  /** Give up after this many milliseconds. */
  readonly timeout: number;
  /** Between two checks; default 50 ms. */
  readonly interval?: number;
  /** What is waited for, in the error (a function: evaluated at the time, e.g. to say what was seen last). */
  readonly what?: string | (() => string);
  /** Checked on every round; a string ends the wait at once with that explanation. */
  readonly abort?: () => string | undefined;
}

/**
 * Polls `condition` until it returns something truthy and returns that; fails after `timeout` ms, naming what it
 * waited for. The one way a test waits for something to happen: never a fixed sleep.
 */
export async function until<T>(condition: () => T | Promise<T>, o: UntilOptions): Promise<NonNullable<T>> {
  const deadline = Date.now() + o.timeout;
  const what = () => (typeof o.what === 'function' ? o.what() : (o.what ?? 'a condition'));
  for (;;) {
    const v = await condition();
    if (v) return v as NonNullable<T>;
    const why = o.abort?.();
    if (why) throw new Error(`${what()}: ${why}`);
    if (Date.now() > deadline) throw new Error(`timed out after ${o.timeout} ms waiting for ${what()}`);
    await new Promise((r) => setTimeout(r, o.interval ?? 50));
  }
}
