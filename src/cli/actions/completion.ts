import type { Command } from 'commander';
import { completions, configFileOf, glueBashWords, projectNames } from '../../tasks/completion.js';
import { out } from '../common.js';
import { specOf, type Shell } from '../completion.js';

/** `deploy __complete <shell> -- <words>`: the candidates for the last word, one a line. */
export function complete(shell: Shell, words: string[] = [], _flags: object, command: Command): void {
  const glued = shell === 'bash' ? glueBashWords(words) : { words: words.length > 0 ? words : [''], typed: 0 };
  const names = projectNames(configFileOf(glued.words), process.cwd());
  const found = completions(glued.words, specOf(command.parent!), names).map((c) => c.slice(glued.typed));
  if (found.length > 0) out(found.join('\n'));
}
