import { isAbsolute, relative } from 'node:path';

/** `recipe:` names a shipped recipe, or is a path (with a `/` or a .yml/.yaml ending) relative to deploy.yml. */
export const isRecipePath = (ref: string): boolean => ref.includes('/') || /\.ya?ml$/.test(ref);

/** A path for messages: relative to `cwd` when below it. */
export function shortPath(path: string, cwd = process.cwd()): string {
  if (!isAbsolute(path)) return path;
  const rel = relative(cwd, path);
  return rel === '' || rel.startsWith('..') || isAbsolute(rel) ? path : rel;
}
