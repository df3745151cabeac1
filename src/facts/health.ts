import { healthProbe, type HealthProbeParams } from '../commands/health.js';
import { fact, FactParseError, type Fact } from './fact.js';

export interface HealthResponse {
  /** HTTP status; 0 when nothing answered (curl's `000`). */
  readonly status: number;
  readonly body: string;
  /** The last response's status line (`HTTP/1.1 302 Found`), when headers came. */
  readonly statusLine?: string;
  /** Its `Location` header, when it had one. */
  readonly location?: string;
}

const STATUS_LINE = /^HTTP\/\d(?:\.\d)? \d{3}/;

/**
 * `[<headers>\r\n\r\n …]<body>\n<status>` as printed by commands/health.ts: a header block per response (one per
 * redirect followed). Empty output (no probe ran) reads as no answer.
 */
export function parseHealthResponse(stdout: string): HealthResponse {
  // A backend may add or keep a final newline after the status.
  const text = stdout.replace(/\r?\n$/, '');
  if (text === '') return { status: 0, body: '' };
  const nl = text.lastIndexOf('\n');
  const code = text.slice(nl + 1).trim();
  if (!/^\d{3}$/.test(code)) {
    throw new FactParseError('health check', 'no HTTP status at the end of the output', stdout);
  }
  let rest = nl < 0 ? '' : text.slice(0, nl);
  let head: string | undefined;
  while (STATUS_LINE.test(rest)) {
    const end = /\r?\n\r?\n/.exec(rest);
    head = end ? rest.slice(0, end.index) : rest;
    rest = end ? rest.slice(end.index + end[0].length) : '';
  }
  if (head === undefined) return { status: Number(code), body: rest };
  const statusLine = head.split(/\r?\n/)[0]!.trim();
  const location = /^location:[ \t]*(.*?)\s*$/im.exec(head)?.[1];
  return { status: Number(code), body: rest, statusLine, ...(location ? { location } : {}) };
}

export const healthCheck = (params: HealthProbeParams): Fact<HealthResponse> => fact(healthProbe(params), parseHealthResponse);
