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
    release: (id: string) => join('releases', id),
  });
}
