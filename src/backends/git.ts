/** The one module that asks a local git repository about itself (through simple-git). */

export interface LocalRepo {
  readonly origin?: string;
  readonly branch?: string;
}

/** The origin URL and current branch of the repository at `dir`; empty when `dir` is not a git work tree. */
export async function describeRepo(dir: string): Promise<LocalRepo> {
  try {
    const { simpleGit } = await import('simple-git');
    const git = simpleGit({ baseDir: dir });
    if (!(await git.checkIsRepo())) return {};
    const remotes = await git.getRemotes(true);
    const origin = remotes.find((r) => r.name === 'origin')?.refs.fetch;
    const branch = (await git.revparse(['--abbrev-ref', 'HEAD'])).trim();
    return { ...(origin ? { origin } : {}), ...(branch && branch !== 'HEAD' ? { branch } : {}) };
  } catch {
    return {};
  }
}
