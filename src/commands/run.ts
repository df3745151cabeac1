import { cmd, raw, render, script, type Command, type CommandOptions } from '../shell/command.js';
import type { Paths } from './paths.js';
import { ifThen, test } from './sh.js';

/** `deploy run`: the user's command, as written (a snippet, run by its own `sh`), in `current/` when there is one. */
export const adHoc = (p: Paths, text: string, env: CommandOptions['env'] = {}): Command =>
  cmd([...ifThen(test('-d', p.current), ['cd', p.current]), raw(';'), ...script(text).tokens], { env, description: `run: ${text}` });

/** `deploy ssh`: the remote command of an interactive login shell that starts in `current/`. */
export const loginShell = (p: Paths): string =>
  render(cmd(['cd', p.current, raw('2>/dev/null;'), raw('exec "$SHELL" -l')], { effect: 'read' }));
