import { preflight } from '../commands/preflight.js';
import { parseDfLine } from './disk.js';
import { fact, lines } from './fact.js';
const yesNo = (v) => (v === 'yes' ? true : v === 'no' ? false : null);
export function parsePreflight(stdout) {
    const tools = {};
    const missingTools = [];
    let exists = null;
    let probeDir = null;
    let disk = null;
    let writable = null;
    let removableKiB = 0;
    const kib = (v) => (v !== undefined && /^\d+$/.test(v) ? Number(v) : 0);
    for (const line of lines(stdout)) {
        const space = line.indexOf(' ');
        const key = space < 0 ? line : line.slice(0, space);
        const rest = space < 0 ? '' : line.slice(space + 1);
        switch (key) {
            case 'tool': {
                const sep = rest.indexOf(' ');
                if (sep > 0)
                    tools[rest.slice(0, sep)] = rest.slice(sep + 1);
                break;
            }
            case 'missing-tool':
                if (rest)
                    missingTools.push(rest);
                break;
            case 'exists':
                exists = yesNo(rest);
                break;
            case 'probe-dir':
                probeDir = rest || null;
                break;
            case 'df':
                disk = parseDfLine(rest);
                break;
            case 'writable':
                writable = yesNo(rest);
                break;
            case 'leftover':
                removableKiB += kib(rest.split(' ')[1]);
                break;
            case 'uploads':
                removableKiB += kib(rest);
                break;
        }
    }
    return { tools, missingTools, exists, probeDir, disk, writable, removableKiB };
}
export const preflightReport = (params) => fact(preflight(params), parsePreflight);
//# sourceMappingURL=preflight.js.map