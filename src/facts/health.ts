import { healthProbe, type HealthProbeParams } from '../commands/health.js';
import { fact, FactParseError, type Fact } from './fact.js';

export interface HealthResponse {
  /** HTTP status; 0 when nothing answered (curl's `000`). */
  readonly status: number;
  readonly body: string;
}

/** `<body>\n<status>` as printed by commands/health.ts. Empty output (no probe ran) reads as no answer. */
export function parseHealthResponse(stdout: string): HealthResponse {
  // A backend may add or keep a final newline after the status.
  const text = stdout.replace(/\r?\n$/, '');
  if (text === '') return { status: 0, body: '' };
  const nl = text.lastIndexOf('\n');
  const code = text.slice(nl + 1).trim();
  if (!/^\d{3}$/.test(code)) {
    throw new FactParseError('health check', 'no HTTP status at the end of the output', stdout);
  }
  return { status: Number(code), body: nl < 0 ? '' : text.slice(0, nl) };
}

export const healthCheck = (params: HealthProbeParams): Fact<HealthResponse> =>
  fact(healthProbe(params), parseHealthResponse);
