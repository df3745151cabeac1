import { FactParseError, lines } from './fact.js';

export interface DiskUsage {
  readonly filesystem: string;
  readonly totalKiB: number;
  readonly usedKiB: number;
  readonly availableKiB: number;
  readonly mount: string;
}

// Filesystem and mount point may hold spaces; the four numeric columns between them anchor the split.
const DF_LINE = /^(.*?)\s+(\d+)\s+(\d+)\s+(\d+)\s+(?:\d+%|-)\s+(.*)$/;

/** One data line of `df -Pk`; null when it is not one (a header, an error, nothing). */
export function parseDfLine(line: string): DiskUsage | null {
  const m = DF_LINE.exec(line.trim());
  if (!m) return null;
  return {
    filesystem: m[1] ?? '',
    totalKiB: Number(m[2]),
    usedKiB: Number(m[3]),
    availableKiB: Number(m[4]),
    mount: m[5] ?? '',
  };
}

export function parseDiskFree(stdout: string): DiskUsage | null {
  const out = lines(stdout).filter((l) => l.trim() !== '');
  if (out.length === 0) return null;
  const usage = parseDfLine(out[out.length - 1] ?? '');
  if (!usage) throw new FactParseError('disk free', 'not df -Pk output', stdout);
  return usage;
}
