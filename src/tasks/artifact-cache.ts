import { copyFile, mkdir, readdir, rename, rm, stat, utimes } from 'node:fs/promises';
import { join } from 'node:path';
import type { Artifact } from './transfer.js';
import { sha256File } from './transfer.js';

/** Next to deploy.yml, like .deploy/logs. */
export const ARTIFACTS_DIR = join('.deploy', 'artifacts');
/** Artifacts kept; the ones used last stay. */
export const KEEP_ARTIFACTS = 5;

const SHA256 = /^[0-9a-f]{64}$/;

export const cachedArtifactPath = (projectDir: string, sha256: string): string => {
  if (!SHA256.test(sha256)) throw new Error(`not a sha256 digest: ${JSON.stringify(sha256)}`);
  return join(projectDir, ARTIFACTS_DIR, `${sha256}.tar.gz`);
};

/**
 * Keeps the file a deploy uploaded under its sha256, so `deploy promote` can upload the very same bytes to another
 * stage without building again. Written by rename (never seen half-copied); the least recently used beyond
 * KEEP_ARTIFACTS are removed.
 */
export async function keepArtifact(projectDir: string, artifact: Pick<Artifact, 'file' | 'sha256'>): Promise<string> {
  const file = cachedArtifactPath(projectDir, artifact.sha256);
  const dir = join(projectDir, ARTIFACTS_DIR);
  await mkdir(dir, { recursive: true });
  if (file !== artifact.file) {
    const partial = `${file}.${process.pid}.partial`;
    await copyFile(artifact.file, partial);
    await rename(partial, file);
  }
  const now = new Date();
  await utimes(file, now, now);
  const kept = await Promise.all(
    (await readdir(dir))
      .filter((n) => /^[0-9a-f]{64}\.tar\.gz$/.test(n))
      .map(async (n) => ({ path: join(dir, n), at: (await stat(join(dir, n))).mtimeMs })),
  );
  for (const old of kept.sort((a, b) => b.at - a.at).slice(KEEP_ARTIFACTS)) await rm(old.path, { force: true });
  return file;
}

/**
 * The kept artifact with this sha256, hashed again before use: `missing` when it is not kept here, `corrupt` when
 * its bytes no longer hash to the name.
 */
export async function cachedArtifact(
  projectDir: string,
  sha256: string,
): Promise<Artifact | { problem: 'missing' | 'corrupt'; file: string }> {
  const file = cachedArtifactPath(projectDir, sha256);
  const info = await stat(file).catch(() => null);
  if (!info?.isFile()) return { problem: 'missing', file };
  if ((await sha256File(file)) !== sha256) return { problem: 'corrupt', file };
  return { file, sha256, bytes: info.size, cleanup: async () => {} };
}
