import { write, type Command } from '../shell/command.js';
import { within, type Paths } from './paths.js';

/** Where the asset manifest of the last switch is written, on each host that runs `purge` tasks. */
export const manifestFile = (p: Paths): string => within(p.root, '.purge-manifest');

/** Under a release, the dir the media host serves (`/assets/<release>/<file>`). */
export const ASSETS_DIR = 'public';

/**
 * $1 the dir now served, $2 the one served before (may be missing), $3 the manifest: every file path (relative to
 * the assets dir) added, changed or removed between the two, sorted, one per line.
 */
const DIFF = [
  'set -e',
  'new=$1; old=$2; out=$3',
  '{',
  '  if [ -d "$new" ]; then (cd "$new" && find . -type f -o -type l) | while IFS= read -r f; do cmp -s "$new/$f" "$old/$f" 2>/dev/null || printf \'%s\\n\' "${f#./}"; done; fi',
  '  if [ -d "$old" ]; then (cd "$old" && find . -type f -o -type l) | while IFS= read -r f; do [ -e "$new/$f" ] || printf \'%s\\n\' "${f#./}"; done; fi',
  '} | LC_ALL=C sort -u > "$out.tmp"',
  'mv "$out.tmp" "$out"',
].join('\n');

/**
 * Writes the asset manifest of a switch from release `from` to `to` (null: none): the files under the assets dir
 * that a cache may hold stale. The diff is a fixed script; the paths are its arguments.
 */
export function writeManifest(p: Paths, to: string | null, from: string | null): Command {
  const dir = (id: string | null) => (id ? within(p.release(id), ASSETS_DIR) : within(p.root, '.no-release'));
  return write(['sh', '-c', DIFF, 'sh', dir(to), dir(from), manifestFile(p)], {
    description: `list the assets that changed from ${from ?? '(none)'} to ${to ?? '(none)'}`,
  });
}
