import { requestStream } from './stream.js';

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
  const answers: Answer[] = [];
  const stream = requestStream(url, {
    concurrency: o.concurrency ?? 2,
    pauseMs: o.pauseMs ?? 20,
    ...(o.maxSeconds !== undefined ? { maxSeconds: o.maxSeconds } : {}),
    onAnswer: (a) => {
      if (a.status === 0) return void answers.push({ at: a.at, status: 0, error: a.error! });
      let facts: { host?: string; version?: string } = {};
      try {
        facts = JSON.parse(a.body) as typeof facts;
      } catch {
        // not the app's JSON (nginx's own error page): status alone
      }
      answers.push({
        at: a.at,
        status: a.status,
        ...(facts.host ? { host: facts.host } : {}),
        ...(facts.version ? { version: facts.version } : {}),
      });
    },
  });
  return {
    answers,
    async stop(): Promise<Answer[]> {
      await stream.stop();
      return answers;
    },
  };
}
