import { Agent, request } from 'node:http';
import type { Fleet } from '../../fleet/fleet.js';

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
  const agent = new Agent({ keepAlive: true, maxSockets: o.concurrency ?? 4 });
  const versionOf = o.versionOf ?? ((b: string) => (JSON.parse(b) as { version: string }).version);
  const deadline = Date.now() + (o.maxSeconds ?? 120) * 1000;
  let stopped = false;
  let requests = 0;
  let failures = 0;
  const errors: Record<string, number> = {};
  const seen: string[][] = [];
  const changes: number[][] = [];
  const fail = (why: string) => {
    failures++;
    errors[why] = (errors[why] ?? 0) + 1;
  };
  const once = (client: string[], changed: number[]) =>
    new Promise<void>((done) => {
      const req = request(url, { agent, timeout: 10_000 }, (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (body += c));
        res.on('end', () => {
          requests++;
          if (res.statusCode !== 200) fail(`HTTP ${res.statusCode}`);
          else {
            try {
              const v = versionOf(body);
              if (client[client.length - 1] !== v) {
                if (client.length > 0) changed.push(Date.now());
                client.push(v);
              }
            } catch {
              fail('unparsable body');
            }
          }
          done();
        });
      });
      req.on('timeout', () => req.destroy(new Error('timeout')));
      req.on('error', (e: NodeJS.ErrnoException) => {
        requests++;
        fail(e.code ?? e.message);
        done();
      });
      req.end();
    });
  const worker = async () => {
    const client: string[] = [];
    const changed: number[] = [];
    seen.push(client);
    changes.push(changed);
    while (!stopped && Date.now() < deadline) await once(client, changed);
  };
  const running = Promise.all(Array.from({ length: o.concurrency ?? 4 }, worker));
  return {
    get requests() {
      return requests;
    },
    async stop(): Promise<LoadResult> {
      stopped = true;
      await running;
      agent.destroy();
      const changeWindows = changes.map((c) => (c.length < 2 ? 0 : c[c.length - 1]! - c[0]!));
      return { requests, failures, errors, versions: seen, changeWindows };
    },
  };
}

/** Runs `run` under a steady request stream through the fleet's balancer; returns what the clients saw. */
export async function underLoad<T>(f: Fleet, run: () => Promise<T>): Promise<{ result: T; load: LoadResult }> {
  const load = steadyLoad(`${f.balancer!.url}/health`, { concurrency: 4, maxSeconds: 150 });
  await new Promise((r) => setTimeout(r, 500));
  let result: T;
  try {
    result = await run();
  } finally {
    await new Promise((r) => setTimeout(r, 500));
  }
  return { result, load: await load.stop() };
}
