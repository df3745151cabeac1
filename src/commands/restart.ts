import { script, type Command, type CommandOptions } from '../shell/command.js';

/** The configured restart snippet, run as written in `dir`. */
export const restart = (command: string, dir: string, env: CommandOptions['env'] = {}): Command =>
  script(command, { cwd: dir, env, description: 'restart the app' });

/** The configured `restart.stop` snippet, run as written in `dir`: stops the app a failed first deploy started. */
export const stopApp = (command: string, dir: string, env: CommandOptions['env'] = {}): Command =>
  script(command, { cwd: dir, env, description: 'stop the app' });
