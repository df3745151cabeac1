import type { SharedFile } from '../config/types.js';
import { raw, read, write, type Command, type Token } from '../shell/command.js';
import { parent, within, type Paths } from './paths.js';
import { ifThen, makeDirs, test } from './sh.js';

type SharedFileDef = Pick<SharedFile, 'path' | 'optional'>;

/** `mkdir -p` of the shared dir itself, each shared dir, and the directories the shared files live in (makeDirs). */
export function createSharedDirs(p: Paths, dirs: readonly string[], files: readonly SharedFileDef[] = []): Command {
  const targets = [p.shared, ...dirs.map((d) => within(p.shared, d)), ...files.map((f) => parent(within(p.shared, f.path)))];
  return write(makeDirs(...new Set(targets)), { description: 'create the shared directories', pure: true });
}

/**
 * Fails when any required shared file is missing, after naming every missing one on stderr (so one run
 * reports them all rather than the first).
 */
export function checkSharedFiles(p: Paths, files: readonly SharedFileDef[]): Command {
  const required = files.filter((f) => !f.optional).map((f) => within(p.shared, f.path));
  if (required.length === 0) return read(['true'], { description: 'no required shared files' });
  return read(
    [
      raw('missing=0;'),
      raw('for'),
      'f',
      raw('in'),
      ...required,
      raw(';'),
      raw('do'),
      ...ifThen(test(raw('!'), '-e', raw('"$f"')), ['printf', 'missing shared file: %s\\n', raw('"$f"'), raw('>&2;'), raw('missing=1')]),
      raw(';'),
      raw('done;'),
      ...test(raw('"$missing"'), raw('='), '0'),
    ],
    { description: 'check the required shared files exist' },
  );
}

function link(sharedPath: string, releasePath: string, releaseDir: string): Token[] {
  const dir = parent(releasePath);
  return [
    ...ifThen([...test('-e', releasePath), raw('||'), ...test('-L', releasePath)], ['rm', '-rf', releasePath]),
    raw('&&'),
    ...(dir === releaseDir ? [] : ['mkdir', '-p', dir, raw('&&')]),
    'ln',
    '-s',
    sharedPath,
    releasePath,
  ];
}

/**
 * One command per shared dir or file: whatever the release holds at that path is replaced by a symlink into
 * shared/. Optional files are linked only when present in shared/. Callers may `and()` them into one round trip.
 */
export function linkShared(p: Paths, releaseDir: string, dirs: readonly string[], files: readonly SharedFileDef[]): Command[] {
  const dirLinks = dirs.map((d) =>
    write(link(within(p.shared, d), within(releaseDir, d), releaseDir), { description: `link shared ${d}`, pure: true }),
  );
  const fileLinks = files.map((f) => {
    const tokens = link(within(p.shared, f.path), within(releaseDir, f.path), releaseDir);
    return write(f.optional ? ifThen(test('-e', within(p.shared, f.path)), tokens) : tokens, {
      description: `link shared ${f.path}${f.optional ? ' (if present)' : ''}`,
      pure: true,
    });
  });
  return [...dirLinks, ...fileLinks];
}
