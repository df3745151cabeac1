import { raw, write, type Command, type Raw, type Token } from '../shell/command.js';
import { quote } from '../shell/quote.js';
import type { Paths } from './paths.js';
import { glob, ifThen, makeDirs, test } from './sh.js';

/** Marker left in a release that was rolled back from; rollback skips it. */
export const BAD_MARKER = '.deploy-bad';

/** Marker left in a release once revisions.log has its `deployed` or `rolled-back` line (commands/log.ts). */
export const LIVE_MARKER = '.deploy-live';

const RELEASE_ID = /^\d{14}$/;

export const isReleaseId = (s: string): boolean => RELEASE_ID.test(s);

export function assertReleaseId(id: string): string {
  if (!isReleaseId(id)) throw new Error(`not a release id (YYYYMMDDHHMMSS): ${JSON.stringify(id)}`);
  return id;
}

/** `YYYYMMDDHHMMSS` in UTC: sorts as it ages. */
export function releaseId(now: Date): string {
  if (Number.isNaN(now.getTime())) throw new Error('releaseId: invalid date');
  const year = now.getUTCFullYear();
  if (year < 1000 || year > 9999) throw new Error(`releaseId: year out of range: ${year}`);
  const two = (n: number) => String(n).padStart(2, '0');
  return (
    String(year) +
    two(now.getUTCMonth() + 1) +
    two(now.getUTCDate()) +
    two(now.getUTCHours()) +
    two(now.getUTCMinutes()) +
    two(now.getUTCSeconds())
  );
}

/** The time a release id stands for. */
export function releaseTime(id: string): Date {
  const d = assertReleaseId(id);
  const n = (from: number, to: number) => Number(d.slice(from, to));
  const t = new Date(Date.UTC(n(0, 4), n(4, 6) - 1, n(6, 8), n(8, 10), n(10, 12), n(12, 14)));
  if (releaseId(t) !== d) throw new Error(`not a release id (no such time): ${JSON.stringify(id)}`);
  return t;
}

/**
 * The id of a new release: now (UTC, to the second), or one second after the newest release the hosts already
 * have when that is not earlier, so ids are unique and grow with every deploy whatever the clocks say. Chosen once
 * for the whole fleet, while the lock is held.
 */
export function nextReleaseId(now: Date, existing: Iterable<string>): string {
  const candidate = releaseId(now);
  let newest: string | undefined;
  for (const id of existing) if (isReleaseId(id) && (newest === undefined || id > newest)) newest = id;
  if (newest === undefined || candidate > newest) return candidate;
  return releaseAfter(newest);
}

/** The id one second after `id`. */
export function releaseAfter(id: string): string {
  let t: Date;
  try {
    t = releaseTime(id);
  } catch {
    // An id that names no real time (20241399…) still orders as a number: take the next valid one above it.
    t = new Date(Date.UTC(Number(id.slice(0, 4)) + 1, 0, 1));
    return releaseId(t);
  }
  return releaseId(new Date(t.getTime() + 1000));
}

export function releaseDir(p: Paths, id: string): string {
  return p.release(assertReleaseId(id));
}

const releaseOf = (p: Paths, variable: string): Raw => raw(`${quote(p.releases)}/"$${variable}"`);

/**
 * The background removal: everything in the trash when it starts, its outcome in the trash log (the log's time is
 * when it ended). Under `timeout`, which bounds it and leads a process group of its own, so that neither the end of
 * this SSH session nor a kill of this command's process group stops it.
 */
const EMPTY_TRASH = 'cd "$1" && { echo removing *; rm -rf ./*; echo "done: exit $?"; } >"$2" 2>&1';

/**
 * Starts removing what `trash/` holds in the background, when it holds anything, with every stream away from the
 * channel, so the command returns at once. What a crash or the hour's bound interrupted is removed by the next one.
 * Three programs (timeout, sh, rm): every deploy that removes a release pays them.
 */
export function emptyTrashTokens(p: Paths): Token[] {
  const start = ifThen(test('-e', raw('"$trashed"')), [
    raw('('),
    'timeout',
    '3600',
    'sh',
    '-c',
    EMPTY_TRASH,
    'sh',
    p.trash,
    p.trashLog,
    raw('</dev/null >/dev/null 2>&1 & )'),
  ]);
  // The trash holds only `<id>.<pid>` entries: the glob sees them all, with no `ls` to start.
  return [raw('for'), 'trashed', raw('in'), glob(p.trash, '*'), raw(';'), raw('do'), ...start, raw(';'), raw('break;'), raw('done')];
}

/**
 * Removes the given releases, each only when `current` does not resolve to it (checked on the host, at that
 * moment, by the shell's own `-ef`: no program); prints `kept <id>` for one it left. Each is renamed into `trash/`
 * (one rename, however large it is) and removed there in the background; where the rename fails (another file
 * system) it is removed in place. Fails when a release could be neither.
 */
export function removeReleasesTokens(p: Paths, ids: readonly string[]): Token[] {
  if (ids.length === 0) return [raw(':')];
  return [
    raw('st=0;'),
    ...makeDirs(p.trash),
    raw(';'),
    raw('for'),
    'id',
    raw('in'),
    ...ids.map(assertReleaseId),
    raw(';'),
    raw('do'),
    ...ifThen(
      test(releaseOf(p, 'id'), '-ef', p.current),
      ['printf', 'kept %s\\n', raw('"$id"')],
      [
        ...ifThen(test('-e', releaseOf(p, 'id')), [
          'mv',
          releaseOf(p, 'id'),
          raw(`${quote(p.trash)}/"$id.$$"`),
          raw('||'),
          'rm',
          '-rf',
          releaseOf(p, 'id'),
          raw('||'),
          raw('st=1'),
        ]),
      ],
    ),
    raw(';'),
    raw('done;'),
    ...emptyTrashTokens(p),
    raw(';'),
    ...test(raw('"$st"'), raw('='), '0'),
  ];
}

/**
 * Makes the new release dir, after clearing what earlier runs left (`leftovers`: releases that never went live,
 * and every upload): `mkdir` without -p, so an existing dir is never reused; prints `exists` when it was there.
 * `uploads`: also makes the (empty) uploads dir an artifact's transfer puts its tarball in. With no leftovers it
 * carries its effect as directory operations too (DirOps): the SSH backend does them over SFTP, no shell started.
 */
export function createRelease(p: Paths, id: string, leftovers: readonly string[] = [], o: { uploads?: boolean } = {}): Command {
  const dir = releaseDir(p, id);
  return write(
    [
      ...removeUploadsTokens(p),
      ...(leftovers.length > 0 ? [...removeReleasesTokens(p, leftovers), raw(';')] : []),
      raw('{'),
      ...(o.uploads ? makeDirs(p.uploads, p.releases) : makeDirs(p.releases)),
      raw(';'),
      raw('}'),
      raw('&&'),
      ...ifThen(['mkdir', dir], [raw(':')], [...ifThen(test('-e', dir), ['printf', 'exists\\n']), raw(';'), raw('exit 1')]),
    ],
    leftovers.length > 0
      ? { description: `create release ${id} (after removing ${leftovers.length} left behind)` }
      : {
          description: `create release ${id}`,
          dirs: { emptied: p.uploads, ensure: o.uploads ? [p.uploads, p.releases] : [p.releases], create: dir },
        },
  );
}

/** Removes `uploads/` when it holds anything (a run that did not finish): no program starts when it is empty. */
const removeUploadsTokens = (p: Paths): Token[] => [
  raw('for'),
  'f',
  raw('in'),
  glob(p.uploads, '*'),
  glob(p.uploads, '.[!.]*'),
  raw(';'),
  raw('do'),
  ...ifThen(test('-e', raw('"$f"')), ['rm', '-rf', p.uploads, raw(';'), raw('break')]),
  raw(';'),
  raw('done;'),
];

/** Removes a release this run created and uploads it left, never the release `current` points to. */
export const removeRelease = (p: Paths, id: string): Command =>
  write(['rm', '-rf', p.uploads, raw(';'), ...removeReleasesTokens(p, [id])], { description: `remove release ${id}` });

/** Removes an empty release dir (one just made under an id that turned out to be taken elsewhere). */
export const removeEmptyRelease = (p: Paths, id: string): Command =>
  write(['rmdir', releaseDir(p, id)], { description: `remove the empty release dir ${id}` });

export const markBad = (p: Paths, id: string): Command =>
  write(['touch', `${releaseDir(p, id)}/${BAD_MARKER}`], { description: `mark release ${id} bad` });

/** A rollback `--to` a release marked bad makes it live again: it is no longer one to skip. */
export const unmarkBad = (p: Paths, id: string): Command =>
  write(['rm', '-f', `${releaseDir(p, id)}/${BAD_MARKER}`], { description: `clear the bad mark of release ${id}` });

/** A revision log line as commands/log.ts writes it, for a release that went live: its id. */
const LIVE_LINE = 's/^\\{"release":"([0-9]{14})",.*"outcome":"(deployed|rolled-back)"\\}$/\\1/p';

/**
 * One round trip: `current` (and whether it dangles), every release, and which of them never went live (not
 * `current`, no `deployed`/`rolled-back` line in the revision log; a line is matched whole, so free text in it
 * cannot pass for one), with their sizes when asked (the preflight counts them as free space the deploy makes).
 * Without a readable revision log nothing counts as never live: a log that cannot be read must not get live
 * releases removed. `unlogged <id> <revision>` names a `current` release the log lacks (its line was never
 * written), when the log is readable or absent: the run records it, or a later deploy would take it for one that
 * never went live. The release `current` resolves to is found by the shell's own `-ef` as the releases are listed;
 * `readlink` runs only when it resolves to none of them. A release with LIVE_MARKER went live; `sed` reads the log
 * once, only when a release without it has to be asked about: at most one program whatever the number of releases.
 */
export function releaseStateTokens(p: Paths, o: { sizes?: boolean } = {}): Token[] {
  const size = (path: Raw): string => (o.sizes ? ` "$(du -sk ${path.text} | cut -f1)"` : '');
  // Whether release $2 (dir $1) went live, with a readable log: its mark, else the log, read once when first needed.
  const isLive = `_deploy_live() { [ "$known" = 1 ] || return 1; [ -e "$1/${LIVE_MARKER}" ] && return 0; [ -n "$asked" ] || { asked=1; live=$(sed -nE ${quote(LIVE_LINE)} ${quote(p.revisionsLog)}); }; case "$live" in *"$2"*) return 0 ;; esac; return 1; };`;
  return [
    raw('cur=; link=; live=; asked=;'),
    ...ifThen(test('-L', p.current), [raw('link=1')]),
    raw(';'),
    ...ifThen(
      [...test('-f', p.revisionsLog), raw('&&'), ...test('-r', p.revisionsLog)],
      [raw('known=1')],
      // known=0: a log that cannot be read; empty: no log at all (nothing is a leftover, but `current` is unlogged).
      ifThen(test('-e', p.revisionsLog), [raw('known=0')], [raw('known=')]),
    ),
    raw(';'),
    raw(isLive),
    raw('for'),
    'd',
    raw('in'),
    glob(p.releases, '*/'),
    raw(';'),
    raw('do'),
    raw(`d=\${d%/}; id=\${d##*/}; case $id in *[!0-9]*|'') continue ;; esac; [ \${#id} -eq 14 ] || continue;`),
    raw(
      `printf 'release %s\\n' "$id"; if [ -n "$link" ] && [ -z "$cur" ] && [ "$d" -ef ${quote(p.current)} ]; then cur=$id; printf 'current %s\\n' "$d"; [ "$known" = 0 ] || _deploy_live "$d" "$id" || { rev=; [ -r "$d/REVISION" ] && read -r rev <"$d/REVISION"; printf 'unlogged %s %s\\n' "$id" "$rev"; }; continue; fi; [ "$known" = 1 ] || continue; _deploy_live "$d" "$id" && continue;`,
    ),
    raw(`printf 'leftover %s${o.sizes ? ' %s' : ''}\\n' "$id"${size(raw('"$d"'))};`),
    raw('done;'),
    ...ifThen(
      [...test(raw('-n'), raw('"$link"')), raw('&&'), ...test(raw('-z'), raw('"$cur"'))],
      [
        'printf',
        'current %s\\n',
        raw(`"$(readlink ${quote(p.current)})"`),
        raw(';'),
        ...ifThen(test(raw('!'), '-d', p.current), ['printf', 'dangling\\n']),
      ],
    ),
    raw(';'),
    ...ifThen(test('-d', p.uploads), [raw(`printf 'uploads${o.sizes ? ' %s' : ''}\\n'${size(raw(quote(p.uploads)))}`)]),
  ];
}
