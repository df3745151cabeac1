import { Agent, request } from 'node:http';

/** One request's outcome as a client saw it. */
export interface StreamAnswer {
  /** ms since epoch when it came back (or failed). */
  readonly at: number;
  /** 0: no HTTP answer (see `error`). */
  readonly status: number;
  readonly body: string;
  /** The connection error's code (ECONNRESET, `timeout`), when there was no answer. */
  readonly error?: string;
}

export interface StreamOptions {
  readonly headers?: Record<string, string>;
  /** Clients, each sending its requests one after another over keep-alive connections; default 2. */
  readonly concurrency?: number;
  /** A client's pause after each answer; default 0 (the rate is bounded by the answers). */
  readonly pauseMs?: number;
  /** The stream ends by itself after this long; default 120. */
  readonly maxSeconds?: number;
  /** A request without an answer after this long fails with `timeout`; default 10 000. */
  readonly timeoutMs?: number;
  /** Every answer or failure, with the index of the client that sent it. */
  readonly onAnswer: (answer: StreamAnswer, client: number) => void;
}

export interface RequestStream {
  /** Answers and failures so far. */
  readonly requests: number;
  /** Ends the stream: resolves once every client's request in flight has come back. */
  stop(): Promise<void>;
}

/**
 * A steady, bounded stream of GET requests to `url` (loopback only: the fleet's balancer) like a browser or an API
 * client sends them, until `stop()` or `maxSeconds`. The one request loop behind the integration tests' load helpers.
 */
export function requestStream(url: string, o: StreamOptions): RequestStream {
  const concurrency = o.concurrency ?? 2;
  const agent = new Agent({ keepAlive: true, maxSockets: concurrency });
  const deadline = Date.now() + (o.maxSeconds ?? 120) * 1000;
  let stopped = false;
  let requests = 0;
  const answer = (a: StreamAnswer, client: number) => {
    requests++;
    o.onAnswer(a, client);
  };
  const once = (client: number) =>
    new Promise<void>((done) => {
      const req = request(url, { agent, headers: o.headers ?? {}, timeout: o.timeoutMs ?? 10_000 }, (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (body += c));
        res.on('end', () => {
          answer({ at: Date.now(), status: res.statusCode ?? 0, body }, client);
          done();
        });
      });
      req.on('timeout', () => req.destroy(new Error('timeout')));
      req.on('error', (e: NodeJS.ErrnoException) => {
        answer({ at: Date.now(), status: 0, body: '', error: e.code ?? e.message }, client);
        done();
      });
      req.end();
    });
  const run = async (client: number) => {
    while (!stopped && Date.now() < deadline) {
      await once(client);
      if (o.pauseMs) await new Promise((r) => setTimeout(r, o.pauseMs));
    }
  };
  const running = Promise.all(Array.from({ length: concurrency }, (_, i) => run(i)));
  return {
    get requests() {
      return requests;
    },
    async stop() {
      stopped = true;
      await running;
      agent.destroy();
    },
  };
}
