export function paths(deployTo) {
    const root = deployTo.replace(/\/+$/, '') || '/';
    const join = (...parts) => [root === '/' ? '' : root, ...parts].join('/');
    return Object.freeze({
        root,
        releases: join('releases'),
        current: join('current'),
        shared: join('shared'),
        repo: join('repo'),
        revisionsLog: join('revisions.log'),
        lock: join('deploy.lock'),
        uploads: join('uploads'),
        release: (id) => join('releases', segment(id)),
    });
}
/** A single path component; `rm -rf` of a path built from '', '.', '..' or 'a/b' would reach too far. */
export function segment(name) {
    if (name === '' || name === '.' || name === '..' || /[/\0]/.test(name)) {
        throw new Error(`not a single path component: ${JSON.stringify(name)}`);
    }
    return name;
}
/**
 * `base/rel` for a relative path from deploy.yml (`public/uploads/`, `./config/app.yml`): trailing slashes and
 * `.` parts dropped; absolute paths and `..` rejected, so nothing built here can point outside `base`.
 */
export function within(base, rel) {
    const parts = rel.split('/').filter((s) => s !== '' && s !== '.');
    if (rel.startsWith('/') || parts.length === 0 || parts.includes('..') || rel.includes('\0')) {
        throw new Error(`not a relative path inside ${base}: ${JSON.stringify(rel)}`);
    }
    return [base === '/' ? '' : base.replace(/\/+$/, ''), ...parts].join('/');
}
/** The directory holding `path` (`/a/b/c` → `/a/b`). */
export function parent(path) {
    const trimmed = path.replace(/\/+$/, '');
    if (trimmed === '' && path !== '')
        return '/';
    const i = trimmed.lastIndexOf('/');
    if (i < 0)
        return '.';
    return i === 0 ? '/' : trimmed.slice(0, i);
}
//# sourceMappingURL=paths.js.map