import { read } from '../shell/command.js';
import { fact, FactParseError, lines } from './fact.js';
// Filesystem and mount point may hold spaces; the four numeric columns between them anchor the split.
const DF_LINE = /^(.*?)\s+(\d+)\s+(\d+)\s+(\d+)\s+(?:\d+%|-)\s+(.*)$/;
/** One data line of `df -Pk`; null when it is not one (a header, an error, nothing). */
export function parseDfLine(line) {
    const m = DF_LINE.exec(line.trim());
    if (!m)
        return null;
    return {
        filesystem: m[1] ?? '',
        totalKiB: Number(m[2]),
        usedKiB: Number(m[3]),
        availableKiB: Number(m[4]),
        mount: m[5] ?? '',
    };
}
export function parseDiskFree(stdout) {
    const out = lines(stdout).filter((l) => l.trim() !== '');
    if (out.length === 0)
        return null;
    const usage = parseDfLine(out[out.length - 1] ?? '');
    if (!usage)
        throw new FactParseError('disk free', 'not df -Pk output', stdout);
    return usage;
}
/** Space on the filesystem holding `path` (which must exist; preflight probes the nearest existing parent). */
export const diskFree = (path) => fact(read(['df', '-Pk', path], { description: `disk space at ${path}` }), parseDiskFree);
//# sourceMappingURL=disk.js.map