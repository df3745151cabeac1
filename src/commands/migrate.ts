import { script, type Command, type CommandOptions } from '../shell/command.js';

/** The configured migration snippet, run as written in `dir`. */
export const migrate = (command: string, dir: string, env: CommandOptions['env'] = {}): Command =>
  script(command, { cwd: dir, env, description: 'run migrations' });
