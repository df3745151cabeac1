import type { Fleet } from '../../fleet/fleet.js';
import { until } from '../../support/until.js';
import { requestStream } from './stream.js';

export interface LoadResult {
  readonly requests: number;
  readonly failures: number;
  readonly errors: Record<string, number>;
  /**
   * Per client (each one sends its requests one after another), the versions it saw with repeats collapsed:
   * [['v1', 'v2'], …] when every client went from v1 to v2 once.
   */
  readonly versions: string[][];
  /** Per client, how long (ms) from its first change of version to its last: 0 when it changed at most once. */
  readonly changeWindows: number[];
}

/**
 * A steady, bounded stream of GET requests (keep-alive, like a browser or an API client) against `url` until
 * `stop()` is called or `maxSeconds` pass. Counts failures (connection errors, non-200) and the sequence of
 * versions the app reported.
 */
export function steadyLoad(url: string, o: { concurrency?: number; maxSeconds?: number; versionOf?: (body: string) => string } = {}) {
  const concurrency = o.concurrency ?? 4;
  const versionOf = o.versionOf ?? ((b: string) => (JSON.parse(b) as { version: string }).version);
  let failures = 0;
  const errors: Record<string, number> = {};
  const seen: string[][] = Array.from({ length: concurrency }, () => []);
  const changes: number[][] = Array.from({ length: concurrency }, () => []);
  const fail = (why: string) => {
    failures++;
    errors[why] = (errors[why] ?? 0) + 1;
  };
  const stream = requestStream(url, {
    concurrency,
    ...(o.maxSeconds !== undefined ? { maxSeconds: o.maxSeconds } : {}),
    onAnswer: (a, i) => {
      if (a.status === 0) return fail(a.error!);
      if (a.status !== 200) return fail(`HTTP ${a.status}`);
      const client = seen[i]!;
      try {
        const v = versionOf(a.body);
        if (client[client.length - 1] !== v) {
          if (client.length > 0) changes[i]!.push(Date.now());
          client.push(v);
        }
      } catch {
        fail('unparsable body');
      }
    },
  });
  return {
    get requests() {
      return stream.requests;
    },
    async stop(): Promise<LoadResult> {
      await stream.stop();
      const changeWindows = changes.map((c) => (c.length < 2 ? 0 : c[c.length - 1]! - c[0]!));
      return { requests: stream.requests, failures, errors, versions: seen, changeWindows };
    },
  };
}

/**
 * Runs `run` under a steady request stream through the fleet's balancer, from its first answers until a few came
 * after the run (from the pool it left behind); returns what the clients saw.
 */
export async function underLoad<T>(f: Fleet, run: () => Promise<T>): Promise<{ result: T; load: LoadResult }> {
  const load = steadyLoad(`${f.balancer!.url}/health`, { concurrency: 4, maxSeconds: 150 });
  let result: T;
  try {
    await until(() => load.requests >= 5, { timeout: 30_000, what: 'the first answers of the request stream' });
    result = await run();
    const after = load.requests + 5;
    await until(() => load.requests >= after, { timeout: 30_000, what: 'answers after the run' });
  } catch (e) {
    await load.stop();
    throw e;
  }
  return { result, load: await load.stop() };
}
