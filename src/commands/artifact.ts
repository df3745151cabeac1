import { pipe, write, type Command } from '../shell/command.js';
import type { Paths } from './paths.js';
import { assertReleaseId } from './release.js';

const SHA256 = /^[0-9a-f]{64}$/;

/** Where the release tarball is uploaded to. */
export const uploadPath = (p: Paths, id: string): string => `${p.uploads}/${assertReleaseId(id)}.tar.gz`;

export const prepareUploads = (p: Paths): Command => write(['mkdir', '-p', p.uploads], { description: 'create the uploads directory' });

/** Fails unless `file` hashes to `sha256` (and names the file FAILED when it does not). */
export function verifyChecksum(file: string, sha256: string): Command {
  const sum = sha256.toLowerCase();
  if (!SHA256.test(sum)) throw new Error(`not a sha256 digest: ${JSON.stringify(sha256)}`);
  return pipe([write(['printf', '%s  %s\\n', sum, file]), write(['sha256sum', '-c', '-'])], {
    effect: 'read',
    pure: true,
    description: 'verify the uploaded artifact checksum',
  });
}

export const extract = (file: string, releaseDir: string): Command =>
  write(['tar', '-x', '-z', '-f', file, '-C', releaseDir], { description: 'unpack the artifact into the release', pure: true });

export const removeUpload = (p: Paths, id: string): Command =>
  write(['rm', '-f', uploadPath(p, id)], { description: 'remove the uploaded artifact', pure: true });
