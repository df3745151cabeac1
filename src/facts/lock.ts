import { Buffer } from 'node:buffer';
import { status, type LockInfo } from '../commands/lock.js';
import type { Paths } from '../commands/paths.js';
import { fact, lines, type Fact } from './fact.js';

/** Times of a lock by the lock host's clock, in seconds since the epoch. */
export interface LockClock {
  /** The host's `date +%s` when it was read. */
  readonly now: number;
  /** When the lock was taken; null when the lock does not say. */
  readonly since: number | null;
  /** Past this the lock may be taken over; for a lock without a readable expiry, its dir's mtime + ttl. */
  readonly expires: number;
}

export type LockStatus =
  | { readonly state: 'unlocked' }
  | { readonly state: 'locked'; readonly token: string; readonly info: LockInfo; readonly clock: LockClock }
  /** A lock dir whose owner file is missing or unreadable (a run died while taking it, or someone edited it). */
  | { readonly state: 'malformed'; readonly token: string; readonly error: string; readonly raw: string; readonly clock: LockClock };

const FIELDS = ['owner', 'message', 'verb', 'run', 'token'] as const;

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
  return Object.freeze(Object.fromEntries(FIELDS.map((f) => [f, record[f]])) as unknown as LockInfo);
}

const seconds = (v: string): number | null => (/^\d{1,12}$/.test(v) ? Number(v) : null);

/** Parses the output of commands/lock.ts `status` (and of a failed `acquire`); `ttl` dates a lock without expiry. */
export function parseLockStatus(stdout: string, ttl: number): LockStatus {
  const out = lines(stdout);
  if (out.length === 0) return { state: 'unlocked' };
  const field = (name: string) =>
    out
      .find((l) => l.startsWith(`${name} `))
      ?.slice(name.length + 1)
      .trim() ?? '';
  const now = seconds(field('now')) ?? 0;
  const mtime = seconds(field('mtime'));
  const clock: LockClock = { now, since: seconds(field('since')) ?? mtime, expires: seconds(field('expires')) ?? (mtime ?? 0) + ttl };
  const token = field('token');
  const owner = field('owner');
  if (out[0] !== 'locked') return { state: 'malformed', token, error: 'unexpected lock status output', raw: stdout, clock };
  const info = decodeLockInfo(owner);
  if ('error' in info) return { state: 'malformed', token, error: info.error, raw: owner, clock };
  if (token === '' || token !== info.token)
    return { state: 'malformed', token, error: 'the token file does not match the owner file', raw: owner, clock };
  return { state: 'locked', token, info, clock };
}

export const lockStatus = (p: Paths, ttl: number): Fact<LockStatus> => fact(status(p), (out) => parseLockStatus(out, ttl));

/** Whether a lock may be taken over: its expiry passed, by the lock host's clock. */
export const isExpired = (s: LockStatus): boolean => s.state !== 'unlocked' && s.clock.expires <= s.clock.now;

export type Acquired = { readonly acquired: true; readonly rest: string } | { readonly acquired: false; readonly status: LockStatus };

/** Output of `acquire`/`takeOver`: `acquired` and what the read after it printed, or the lock's status. */
export function parseAcquired(stdout: string, ttl: number): Acquired {
  const nl = stdout.indexOf('\n');
  const first = (nl < 0 ? stdout : stdout.slice(0, nl)).replace(/\r$/, '');
  if (first === 'acquired') return { acquired: true, rest: nl < 0 ? '' : stdout.slice(nl + 1) };
  return { acquired: false, status: parseLockStatus(stdout, ttl) };
}

/** Output of `release`: what the host found. */
export type Released =
  | { readonly kind: 'released' }
  | { readonly kind: 'gone' }
  | { readonly kind: 'other'; readonly holder: LockInfo | { error: string } };

/** Output of `release` (its last line: a command run before it in the same round trip may print first). */
export function parseReleased(stdout: string): Released | null {
  const first = lines(stdout).at(-1) ?? '';
  if (first === 'released') return { kind: 'released' };
  if (first === 'gone') return { kind: 'gone' };
  if (first.startsWith('other')) return { kind: 'other', holder: decodeLockInfo(first.slice('other'.length)) };
  return null;
}

/** Output of `renew` when it failed: the token the lock holds now ('' when it is gone), or null when it did not say. */
export function parseLost(stdout: string): string | null {
  const first = lines(stdout)[0] ?? '';
  return first === 'lost' || first.startsWith('lost ') ? first.slice('lost'.length).trim() : null;
}
