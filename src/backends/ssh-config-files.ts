/** The filesystem side of ssh-config.ts: reading Include'd files for the pure parser. */
import { readFileSync, readdirSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { matchPattern } from './host-patterns.js';
import type { Includer } from './ssh-config.js';

/**
 * Expands an Include argument like OpenSSH: globs (`*`, `?`) in the last path segment, files in sorted
 * order, missing files skipped silently.
 */
export const fsIncluder: Includer = (pattern) => {
  const dir = dirname(pattern);
  const base = basename(pattern);
  let names: string[];
  if (/[*?]/.test(base)) {
    try {
      names = readdirSync(dir)
        .filter((n) => matchPattern(base, n, false) && n.startsWith('.') === base.startsWith('.'))
        .sort();
    } catch {
      return [];
    }
  } else {
    names = [base];
  }
  const out: Array<{ path: string; text: string }> = [];
  for (const n of names) {
    const path = join(dir, n);
    try {
      out.push({ path, text: readFileSync(path, 'utf8') });
    } catch {
      // A missing or unreadable include is skipped, as OpenSSH does.
    }
  }
  return out;
};
