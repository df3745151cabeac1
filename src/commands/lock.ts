import { Buffer } from 'node:buffer';
import { raw, read, write, type Command, type Raw, type Token } from '../shell/command.js';
import { quote } from '../shell/quote.js';
import type { Paths } from './paths.js';
import { contentOf, ifThen, makeDirs, removeIfThere, test } from './sh.js';

/**
 * Who holds a lock. It is the same on every host a run locks; the host itself adds when the lock was taken and
 * until when it holds (`since`, `expires`: the host's clock, never the client's).
 */
export interface LockInfo {
  /** Who deploys: `user@machine`. */
  readonly owner: string;
  readonly message: string;
  /** What holds it: `deploy`, `rollback`, `lock` (by hand). */
  readonly verb: string;
  /** The holder's local run id (its log dir under .deploy/logs). */
  readonly run: string;
  /** Unique per run: only the holder renews and releases. */
  readonly token: string;
}

/** `deploy lock <stage> [action]`: what can be done to the lock by hand. */
export const LOCK_ACTIONS = ['status', 'acquire', 'release'] as const;
export type LockAction = (typeof LOCK_ACTIONS)[number];

const TOKEN = /^[0-9a-f]{16,64}$/;

export const isToken = (token: string): boolean => TOKEN.test(token);

export function assertToken(token: string): string {
  if (!TOKEN.test(token)) throw new Error(`lock: not a lock token: ${JSON.stringify(token)}`);
  return token;
}

function assertTtl(ttl: number): number {
  if (!Number.isInteger(ttl) || ttl < 1) throw new Error(`lock: ttl must be a whole number of seconds >= 1, got ${ttl}`);
  return ttl;
}

/** base64 of JSON: free text (the message) reaches the host as an inert string. */
export function encodeLockInfo(info: LockInfo): string {
  const { owner, message, verb, run, token } = info;
  return Buffer.from(JSON.stringify({ owner, message, verb, run, token }), 'utf8').toString('base64');
}

export const lockFiles = (p: Paths) => ({
  token: `${p.lock}/token`,
  owner: `${p.lock}/owner`,
  since: `${p.lock}/since`,
  expires: `${p.lock}/expires`,
});

const line = (value: Token, file: string): Token[] => ['printf', '%s\\n', value, raw('>'), file];

/** The host's clock in seconds; bash (5.0+) has it without starting `date`. */
const NOW = '${EPOCHSECONDS:-$(date +%s)}';

/** Fills `dir` as a lock: token, owner, and the host's own `since` and `expires`. */
function fill(dir: string, info: LockInfo, ttl: number): Token[] {
  return [
    ...line(assertToken(info.token), `${dir}/token`),
    raw('&&'),
    ...line(encodeLockInfo(info), `${dir}/owner`),
    raw('&&'),
    raw(`n=${NOW}`),
    raw('&&'),
    ...line(raw('"$n"'), `${dir}/since`),
    raw('&&'),
    ...line(raw(`"$((n + ${assertTtl(ttl)}))"`), `${dir}/expires`),
  ];
}

/** Where a run fills its lock before it puts it in place: its own dir, so that no run ever reads a lock half-written. */
const pending = (p: Paths, info: LockInfo): string => `${p.lock}.new-${assertToken(info.token)}`;

/**
 * Makes and fills the run's pending lock, then renames it to the lock: the rename is atomic, and onto a lock that
 * exists (a dir that is never empty) it fails, so exactly one run puts its lock in place, whole.
 */
const place = (p: Paths, info: LockInfo, ttl: number): Token[] => [
  // A lock that is there already is left at once (no program started), and an empty dir is never replaced.
  ...test(raw('!'), '-e', p.lock),
  raw('&&'),
  'mkdir',
  '-p',
  pending(p, info),
  raw('&&'),
  ...fill(pending(p, info), info, ttl),
  raw('&&'),
  'mv',
  '-T',
  pending(p, info),
  p.lock,
  raw('2>/dev/null'),
];

/**
 * The lock is held by `token` ('' for a lock dir without a token file). The token is read with the shell's own
 * `read`: no program is started for it.
 */
const heldBy = (p: Paths, token: string): Token[] => [
  raw(`t=; { read -r t < ${quote(lockFiles(p).token)}; } 2>/dev/null;`),
  ...test(raw('"$t"'), raw('='), token === '' ? '' : assertToken(token)),
];

/**
 * The expiry, by the host's clock: `expires` when it is a number, else (a lock left half-written) the lock dir's
 * mtime + ttl.
 */
const expiresAt = (p: Paths, ttl: number): Raw =>
  raw(`"$(grep -sx '[0-9][0-9]*' ${quote(lockFiles(p).expires)} || echo "$(( $(stat -c %Y ${quote(p.lock)}) + ${assertTtl(ttl)} ))")"`);

/** Prints nothing when unlocked; else `locked`, then `now`, `mtime`, `token`, `since`, `expires`, `owner` lines. */
export function statusTokens(p: Paths): Token[] {
  const f = lockFiles(p);
  const say = (key: string, value: Raw): Token[] => ['printf', `${key} %s\\n`, value, raw(';')];
  return ifThen(test('-d', p.lock), [
    'printf',
    'locked\\n',
    raw(';'),
    ...say('now', raw(`"${NOW}"`)),
    ...say('mtime', raw(`"$(stat -c %Y ${quote(p.lock)} 2>/dev/null)"`)),
    ...say('token', contentOf(f.token)),
    ...say('since', contentOf(f.since)),
    ...say('expires', contentOf(f.expires)),
    'printf',
    'owner %s\\n',
    contentOf(f.owner),
  ]);
}

export const status = (p: Paths): Command => read(statusTokens(p), { description: 'read the deploy lock' });

/**
 * Takes the lock (see `place`), then runs `then` (a read, e.g. the release state) in the same round trip. Prints
 * `acquired` and `then`'s output; when the lock is held, the lock's status instead (see `status`) and exits 1; a
 * pending lock that could not be filled or put in place is removed. Without `makeRoot` a missing deploy_to is left
 * missing: the lock is not taken, and nothing is printed.
 */
export function acquire(p: Paths, info: LockInfo, ttl: number, then?: Command, o: { makeRoot?: boolean } = {}): Command {
  const root: Token[] = o.makeRoot === false ? test('-d', p.root) : [raw('{'), ...makeDirs(p.root), raw(';'), raw('}')];
  return write(ifThen([...root, raw('&&'), ...place(p, info, ttl)], acquired(then), held(p, info)), { description: `lock ${p.root}` });
}

const acquired = (then?: Command): Token[] => ['printf', 'acquired\\n', ...(then ? [raw(';'), ...thenTokens(then)] : [])];

/** What a run that did not get the lock prints: the status of the lock (none when there is none), exit 1. */
const held = (p: Paths, info: LockInfo): Token[] => [
  ...removeIfThere(pending(p, info)),
  raw(';'),
  ...statusTokens(p),
  raw(';'),
  raw('exit 1'),
];

function thenTokens(c: Command): Token[] {
  if (c.effect !== 'read' || c.cwd !== undefined || c.env !== undefined) throw new Error('lock: only a plain read may follow the lock');
  return [...c.tokens];
}

/**
 * Renames `dir` aside, then removes it there: a run reading the lock at that moment finds it whole or not at all,
 * never half-removed.
 */
const removeAside = (dir: string, aside: string): Token[] => [
  ...removeIfThere(aside),
  raw('&&'),
  'mv',
  dir,
  aside,
  raw('&&'),
  'rm',
  '-rf',
  aside,
];

/**
 * Replaces a lock held by `seen` (the token read a moment before; '' for a lock without one), only while it is still
 * that one and, with `ifExpired`, only when it expired by the host's clock. The old dir is renamed away first, so
 * it is never half-removed. Output as for `acquire`.
 */
export function takeOver(p: Paths, info: LockInfo, ttl: number, seen: string, o: { ifExpired: boolean }, then?: Command): Command {
  const stale = `${p.lock}.stale-${assertToken(info.token)}`;
  const expired = o.ifExpired ? [raw('&&'), ...test(expiresAt(p, ttl), raw('-le'), raw(`"${NOW}"`))] : [];
  return write(
    ifThen(
      [...heldBy(p, seen), ...expired, raw('&&'), ...removeAside(p.lock, stale), raw('&&'), ...place(p, info, ttl)],
      acquired(then),
      held(p, info),
    ),
    { description: `take over the lock of ${seen ? `run ${seen.slice(0, 8)}` : 'an unknown run'}` },
  );
}

/** How a renewal describes itself: renewals run on a timer, so the failpoints (backends/faults.ts) leave them uncounted. */
export const RENEW_DESCRIPTION = 'renew the deploy lock';

/**
 * Pushes `expires` forward by the host's clock, only while the lock holds `token`; otherwise prints
 * `lost <token now there>` and exits 3.
 */
export function renew(p: Paths, token: string, ttl: number): Command {
  const f = lockFiles(p);
  return write(
    ifThen(heldBy(p, token), line(raw(`"$(( ${NOW} + ${assertTtl(ttl)} ))"`), f.expires), [
      'printf',
      'lost %s\\n',
      raw('"$t"'),
      raw(';'),
      raw('exit 3'),
    ]),
    { description: RENEW_DESCRIPTION },
  );
}

/**
 * What runs killed mid-way left beside the lock (a pending lock never put in place, one renamed aside and not yet
 * removed), removed by the holder: while it holds the lock, no other run is between those two moments (one that is
 * filling a pending lock loses anyway). Starts no program when there is none.
 */
const sweepAside = (p: Paths): Token[] => [
  raw('for'),
  'd',
  raw('in'),
  ...['new', 'stale', 'gone', 'removed'].map((kind) => raw(`${quote(p.lock)}.${kind}${kind === 'removed' ? '' : '-*'}`)),
  raw(';'),
  raw('do'),
  ...ifThen(test('-e', raw('"$d"')), ['rm', '-rf', raw('"$d"')]),
  raw(';'),
  raw('done;'),
];

/**
 * Removes the lock only when `token` holds it (`released`; '' for a lock dir without a token); a lock held by
 * another run is left as it is (`other <owner base64>`); `gone` when there is none. `before` runs first, in the
 * same round trip (its output comes first; the last line is the unlock's).
 */
export function release(p: Paths, token: string, before?: Command): Command {
  if (before && (before.cwd !== undefined || before.env !== undefined))
    throw new Error('lock: only a plain command may go before the unlock');
  return write(
    [
      ...(before ? [...before.tokens, raw(';')] : []),
      ...ifThen(
        heldBy(p, token),
        [
          ...sweepAside(p),
          ...removeAside(p.lock, `${p.lock}.gone-${token === '' ? 'none' : assertToken(token)}`),
          raw('&&'),
          'printf',
          'released\\n',
        ],
        ifThen(test('-d', p.lock), ['printf', 'other %s\\n', contentOf(lockFiles(p).owner)], ['printf', 'gone\\n']),
      ),
    ],
    { description: before ? `${before.description ?? 'the last step'}, then unlock ${p.root}` : `unlock ${p.root}` },
  );
}

/** Removes the lock whoever holds it (`deploy unlock --force`); prints `removed <owner base64>` or `gone`. */
export function forceRelease(p: Paths): Command {
  const gone = `${p.lock}.removed`;
  return write(
    ifThen(
      test('-d', p.lock),
      ['printf', 'removed %s\\n', contentOf(lockFiles(p).owner), raw('&&'), ...removeAside(p.lock, gone)],
      ['printf', 'gone\\n'],
    ),
    { description: `remove the lock of ${p.root}, whoever holds it` },
  );
}
