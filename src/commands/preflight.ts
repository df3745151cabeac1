import { raw, read, write, type Command, type Token } from '../shell/command.js';
import { quote } from '../shell/quote.js';
import type { Paths } from './paths.js';
import { releaseStateTokens } from './release.js';
import { ifThen, test } from './sh.js';

export interface PreflightParams {
  readonly deployTo: string;
  /** Binaries the steps will call, e.g. git, tar, sha256sum, curl. */
  readonly tools: readonly string[];
  /**
   * For a host that keeps releases, when it has less than `belowKiB` free: also list, with sizes, what the deploy
   * will remove first (see releaseStateTokens). With enough space it is not looked for.
   */
  readonly releases?: { readonly paths: Paths; readonly belowKiB: number };
  /** Git sources: the host reads the repository with its own credentials (`git ls-remote`), as the deploy will. */
  readonly repository?: string;
  /**
   * A first deploy (no `current` in `paths`): the app's port on the host's address must be free. curl's exit 7
   * (connection refused) means free; any answer, or anything else, means something holds it.
   */
  readonly port?: { readonly paths: Paths; readonly address: string; readonly port: number };
}

export const REPOSITORY_TIMEOUT_S = 30;

/** `repo ok`, or `repo failed` and up to 5 `repo-error <line>` lines of what git said. */
function repositoryCheck(repository: string): Token[] {
  return [
    raw('to=;'),
    ...ifThen([raw('command -v timeout >/dev/null 2>&1')], [raw(`to='timeout ${REPOSITORY_TIMEOUT_S}'`)]),
    raw(';'),
    // stdin is the script itself: git and ssh must not read it.
    ...ifThen(
      [raw('err=$(GIT_TERMINAL_PROMPT=0 $to git ls-remote'), repository, raw('HEAD 2>&1 >/dev/null </dev/null)')],
      ['printf', 'repo ok\\n'],
      ['printf', 'repo failed\\n', raw(';'), raw(`printf '%s\\n' "$err" | sed -n 's/^/repo-error /p' | head -n 5`)],
    ),
  ];
}

function portCheck(o: NonNullable<PreflightParams['port']>): Token[] {
  if (!Number.isInteger(o.port) || o.port < 1 || o.port > 65535) throw new RangeError(`port out of range: ${o.port}`);
  const host = o.address.includes(':') && !o.address.startsWith('[') ? `[${o.address}]` : o.address;
  return [
    raw(';'),
    ...ifThen(
      [raw('[ ! -e'), o.paths.current, raw(']'), raw('&&'), raw('[ ! -L'), o.paths.current, raw(']')],
      [
        'curl',
        '-s',
        '-g',
        '-o',
        '/dev/null',
        '--max-time',
        '2',
        `http://${host}:${o.port}/`,
        raw('</dev/null;'),
        raw('c=$?;'),
        ...ifThen(
          [raw('[ "$c" -eq 7 ]')],
          ['printf', 'port-free %s\\n', String(o.port)],
          ['printf', 'port-taken %s %s\\n', String(o.port), raw('"$c"')],
        ),
      ],
    ),
  ];
}

const say = (format: string, ...args: Token[]): Token[] => ['printf', format, ...args, raw(';')];

/**
 * One round trip, changing nothing. Prints machine-readable lines, parsed by facts/preflight.ts:
 * `tool <name> <path>` / `missing-tool <name>`, `exists yes|no` (deploy_to), `probe-dir <dir>` (deploy_to or
 * its nearest existing ancestor), `df <the df -Pk line for it>`, `writable yes|no` (of the probe dir); with
 * `releases` and little space, the release state with sizes (`leftover <id> <KiB>`, `uploads <KiB>` count as space
 * the deploy frees); with `repository`, `repo ok` or `repo failed` and `repo-error <line>`s; with `port` and no
 * `current`, `port-free <port>` or `port-taken <port> <curl exit>`.
 */
/** `then` when the df line's available KiB (its 4th field) is below `kib`, or cannot be read as a number. */
function lowOnSpace(kib: number, then: Token[]): Token[] {
  if (!Number.isInteger(kib) || kib < 0) throw new Error(`not a size in KiB: ${kib}`);
  return [raw('set -- $df;'), ...ifThen([raw(`[ "\${4:-x}" -ge ${kib} ] 2>/dev/null`)], [raw(':')], then)];
}

export function preflight(params: PreflightParams): Command {
  const { deployTo, tools, releases, repository, port } = params;
  const odd = tools.find((t) => !/^[A-Za-z0-9._+-]+$/.test(t));
  if (odd !== undefined) throw new Error(`not a tool name: ${JSON.stringify(odd)}`);
  const toolChecks: Token[] =
    tools.length === 0
      ? []
      : [
          raw('for'),
          't',
          raw('in'),
          ...tools,
          raw(';'),
          raw('do'),
          // Twice rather than found=$(command -v …): a command substitution forks, once per tool and host.
          ...ifThen(
            [raw('command -v "$t" >/dev/null 2>&1')],
            [...say('tool %s ', raw('"$t"')), raw('command -v "$t"')],
            ['printf', 'missing-tool %s\\n', raw('"$t"')],
          ),
          raw(';'),
          raw('done;'),
        ];
  return read(
    [
      ...toolChecks,
      raw(`d=${quote(deployTo)};`),
      ...ifThen(test('-e', raw('"$d"')), ['printf', 'exists yes\\n'], ['printf', 'exists no\\n']),
      raw(';'),
      raw('while'),
      ...test(raw('!'), '-e', raw('"$d"')),
      raw(';'),
      raw('do'),
      raw('d=$(dirname "$d");'),
      raw('done;'),
      ...say('probe-dir %s\\n', raw('"$d"')),
      // Its last line, without a `tail`: what the first line break ends is the header (-P: one line per file system).
      raw('df=$(df -Pk "$d"); df=${df#*[[:cntrl:]]};'),
      ...say('df %s\\n', raw('"$df"')),
      ...ifThen(test('-w', raw('"$d"')), ['printf', 'writable yes\\n'], ['printf', 'writable no\\n']),
      ...(releases ? [raw(';'), ...lowOnSpace(releases.belowKiB, releaseStateTokens(releases.paths, { sizes: true }))] : []),
      ...(repository !== undefined ? [raw(';'), ...repositoryCheck(repository)] : []),
      ...(port ? portCheck(port) : []),
    ],
    { description: 'check tools, disk space and permissions' },
  );
}

/** What `preflightThen` prints between the check's output and the next command's: the check's exit status. */
export const PREFLIGHT_EXIT = 'deploy:preflight-exit';

/**
 * The check, then `next` (a command that needs no answer from it, e.g. taking the lock), in one round trip: each in
 * its own subshell; the check's exit status is printed between their outputs, and `next`'s is the script's.
 */
export function preflightThen(check: Command, next: Command): Command {
  for (const c of [check, next])
    if (c.cwd !== undefined || c.env !== undefined) throw new Error('preflight: only plain commands share its round trip');
  return write(
    [raw('('), ...check.tokens, raw(');'), 'printf', '\\n%s %s\\n', PREFLIGHT_EXIT, raw('"$?";'), raw('('), ...next.tokens, raw(')')],
    { description: `${check.description ?? 'check'}, then ${next.description ?? 'the next command'}` },
  );
}
