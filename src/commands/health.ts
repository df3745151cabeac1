import { read, type Command } from '../shell/command.js';

export interface HealthProbeParams {
  readonly address: string;
  readonly port: number;
  readonly path: string;
  /** Seconds. */
  readonly timeout: number;
  /** Follow 3xx answers (at most MAX_REDIRECTS), judging the last one. */
  readonly followRedirects?: boolean;
}

export const MAX_REDIRECTS = 5;

export function healthUrl({ address, port, path }: Pick<HealthProbeParams, 'address' | 'port' | 'path'>): string {
  const host = address.includes(':') && !address.startsWith('[') ? `[${address}]` : address;
  return `http://${host}:${port}${path.startsWith('/') ? path : `/${path}`}`;
}

/**
 * Runs on the host itself: prints the response headers (each response's, when redirects are followed), the body,
 * a newline, and the status code (`000` when nothing answered; curl then also exits non-zero). The headers give a
 * failing check its status line and `Location`. Parsed by facts/health.ts.
 */
export function healthProbe(params: HealthProbeParams): Command {
  if (!Number.isInteger(params.port) || params.port < 1 || params.port > 65535) {
    throw new RangeError(`health check port out of range: ${params.port}`);
  }
  if (!(params.timeout > 0)) throw new RangeError(`health check timeout must be > 0, got ${params.timeout}`);
  return read(
    [
      'curl',
      '-sS',
      '-g',
      '-D',
      '-',
      ...(params.followRedirects ? ['-L', '--max-redirs', String(MAX_REDIRECTS)] : []),
      '-w',
      '\\n%{http_code}',
      '--max-time',
      String(params.timeout),
      healthUrl(params),
    ],
    { description: `probe ${healthUrl(params)}` },
  );
}
