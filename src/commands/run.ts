import { cmd, raw, render, script, type Command, type CommandOptions, type Token } from '../shell/command.js';
import type { Paths } from './paths.js';
import { ifThen, test } from './sh.js';

/**
 * Goes into `current/`; a code host without one fails here, before the user's command runs anywhere else. A host
 * that never holds releases (a balancer) runs it in the login directory.
 */
const inCurrent = (p: Paths, codeHost: boolean): Token[] =>
  !codeHost
    ? [raw(':')]
    : ifThen(
        test('-d', p.current),
        ['cd', p.current],
        [
          'printf',
          '%s\\n',
          `no release is live on this host: ${p.current} does not exist (deploy first); nothing was run`,
          raw('>&2;'),
          raw('exit 1'),
        ],
      );

/** `deploy run`: the user's command, as written (a snippet, run by its own `sh`), in `current/`. */
export const adHoc = (p: Paths, text: string, env: CommandOptions['env'] = {}, codeHost = true): Command =>
  cmd([...inCurrent(p, codeHost), raw(';'), ...script(text).tokens], { env, description: `run: ${text}` });

/** Words the shell reads as grammar when they stand first; quoted, they are a command name like any other. */
const RESERVED = new Set([
  'case',
  'do',
  'done',
  'elif',
  'else',
  'esac',
  'fi',
  'for',
  'function',
  'if',
  'in',
  'select',
  'then',
  'time',
  'until',
  'while',
]);

/**
 * `deploy run` with several words: one program and its arguments, as execve would take them. Every word is quoted,
 * so nothing in them (`;`, `$`, `*`, spaces) means anything to the remote shell; in current/.
 */
export const adHocArgv = (p: Paths, argv: readonly string[], env: CommandOptions['env'] = {}, codeHost = true): Command => {
  const [program, ...args] = argv;
  if (program === undefined) throw new Error('adHocArgv needs a program');
  const words = [RESERVED.has(program) ? raw(`'${program}'`) : program, ...args];
  return cmd([...inCurrent(p, codeHost), raw(';'), ...words], { env, description: `run: ${render(cmd(words))}` });
};

/** `deploy ssh`: the remote command of an interactive login shell that starts in `current/`. */
export const loginShell = (p: Paths): string =>
  render(cmd(['cd', p.current, raw('2>/dev/null;'), raw('exec "$SHELL" -l')], { effect: 'read' }));
