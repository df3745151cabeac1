import { PREFLIGHT_EXIT, preflight, type PreflightParams } from '../commands/preflight.js';
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
  /** Git sources: whether the host could read the repository (null: not checked), and what git said if not. */
  readonly repository: { readonly ok: boolean; readonly error: string } | null;
  /** A first deploy: the app's port on the host's address, and whether something already holds it (null: not checked). */
  readonly port: { readonly port: number; readonly taken: boolean; readonly curlExit?: number } | null;
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
  let repoOk: boolean | null = null;
  const repoErrors: string[] = [];
  let port: PreflightReport['port'] = null;
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
      case 'repo':
        repoOk = rest === 'ok' ? true : rest === 'failed' ? false : repoOk;
        break;
      case 'repo-error':
        if (rest.trim()) repoErrors.push(rest.trim());
        break;
      case 'port-free':
      case 'port-taken': {
        const [n, code] = rest.split(' ');
        if (n && /^\d+$/.test(n))
          port = { port: Number(n), taken: key === 'port-taken', ...(code && /^\d+$/.test(code) ? { curlExit: Number(code) } : {}) };
        break;
      }
    }
  }
  const repository = repoOk === null ? null : { ok: repoOk, error: repoOk ? '' : repoErrors.join(' ') };
  return { tools, missingTools, exists, probeDir, disk, writable, removableKiB, repository, port };
}

export const preflightReport = (params: PreflightParams): Fact<PreflightReport> => fact(preflight(params), parsePreflight);

/**
 * Output of `preflightThen`: the check's output and exit status (null when the script did not get that far), and
 * what the next command printed.
 */
export function splitPreflightThen(stdout: string): { readonly check: string; readonly code: number | null; readonly next: string } {
  const at = stdout.search(new RegExp(`(^|\\n)${PREFLIGHT_EXIT} \\d+\\n`));
  if (at < 0) return { check: stdout, code: null, next: '' };
  const start = stdout[at] === '\n' ? at + 1 : at;
  const end = stdout.indexOf('\n', start);
  return {
    check: stdout.slice(0, start),
    code: Number(stdout.slice(start + PREFLIGHT_EXIT.length + 1, end)),
    next: stdout.slice(end + 1),
  };
}
