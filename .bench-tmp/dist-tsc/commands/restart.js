import { script } from '../shell/command.js';
/** The configured restart snippet, run as written in `dir`. */
export const restart = (command, dir, env = {}) => script(command, { cwd: dir, env, description: 'restart the app' });
/** The configured `restart.stop` snippet, run as written in `dir`: stops the app a failed first deploy started. */
export const stopApp = (command, dir, env = {}) => script(command, { cwd: dir, env, description: 'stop the app' });
//# sourceMappingURL=restart.js.map