/**
 * How a Command reaches a host's shell, for every backend that runs one (ssh, local).
 *
 * - The process list carries nothing of the command: sshd is asked to run a fixed, secret-free command, and the
 *   script — the env's `export`s with their secrets, the `cd`, the body — is written to its stdin. An env of any
 *   size fits, since no argument list holds it.
 * - The SSH backend runs a connection's commands one after another in its runner (`runnerString`): a bash that
 *   reads them from its stdin, each a job of its own followed by its exit status, marked (`runnerScript`). A
 *   command started while the runner is busy, on a host without bash, and every command of the local backend, has
 *   a session of its own (`execString`): the login shell sources its stdin (`. /dev/stdin`; where stdin is a
 *   socket, not a pipe, /dev/stdin cannot be opened and `sh -s` reads it instead), which then closes.
 * - The script is one `{ … } </dev/null` group: a shell that reads its input as it goes (dash) has read all of it
 *   before anything runs, and nothing the body runs can read the rest of the script.
 * - A command never outlives its run or its connection. A timeout or an abort kills the command's process group,
 *   which the login shell leads (sshd starts each session with setsid and turns an SSH `signal` request into a
 *   killpg; the local backend spawns the shell detached and kills the group itself), or on a runner the job's
 *   shell (the runner's TERM trap kills it, `runnerScript`). For
 *   a lost connection, each connection keeps one more session open: a watchdog that reads its stdin. When that
 *   stdin closes — the connection is gone, or the client closed it — the watchdog kills the process group of every
 *   command of its connection that is still running, unless the client first wrote that none was (a clean end,
 *   the only thing it ever writes there). Programs that start a session of
 *   their own (an app started with `setsid`) are not in the group and live on; so do those a command left running
 *   in its group when it ended by itself (its login shell is gone, so the watchdog no longer finds it).
 * - `<tag>` (`deploy:<run>:<connection>:<command>`) names each command's login shell, and each runner and its jobs,
 *   on the host: the watchdog finds its connection's commands by it, and a later connection can find and kill what
 *   a lost one left running before it touches the host again, when the host never noticed the loss (`fence`).
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

/**
 * A runner's loop: each script arrives after a line with its length in bytes, is read whole at once (bash reads a
 * pipe byte by byte for anything but a count, in the C locale a count of bytes) and run by the shell itself.
 */
const RUNNER_LOOP = 'while IFS= read -r _deploy_n && LC_ALL=C IFS= read -r -N "$_deploy_n" _deploy_s; do eval "$_deploy_s"; done';

/**
 * What sshd is asked to run for a connection's runner: bash reading scripts from its stdin as they come and running
 * each in turn (`runnerScript`), kept open for the connection's next commands. The login shell is the runner when it
 * is bash (as a command's own session runs it: nothing more starts), else it starts bash. Fixed and secret-free; its
 * tag ends the line, so the watchdog and the fence find it, and each of its commands (a fork of it), as they find a
 * command's login shell. A host without bash 4.1 or later says so (`NO_RUNNER`, exit 97) before anything runs.
 */
export function runnerString(commandTag: string): string {
  const none = `echo ${NO_RUNNER} >&2; exit ${NO_RUNNER_EXIT}`;
  // `read -N` came with bash 4.1.
  const able = 'case ${BASH_VERSION-} in [5-9].*|4.[1-9]*)';
  return `${able} ${RUNNER_LOOP};; *) command -v bash >/dev/null 2>&1 && exec bash -c '${able} ;; *) ${none};; esac; ${RUNNER_LOOP}' ${commandTag}; ${none};; esac # ${commandTag}`;
}

export const NO_RUNNER = 'deploy:no-runner';
export const NO_RUNNER_EXIT = 97;

/** Printed on stdout and stderr by a runner after each command, with a nonce of the connection and the exit status. */
export const RAN_MARK = '\x1edeploy:ran:';

/**
 * A command as a runner runs it: a job of its own (`set -m`: its own process group, as a session gives a command),
 * in a subshell (its `cd`, `export`s and `exit` end with it), stdin /dev/null (it cannot read the commands that
 * follow); then its exit status, marked on both streams: once both marks are in, the client has all of its output.
 * A TERM to the runner (the client's kill on a timeout or an abort: sshd signals the runner's group, which holds
 * the runner alone) SIGKILLs the job's group, and the runner goes on with the next command. What a command leaves
 * running stays in its own group: no later kill reaches it.
 */
export function runnerScript(command: Command, nonce: string): string {
  if (!RUN.test(nonce)) throw new Error(`bad runner nonce: ${nonce}`);
  const text = render(command, 'reveal');
  // bash drops a NUL it reads, which would put the loop out of step. Quoted words and snippets refuse one already.
  if (text.includes('\0')) throw new Error('a command for a runner cannot contain a NUL byte');
  const mark = `'\\036deploy:ran:${nonce} %s\\n' "$_deploy_r"`;
  const script = [
    `set -m; trap '[ -z "$_deploy_j" ] || { _deploy_k=1; kill -KILL -- "-$_deploy_j" 2>/dev/null; }' TERM`,
    '(',
    text,
    // Not the job's last command, so bash does not exec its last program in place of the job's shell: that shell,
    // leading the job's group with the runner's tagged command line, is how the watchdog and the fence find it.
    '_deploy_c=$?; exit "$_deploy_c"',
    ') </dev/null &',
    // A trapped TERM ends a wait early: the trap says so (_deploy_k), and the wait is done again for the job's own
    // status (bash keeps it for a later wait). bash's note on a killed job ("Killed …" with its text) goes nowhere.
    `_deploy_j=$!; _deploy_k=; { wait "$_deploy_j"; } 2>/dev/null; _deploy_r=$?; while [ -n "$_deploy_k" ]; do _deploy_k=; { wait "$_deploy_j"; } 2>/dev/null; _deploy_r=$?; done; _deploy_j=; printf ${mark}; printf ${mark} >&2`,
    '',
  ].join('\n');
  return `${Buffer.byteLength(script)}\n${script}`;
}

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
