/**
 * How a Command reaches a host's shell, for every backend that runs one (ssh, local).
 *
 * - The process list carries nothing of the command: sshd is asked to run a fixed `exec sh -s <tag>`, and the
 *   script (the env's `export`s with their secrets, the `cd`, the body) goes to that shell's stdin. An env of any
 *   size fits, since no argument list holds it.
 * - The whole script is one `{ … }` group, so the shell has read all of it before anything runs; it then moves
 *   its stdin to fd 4 and reads /dev/null, so nothing the body runs can read the channel.
 * - A watchdog subshell reads fd 4 (the channel's stdin, which the client keeps open until the command ends) and
 *   holds no copy of stdout or stderr (a `{ }` group would keep saved ones, and sshd would wait for it). EOF there
 *   means the client is gone, timed out or aborted: the watchdog SIGKILLs the command's process group (the shell
 *   is its leader: sshd starts each session with setsid, the local backend spawns it detached). Programs that
 *   start their own session (an app started with `setsid`) are not in the group and live on. When the body
 *   ends, the EXIT trap stops the watchdog first, so apps it left running in the group stay up too.
 * - `<tag>` (`deploy:<run>:<connection>`) names the command's shell on the host, so a later connection can find
 *   and kill what a lost one left running before it touches the host again (`fence`).
 */
import { raw, read, render, type Command } from '../shell/command.js';

export const TAG_PREFIX = 'deploy';

/** `deploy:<run>:<seq>`: the run (one backend) and its n-th connection to a host. */
export function tag(run: string, seq: number): string {
  if (!/^[a-z0-9]+$/.test(run) || !Number.isInteger(seq) || seq < 0) throw new Error(`bad command tag: ${run}:${seq}`);
  return `${TAG_PREFIX}:${run}:${seq}`;
}

/** What sshd is asked to run (through the login shell): fixed and secret-free. */
export const execString = (commandTag: string): string => `exec sh -s ${commandTag}`;

/** The text sent on the shell's stdin for `command`. */
export function stdinScript(command: Command): string {
  const body = render(command, 'reveal');
  return [
    '{',
    'exec 4<&0 </dev/null',
    '( while read -r _l; do :; done; kill -KILL -$$ ) <&4 >/dev/null 2>&1 &',
    'trap "kill $! 2>/dev/null" EXIT',
    'exec 4<&-',
    body,
    '}',
    '',
  ].join('\n');
}

/** Printed by the fence for each process group it had to kill; the last line says whether all are gone. */
export const FENCED = 'deploy:fenced';

/**
 * Kills the process groups of commands that the given connections of this run left running, and waits (up to
 * `waitTenths` tenths of a second) until none of their processes is alive. Exit 0 when none is left.
 */
export function fence(run: string, seqs: readonly number[], waitTenths = 50): Command {
  if (!/^[a-z0-9]+$/.test(run) || seqs.length === 0 || !seqs.every((s) => Number.isInteger(s) && s >= 0)) {
    throw new Error(`bad fence: ${run} ${seqs.join(',')}`);
  }
  const pattern = `^sh -s ${TAG_PREFIX}:${run}:(${seqs.join('|')})$`;
  const lines = [
    `g=; for p in $(pgrep -f '${pattern}'); do kill -KILL -"$p" 2>/dev/null; g="$g $p"; echo "${FENCED} $p"; done`,
    '[ -n "$g" ] || exit 0',
    'i=0',
    `while [ "$(ps -e -o pgid= -o stat= | awk -v g="$g" 'BEGIN { n = split(g, a, " "); for (i = 1; i <= n; i++) k[a[i]] = 1 } ($1 in k) && $2 !~ /^Z/ { c++ } END { print c + 0 }')" != 0 ]; do`,
    `  i=$((i + 1)); if [ "$i" -gt ${waitTenths} ]; then echo "still running in process group(s)$g"; exit 1; fi`,
    '  sleep 0.1',
    'done',
  ];
  return read([raw(lines.join('\n'))], { description: 'stop what the lost connection left running' });
}
