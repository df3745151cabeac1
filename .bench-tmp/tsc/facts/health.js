import { healthProbe } from '../commands/health.js';
import { fact, FactParseError } from './fact.js';
/** `<body>\n<status>` as printed by commands/health.ts. Empty output (no probe ran) reads as no answer. */
export function parseHealthResponse(stdout) {
    // A backend may add or keep a final newline after the status.
    const text = stdout.replace(/\r?\n$/, '');
    if (text === '')
        return { status: 0, body: '' };
    const nl = text.lastIndexOf('\n');
    const code = text.slice(nl + 1).trim();
    if (!/^\d{3}$/.test(code)) {
        throw new FactParseError('health check', 'no HTTP status at the end of the output', stdout);
    }
    return { status: Number(code), body: nl < 0 ? '' : text.slice(0, nl) };
}
export const healthCheck = (params) => fact(healthProbe(params), parseHealthResponse);
//# sourceMappingURL=health.js.map