import { Agent, request } from 'node:http';

/** One answer (or failure) a client got through the balancer. */
export interface Answer {
  /** ms since epoch when it came back. */
  readonly at: number;
  /** 0: no HTTP answer (see `error`). */
  readonly status: number;
  readonly host?: string;
  readonly version?: string;
  readonly error?: string;
}

/**
 * A steady, bounded request stream (GET `url`, `concurrency` clients, each pausing `pauseMs` between requests)
 * that records every answer with its time, host and version (fixtures/app's `/info` and its injected 500s say
 * both), until `stop()` or `maxSeconds`.
 */
export function recordedLoad(url: string, o: { concurrency?: number; pauseMs?: number; maxSeconds?: number } = {}) {
  const agent = new Agent({ keepAlive: true, maxSockets: o.concurrency ?? 2 });
  const deadline = Date.now() + (o.maxSeconds ?? 120) * 1000;
  const answers: Answer[] = [];
  let stopped = false;
  const once = () =>
    new Promise<void>((done) => {
      const req = request(url, { agent, timeout: 10_000 }, (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (body += c));
        res.on('end', () => {
          let facts: { host?: string; version?: string } = {};
          try {
            facts = JSON.parse(body) as typeof facts;
          } catch {
            // not the app's JSON (nginx's own error page): status alone
          }
          answers.push({
            at: Date.now(),
            status: res.statusCode ?? 0,
            ...(facts.host ? { host: facts.host } : {}),
            ...(facts.version ? { version: facts.version } : {}),
          });
          done();
        });
      });
      req.on('timeout', () => req.destroy(new Error('timeout')));
      req.on('error', (e: NodeJS.ErrnoException) => {
        answers.push({ at: Date.now(), status: 0, error: e.code ?? e.message });
        done();
      });
      req.end();
    });
  const client = async () => {
    while (!stopped && Date.now() < deadline) {
      await once();
      await new Promise((r) => setTimeout(r, o.pauseMs ?? 20));
    }
  };
  const running = Promise.all(Array.from({ length: o.concurrency ?? 2 }, client));
  return {
    answers,
    async stop(): Promise<Answer[]> {
      stopped = true;
      await running;
      agent.destroy();
      return answers;
    },
  };
}
