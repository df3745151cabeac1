import { preflight, type PreflightParams } from '../commands/preflight.js';
import { parseDfLine, type DiskUsage } from './disk.js';
import { fact, lines, type Fact } from './fact.js';

export interface PreflightReport {
  /** Tool name → where it was found. */
  readonly tools: Readonly<Record<string, string>>;
  readonly missingTools: readonly string[];
  /** Whether deploy_to exists yet; null when the output did not say. */
  readonly exists: boolean | null;
  /** deploy_to, or its nearest existing ancestor: where the disk and permission checks looked. */
  readonly probeDir: string | null;
  readonly disk: DiskUsage | null;
  readonly writable: boolean | null;
  /** KiB the deploy frees before it writes: releases that never went live, and uploads, left by earlier runs. */
  readonly removableKiB: number;
}

const yesNo = (v: string | undefined): boolean | null => (v === 'yes' ? true : v === 'no' ? false : null);

export function parsePreflight(stdout: string): PreflightReport {
  const tools: Record<string, string> = {};
  const missingTools: string[] = [];
  let exists: boolean | null = null;
  let probeDir: string | null = null;
  let disk: DiskUsage | null = null;
  let writable: boolean | null = null;
  let removableKiB = 0;
  const kib = (v: string | undefined) => (v !== undefined && /^\d+$/.test(v) ? Number(v) : 0);
  for (const line of lines(stdout)) {
    const space = line.indexOf(' ');
    const key = space < 0 ? line : line.slice(0, space);
    const rest = space < 0 ? '' : line.slice(space + 1);
    switch (key) {
      case 'tool': {
        const sep = rest.indexOf(' ');
        if (sep > 0) tools[rest.slice(0, sep)] = rest.slice(sep + 1);
        break;
      }
      case 'missing-tool':
        if (rest) missingTools.push(rest);
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

export const preflightReport = (params: PreflightParams): Fact<PreflightReport> =>
  fact(preflight(params), parsePreflight);
