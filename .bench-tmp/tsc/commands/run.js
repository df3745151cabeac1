import { cmd, raw, render, script } from '../shell/command.js';
import { ifThen, test } from './sh.js';
/** `deploy run`: the user's command, as written (a snippet, run by its own `sh`), in `current/` when there is one. */
export const adHoc = (p, text, env = {}) => cmd([...ifThen(test('-d', p.current), ['cd', p.current]), raw(';'), ...script(text).tokens], { env, description: `run: ${text}` });
/** Words the shell reads as grammar when they stand first; quoted, they are a command name like any other. */
const RESERVED = new Set(['case', 'do', 'done', 'elif', 'else', 'esac', 'fi', 'for', 'function', 'if', 'in', 'select', 'then', 'time', 'until', 'while']);
/**
 * `deploy run` with several words: one program and its arguments, as execve would take them. Every word is quoted,
 * so nothing in them (`;`, `$`, `*`, spaces) means anything to the remote shell; in current/ when there is one.
 */
export const adHocArgv = (p, argv, env = {}) => {
    const [program, ...args] = argv;
    if (program === undefined)
        throw new Error('adHocArgv needs a program');
    const words = [RESERVED.has(program) ? raw(`'${program}'`) : program, ...args];
    return cmd([...ifThen(test('-d', p.current), ['cd', p.current]), raw(';'), ...words], { env, description: `run: ${render(cmd(words))}` });
};
/** `deploy ssh`: the remote command of an interactive login shell that starts in `current/`. */
export const loginShell = (p) => render(cmd(['cd', p.current, raw('2>/dev/null;'), raw('exec "$SHELL" -l')], { effect: 'read' }));
//# sourceMappingURL=run.js.map