import { until } from '../../support/until.js';
import { requestStream } from './stream.js';

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
  const answers: Answer[] = [];
  const errors: Record<string, number> = {};
  let failures = 0;
  const fail = (why: string) => {
    failures++;
    errors[why] = (errors[why] ?? 0) + 1;
  };
  const stream = requestStream(url, {
    ...(o.cookie ? { headers: { cookie: o.cookie } } : {}),
    concurrency: o.concurrency ?? 2,
    ...(o.maxSeconds !== undefined ? { maxSeconds: o.maxSeconds } : {}),
    onAnswer: (a) => {
      if (a.status === 0) return fail(a.error!);
      if (a.status !== 200) return fail(`HTTP ${a.status}`);
      try {
        const b = JSON.parse(a.body) as { host: string; version: string };
        answers.push({ host: b.host, version: b.version, at: a.at });
      } catch {
        fail('unparsable body');
      }
    },
  });
  return {
    get answers(): readonly Answer[] {
      return answers;
    },
    async stop(): Promise<MarkedResult> {
      await stream.stop();
      return { requests: stream.requests, failures, errors, answers };
    },
  };
}

/** `n` requests one after another; what answered them. */
export async function sample(url: string, n: number, cookie?: string): Promise<MarkedResult> {
  const load = markedLoad(url, { cookie, concurrency: 1, maxSeconds: 60 });
  let result: MarkedResult;
  try {
    await until(() => load.answers.length >= n, { timeout: 60_000, interval: 20, what: `${n} answers from ${url}` });
  } finally {
    result = await load.stop();
  }
  return result;
}
