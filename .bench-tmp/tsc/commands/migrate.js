import { script } from '../shell/command.js';
/** The configured migration snippet, run as written in `dir`. */
export const migrate = (command, dir, env = {}) => script(command, { cwd: dir, env, description: 'run migrations' });
//# sourceMappingURL=migrate.js.map