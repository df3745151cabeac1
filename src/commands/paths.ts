/** Every remote path of a deploy comes from here, never from ad-hoc string joins. */
export interface Paths {
  readonly root: string;
  readonly releases: string;
  readonly current: string;
  readonly shared: string;
  readonly repo: string;
  readonly revisionsLog: string;
  readonly lock: string;
  readonly uploads: string;
  /** Old releases wait here, renamed out of `releases/`, for their removal in the background. */
  readonly trash: string;
  /** What the last background removal did. */
  readonly trashLog: string;
  /** On a beta host while it serves the beta (`deploy beta`): the beta release, its revision, the live release. */
  readonly beta: string;
  release(id: string): string;
}

export function paths(deployTo: string): Paths {
  const root = deployTo.replace(/\/+$/, '') || '/';
  const join = (...parts: string[]) => [root === '/' ? '' : root, ...parts].join('/');
  return Object.freeze({
    root,
    releases: join('releases'),
    current: join('current'),
    shared: join('shared'),
    repo: join('repo'),
    revisionsLog: join('revisions.log'),
    lock: join('deploy.lock'),
    uploads: join('uploads'),
    trash: join('.trash'),
    trashLog: join('.trash.log'),
    beta: join('beta'),
    release: (id: string) => join('releases', segment(id)),
  });
}

/** A single path component; `rm -rf` of a path built from '', '.', '..' or 'a/b' would reach too far. */
export function segment(name: string): string {
  if (name === '' || name === '.' || name === '..' || /[/\0]/.test(name)) {
    throw new Error(`not a single path component: ${JSON.stringify(name)}`);
  }
  return name;
}

/**
 * `base/rel` for a relative path from deploy.yml (`public/uploads/`, `./config/app.yml`): trailing slashes and
 * `.` parts dropped; absolute paths and `..` rejected, so nothing built here can point outside `base`.
 */
export function within(base: string, rel: string): string {
  const parts = rel.split('/').filter((s) => s !== '' && s !== '.');
  if (rel.startsWith('/') || parts.length === 0 || parts.includes('..') || rel.includes('\0')) {
    throw new Error(`not a relative path inside ${base}: ${JSON.stringify(rel)}`);
  }
  return [base === '/' ? '' : base.replace(/\/+$/, ''), ...parts].join('/');
}

/** The directory holding `path` (`/a/b/c` → `/a/b`). */
export function parent(path: string): string {
  const trimmed = path.replace(/\/+$/, '');
  if (trimmed === '' && path !== '') return '/';
  const i = trimmed.lastIndexOf('/');
  if (i < 0) return '.';
  return i === 0 ? '/' : trimmed.slice(0, i);
}
