import { Agent, request } from 'node:http';

export interface Answer {
  readonly host: string;
  readonly version: string;
  /** ms since epoch when the answer came. */
  readonly at: number;
}

export interface MarkedResult {
  readonly requests: number;
  readonly failures: number;
  readonly errors: Record<string, number>;
  readonly answers: readonly Answer[];
}

/**
 * A steady, bounded stream of GET requests to fixtures/app's /health through the balancer, with a cookie (the beta
 * mark) or without; records which host and version answered each one, and counts failures (connection errors,
 * non-200). Requests go one after another per client, so the rate is bounded by the answers.
 */
export function markedLoad(url: string, o: { cookie?: string; concurrency?: number; maxSeconds?: number } = {}) {
  const agent = new Agent({ keepAlive: true, maxSockets: o.concurrency ?? 2 });
  const deadline = Date.now() + (o.maxSeconds ?? 120) * 1000;
  const answers: Answer[] = [];
  const errors: Record<string, number> = {};
  let requests = 0;
  let failures = 0;
  let stopped = false;
  const fail = (why: string) => {
    failures++;
    errors[why] = (errors[why] ?? 0) + 1;
  };
  const once = () =>
    new Promise<void>((done) => {
      const headers = o.cookie ? { cookie: o.cookie } : {};
      const req = request(url, { agent, headers, timeout: 10_000 }, (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (body += c));
        res.on('end', () => {
          requests++;
          if (res.statusCode !== 200) fail(`HTTP ${res.statusCode}`);
          else {
            try {
              const b = JSON.parse(body) as { host: string; version: string };
              answers.push({ host: b.host, version: b.version, at: Date.now() });
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
    while (!stopped && Date.now() < deadline) await once();
  };
  const running = Promise.all(Array.from({ length: o.concurrency ?? 2 }, worker));
  return {
    get answers(): readonly Answer[] {
      return answers;
    },
    async stop(): Promise<MarkedResult> {
      stopped = true;
      await running;
      agent.destroy();
      return { requests, failures, errors, answers };
    },
  };
}

/** `n` requests one after another; what answered them. */
export async function sample(url: string, n: number, cookie?: string): Promise<MarkedResult> {
  const load = markedLoad(url, { cookie, concurrency: 1, maxSeconds: 60 });
  const t0 = Date.now();
  while (load.answers.length < n && Date.now() - t0 < 60_000) await new Promise((r) => setTimeout(r, 20));
  return load.stop();
}
