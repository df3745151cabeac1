import type { SharedConfig, SharedFile } from '../types.js';
import type { z } from 'zod';
import { boolean, innerPath, list, normalPath, strict, withShorthand } from './primitives.js';

const sharedFile = withShorthand(
  'path',
  innerPath(),
  {
    path: innerPath().describe('File path, relative to the shared and release directories.'),
    optional: boolean().default(false).describe('Skip the link, instead of failing, when the file does not exist in the shared directory.'),
  },
  'a relative path or a mapping with `path` and `optional`',
).transform((f): SharedFile => f);

export const shared = strict(
  {
    dirs: list(innerPath(), 0, 'a list of relative directory paths')
      .default([])
      .describe('Directories kept across releases (logs, uploads …), symlinked into every release.'),
    files: list(sharedFile, 0, 'a list of relative file paths')
      .default([])
      .describe('Files kept across releases (.env, local config …), symlinked into every release.'),
  },
  'a mapping with `dirs` and `files`',
)
  .superRefine(noOverlap)
  .transform((s): SharedConfig => s)
  .describe('Paths that live in `<deploy_to>/shared` and are symlinked into each release.');

/**
 * A shared path inside another: the release's outer link already leads into shared/, so replacing the inner one
 * (`rm -rf` then `ln -s`) would delete the shared data itself and leave a link pointing at itself.
 */
function noOverlap(s: { dirs: unknown; files: unknown }, ctx: z.core.$RefinementCtx): void {
  // zod runs this even when an item failed its own schema; those are reported already and skipped here.
  const entries = (list: unknown, key: string, what: string, pathOf: (v: unknown) => unknown) =>
    (Array.isArray(list) ? list : []).flatMap((v, i) => {
      const p = pathOf(v);
      // A path naming nothing (`.`) is refused by innerPath already.
      return typeof p === 'string' && normalPath(p) !== '' ? [{ path: normalPath(p), at: [key, i], what }] : [];
    });
  const all = [
    ...entries(s.dirs, 'dirs', 'directory', (d) => d),
    ...entries(s.files, 'files', 'file', (f) => (f !== null && typeof f === 'object' ? (f as SharedFile).path : f)),
  ];
  const seen: typeof all = [];
  for (const entry of all) {
    const outer = seen.find((o) => o.path === entry.path || entry.path.startsWith(`${o.path}/`) || o.path.startsWith(`${entry.path}/`));
    if (outer) {
      const message =
        outer.path === entry.path
          ? `\`${entry.path}\` is shared twice (also shared.${outer.at[0]}[${outer.at[1]}]); list it once`
          : `\`${entry.path}\` and the shared ${outer.what} \`${outer.path}\` overlap: one would be linked inside the other and its data deleted; share only the outer one`;
      ctx.addIssue({ code: 'custom', path: entry.at, message, input: entry.path, params: { complete: true } });
    }
    seen.push(entry);
  }
}
