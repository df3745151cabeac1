import { InterruptedError } from '../errors.js';

/**
 * Waits `ms`, or until `signal` aborts, and then rejects at once with an InterruptedError (the abort's reason when
 * it is one). Every wait of a run (batch pauses, canary watch, health retries, lock wait,
 * balancer polls) goes through here, so Ctrl-C never waits for a timer to run out.
 */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  if (signal?.aborted) return Promise.reject(reasonOf(signal));
  return new Promise((resolve, reject) => {
    const onAbort = () => {
      clearTimeout(timer);
      reject(reasonOf(signal!));
    };
    const timer = setTimeout(
      () => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      },
      Math.max(0, ms),
    );
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

function reasonOf(signal: AbortSignal): Error {
  return signal.reason instanceof InterruptedError ? signal.reason : new InterruptedError();
}
