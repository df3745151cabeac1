import { Buffer } from 'node:buffer';
import { raw, read, write, type Command, type Token } from '../shell/command.js';
import type { Paths } from './paths.js';
import { contentOf, ifThen, test } from './sh.js';

export interface LockInfo {
  /** Who deploys: `user@machine`. */
  readonly owner: string;
  /** ISO 8601, when the lock was taken or last renewed. */
  readonly time: string;
  readonly message: string;
  /** The release id of the deploy holding the lock. */
  readonly release: string;
  /** ISO 8601; past it, the lock may be taken over. */
  readonly expires: string;
}

/** base64 of JSON: free text (the message) reaches the host as an inert string. */
export function encodeLockInfo(info: LockInfo): string {
  const { owner, time, message, release, expires } = info;
  return Buffer.from(JSON.stringify({ owner, time, message, release, expires }), 'utf8').toString('base64');
}

export const ownerFile = (p: Paths): string => `${p.lock}/owner`;
/** The holder's release id in plain text, so renew and take-over can check it without decoding. */
export const releaseFile = (p: Paths): string => `${p.lock}/release`;

function assertRelease(release: string): string {
  if (!/^[0-9A-Za-z._-]+$/.test(release)) throw new Error(`lock: not a release id: ${JSON.stringify(release)}`);
  return release;
}

const writeOwner = (p: Paths, info: LockInfo): Token[] => [
  'printf',
  '%s\\n',
  encodeLockInfo(info),
  raw('>'),
  `${ownerFile(p)}.tmp`,
  raw('&&'),
  'mv',
  '-f',
  `${ownerFile(p)}.tmp`,
  ownerFile(p),
];

const writeHolder = (p: Paths, info: LockInfo): Token[] => [
  'printf',
  '%s\\n',
  assertRelease(info.release),
  raw('>'),
  releaseFile(p),
  raw('&&'),
  ...writeOwner(p, info),
];

const heldBy = (p: Paths, release: string): Token[] => test(contentOf(releaseFile(p)), raw('='), release);

/** `mkdir` is atomic: exactly one deploy creates the lock dir; every other one fails here. */
export const acquire = (p: Paths, info: LockInfo): Command =>
  write(['mkdir', '-p', p.root, raw('&&'), 'mkdir', p.lock, raw('&&'), ...writeHolder(p, info)], {
    description: `lock ${p.root}`,
  });

export const release = (p: Paths): Command =>
  write(['rm', '-rf', p.lock], { description: `unlock ${p.root}` });

/** Pushes `expires` forward; fails when the lock is gone or belongs to another release. */
export const renew = (p: Paths, info: LockInfo): Command =>
  write([...heldBy(p, assertRelease(info.release)), raw('&&'), ...writeOwner(p, info)], {
    description: 'renew the deploy lock',
  });

/**
 * Replaces an expired lock, but only while it is still the one that was seen expired (held by `expired`,
 * `''` for a lock without a release file); the old dir is renamed away first, so it is never half-removed.
 */
export function takeOver(p: Paths, info: LockInfo, expired: string): Command {
  const stale = `${p.lock}.stale-${assertRelease(info.release)}`;
  return write(
    [
      ...heldBy(p, expired === '' ? '' : assertRelease(expired)),
      raw('&&'),
      'rm',
      '-rf',
      stale,
      raw('&&'),
      'mv',
      p.lock,
      stale,
      raw('&&'),
      'rm',
      '-rf',
      stale,
      raw('&&'),
      'mkdir',
      p.lock,
      raw('&&'),
      ...writeHolder(p, info),
    ],
    { description: `take over the expired lock of ${expired || 'an unknown deploy'}` },
  );
}

/** Prints nothing when unlocked; else `locked`, `release <id>`, `owner <base64>` lines. */
export const status = (p: Paths): Command =>
  read(
    ifThen(test('-d', p.lock), [
      'printf',
      'locked\\n',
      raw(';'),
      'printf',
      'release %s\\n',
      contentOf(releaseFile(p)),
      raw(';'),
      'printf',
      'owner %s\\n',
      contentOf(ownerFile(p)),
    ]),
    { description: 'read the deploy lock' },
  );
