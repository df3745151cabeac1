import type { SharedConfig, SharedFile } from '../types.js';
import { boolean, innerPath, list, strict, withShorthand } from './primitives.js';

const sharedFile = withShorthand(
  'path',
  innerPath(),
  {
    path: innerPath().describe('File path, relative to the shared and release directories.'),
    optional: boolean()
      .default(false)
      .describe('Skip the link, instead of failing, when the file does not exist in the shared directory.'),
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
  .transform((s): SharedConfig => s)
  .describe('Paths that live in `<deploy_to>/shared` and are symlinked into each release.');
