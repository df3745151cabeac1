/**
 * How a Command reaches a host's shell, for every backend that runs one (ssh, local).
 *
 * - The process list carries nothing of the command: sshd is asked to run a fixed, secret-free command that makes
 *   the login shell source its stdin (`. /dev/stdin`; where stdin is a socket, not a pipe, /dev/stdin cannot be
 *   opened and `sh -s` reads it instead), and the script — the env's `export`s with their secrets, the `cd`, the
 *   body — is written to that stdin, which then closes. An env of any size fits, since no argument list holds it.
 *   Sourcing in the login shell starts no other program: the cheapest way in.
 * - The script is one `{ … } </dev/null` group: a shell that reads its input as it goes (dash) has read all of it
 *   before anything runs, and nothing the body runs can read the rest of the script.
 * - A command never outlives its run or its connection. A timeout or an abort kills the command's process group,
 *   which the login shell leads (sshd starts each session with setsid and turns an SSH `signal` request into a
 *   killpg; the local backend spawns the shell detached and kills the group itself). For
 *   a lost connection, each connection keeps one more session open: a watchdog that reads its stdin. When that
 *   stdin closes — the connection is gone, or the client closed it — the watchdog kills the process group of every
 *   command of its connection that is still running, unless the client first wrote that none was (a clean end,
 *   the only thing it ever writes there). Programs that start a session of
 *   their own (an app started with `setsid`) are not in the group and live on; so do those a command left running
 *   in its group when it ended by itself (its login shell is gone, so the watchdog no longer finds it).
 * - `<tag>` (`deploy:<run>:<connection>:<command>`) names each command's login shell on the host: the watchdog
 *   finds its connection's commands by it, and a later connection can find and kill what a lost one left running
 *   before it touches the host again, when the host never noticed the loss (`fence`).
 */
import { describeCommand, raw, read, render, type Command } from '../shell/command.js';
import type { ExecOptions } from './backend.js';
import { quote } from '../shell/quote.js';

const RUN = /^[a-z0-9]+$/;

const whole = (n: number) => Number.isInteger(n) && n >= 0;

/** `deploy:<run>:<connection>:<command>`: the run (one backend), its n-th connection to a host, its m-th command there. */
export function tag(run: string, connection: number, command: number): string {
  if (!RUN.test(run) || !whole(connection) || !whole(command)) throw new Error(`bad command tag: ${run}:${connection}:${command}`);
  return `deploy:${run}:${connection}:${command}`;
}

/** What sshd is asked to run (through the login shell) for a command: fixed and secret-free. */
export const execString = (commandTag: string): string =>
  `if [ -p /dev/stdin ]; then . /dev/stdin; else exec sh -s ${commandTag}; fi # ${commandTag}`;

/** The text written to the command's stdin. */
export const stdinScript = (command: Command): string => `{\n${render(command, 'reveal')}\n} </dev/null\n`;

/** An ERE for `pgrep -f` that matches the shells of the given connections' commands (their tag ends the line). */
export function commandsOf(run: string, connections: readonly number[]): string {
  if (!RUN.test(run) || connections.length === 0 || !connections.every(whole))
    throw new Error(`bad connections: ${run} ${connections.join(',')}`);
  return ` deploy:${run}:(${connections.join('|')}):[0-9]+$`;
}

/** What a client writes to its watchdog's stdin when it ends a connection with no command running. */
export const WATCHDOG_CLEAN = 'clean';

/**
 * The per-connection watchdog, run by the login shell: waits for EOF on its stdin, then SIGKILLs the process group
 * of each command of this connection still running. (Its own command line never matches: it does not end in a
 * command number.) A clean end skips the search: `pgrep -f` reads every process's command line, which on a host
 * that runs many sessions costs more than the rest of a small command.
 */
export const watchdogString = (run: string, connection: number): string =>
  `read -r _l; [ "$_l" = ${WATCHDOG_CLEAN} ] || for p in $(pgrep -f -- ${quote(commandsOf(run, [connection]))}); do kill -KILL -"$p" 2>/dev/null; done`;

/** Printed by the fence for each process group it had to kill. */
export const FENCED = 'deploy:fenced';

/**
 * Kills the process groups of the commands that the given connections of this run left running, and waits (up to
 * `waitTenths` tenths of a second) until none of their processes is alive. Exit 0 when none is left.
 */
export function fence(run: string, connections: readonly number[], waitTenths = 50): Command {
  const lines = [
    `g=; for p in $(pgrep -f -- ${quote(commandsOf(run, connections))}); do kill -KILL -"$p" 2>/dev/null; g="$g $p"; echo "${FENCED} $p"; done`,
    '[ -n "$g" ] || exit 0',
    'i=0',
    `while [ "$(ps -e -o pgid= -o stat= | awk -v g="$g" 'BEGIN { n = split(g, a, " "); for (i = 1; i <= n; i++) k[a[i]] = 1 } ($1 in k) && $2 !~ /^Z/ { c++ } END { print c + 0 }')" != 0 ]; do`,
    `  i=$((i + 1)); if [ "$i" -gt ${waitTenths} ]; then echo "still running in process group(s)$g"; exit 1; fi`,
    '  sleep 0.1',
    'done',
  ];
  return read([raw(lines.join('\n'))], { description: 'stop what the lost connection left running' });
}

/** How a backend's errors name `command`: as the caller says (ExecOptions.what), else describeCommand. */
export const nameOf = (command: Command, options: ExecOptions): string => options.what?.() ?? describeCommand(command);
