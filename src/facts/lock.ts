import { Buffer } from 'node:buffer';
import { status, type LockInfo } from '../commands/lock.js';
import type { Paths } from '../commands/paths.js';
import { fact, lines, type Fact } from './fact.js';

export type LockStatus =
  | { readonly state: 'unlocked' }
  | { readonly state: 'locked'; readonly release: string; readonly info: LockInfo }
  /** A lock dir whose owner file is missing or unreadable (a deploy died while taking it, or someone edited it). */
  | { readonly state: 'malformed'; readonly release: string; readonly error: string; readonly raw: string };

const FIELDS = ['owner', 'time', 'message', 'release', 'expires'] as const;

/** The owner file's base64 JSON, or a reason it is not one. */
export function decodeLockInfo(encoded: string): LockInfo | { error: string } {
  const text = encoded.trim();
  if (text === '') return { error: 'the lock has no owner file' };
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(text) || text.length % 4 !== 0) return { error: 'the owner file is not base64' };
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(text, 'base64').toString('utf8'));
  } catch {
    return { error: 'the owner file does not hold JSON' };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return { error: 'the owner file is not a JSON object' };
  }
  const record = value as Record<string, unknown>;
  const missing = FIELDS.filter((f) => typeof record[f] !== 'string');
  if (missing.length > 0) return { error: `the owner file lacks ${missing.join(', ')}` };
  const info = Object.fromEntries(FIELDS.map((f) => [f, record[f]])) as unknown as LockInfo;
  for (const f of ['time', 'expires'] as const) {
    if (Number.isNaN(Date.parse(info[f]))) return { error: `the owner file's ${f} is not a date: ${info[f]}` };
  }
  return Object.freeze(info);
}

/** Parses the output of commands/lock.ts `status`. */
export function parseLockStatus(stdout: string): LockStatus {
  const out = lines(stdout);
  if (out.length === 0) return { state: 'unlocked' };
  const field = (name: string) => out.find((l) => l.startsWith(`${name} `))?.slice(name.length + 1).trim() ?? '';
  const release = field('release');
  const owner = field('owner');
  if (out[0] !== 'locked') {
    return { state: 'malformed', release, error: 'unexpected lock status output', raw: stdout };
  }
  const info = decodeLockInfo(owner);
  if ('error' in info) return { state: 'malformed', release, error: info.error, raw: owner };
  return { state: 'locked', release: release || info.release, info };
}

export const lockStatus = (p: Paths): Fact<LockStatus> => fact(status(p), parseLockStatus);

/** Whether an unrenewed lock may be taken over. */
export const isExpired = (info: LockInfo, now: Date): boolean => Date.parse(info.expires) <= now.getTime();
