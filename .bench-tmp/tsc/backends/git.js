/** The one module that asks a local git repository about itself (through simple-git). */
/** The origin URL and current branch of the repository at `dir`; empty when `dir` is not a git work tree. */
export async function describeRepo(dir) {
    try {
        const { simpleGit } = await import('simple-git');
        const git = simpleGit({ baseDir: dir });
        if (!(await git.checkIsRepo()))
            return {};
        const remotes = await git.getRemotes(true);
        const origin = remotes.find((r) => r.name === 'origin')?.refs.fetch;
        const branch = (await git.revparse(['--abbrev-ref', 'HEAD'])).trim();
        return { ...(origin ? { origin } : {}), ...(branch && branch !== 'HEAD' ? { branch } : {}) };
    }
    catch {
        return {};
    }
}
//# sourceMappingURL=git.js.map