import { read } from '../shell/command.js';
export function healthUrl({ address, port, path }) {
    const host = address.includes(':') && !address.startsWith('[') ? `[${address}]` : address;
    return `http://${host}:${port}${path.startsWith('/') ? path : `/${path}`}`;
}
/**
 * Runs on the host itself: prints the body, a newline, and the status code (`000` when nothing answered;
 * curl then also exits non-zero). Parsed by facts/health.ts.
 */
export function healthProbe(params) {
    if (!Number.isInteger(params.port) || params.port < 1 || params.port > 65535) {
        throw new RangeError(`health check port out of range: ${params.port}`);
    }
    if (!(params.timeout > 0))
        throw new RangeError(`health check timeout must be > 0, got ${params.timeout}`);
    return read(['curl', '-sS', '-g', '-w', '\\n%{http_code}', '--max-time', String(params.timeout), healthUrl(params)], { description: `probe ${healthUrl(params)}` });
}
//# sourceMappingURL=health.js.map