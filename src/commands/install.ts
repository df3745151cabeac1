import { and, raw, script, write, type Command, type CommandOptions, type Token } from '../shell/command.js';
import { parent, within } from './paths.js';
import { digestOf, ifThen, test } from './sh.js';

export const REUSED = 'deploy:reused';
export const INSTALLED = 'deploy:installed';
export const RECONCILED = 'deploy:reconciled';

/** Exported to a reconciling install command: 1 when the previous release's dirs were copied in, else 0. */
export const SEEDED_VAR = 'DEPLOY_INSTALL_SEEDED';
/** Exported to a reconciling install command: 1 when they were copied and the lockfile is unchanged, else 0. */
export const UNCHANGED_VAR = 'DEPLOY_LOCKFILE_UNCHANGED';

export interface InstallParams {
  /** The new release directory; the install command runs there. */
  readonly release: string;
  /** The release that was live before this deploy, if any. */
  readonly previous?: string | null;
  /** Relative to the release, e.g. `package-lock.json`. */
  readonly lockfile?: string;
  /** Relative to the release, e.g. `node_modules`. */
  readonly reuse: readonly string[];
  readonly command: string;
  readonly env?: CommandOptions['env'];
  /**
   * Start from real copies (`cp -a`, never hard links) of the previous release's reuse dirs and always run the
   * command, which reconciles them with the lockfile (npm install, yarn/pnpm install --frozen-lockfile).
   */
  readonly reconcile?: boolean;
}

/**
 * One command: when the lockfile is byte-identical to the previous release's and that release has every reuse
 * dir, hard-link copies them (`cp -al`) and prints `deploy:reused`; otherwise runs the install command and prints
 * `deploy:installed`.
 */
export function install(params: InstallParams): Command {
  const { release, previous, lockfile, reuse, command, env } = params;
  const installTokens = and([script(command), write(['echo', INSTALLED])]).tokens;
  const options = { cwd: release, ...(env ? { env } : {}), description: 'install dependencies' };
  if (!previous || !lockfile || reuse.length === 0) return write(installTokens, options);
  if (params.reconcile) return reconcile(params, previous, lockfile, options);

  const prevLock = within(previous, lockfile);
  const newLock = within(release, lockfile);
  const cond: Token[] = [
    ...test('-f', prevLock),
    raw('&&'),
    ...test('-f', newLock),
    raw('&&'),
    ...test(digestOf(prevLock), raw('='), digestOf(newLock)),
    ...reuse.flatMap((d) => [raw('&&'), ...test('-d', within(previous, d))]),
  ];
  const copies: Token[] = reuse.flatMap((d) => {
    const from = within(previous, d);
    const to = within(release, d);
    const dir = parent(to);
    return [
      'rm',
      '-rf',
      to,
      raw('&&'),
      ...(dir === release.replace(/\/+$/, '') ? [] : ['mkdir', '-p', dir, raw('&&')]),
      'cp',
      '-al',
      from,
      to,
      raw('&&'),
    ];
  });
  return write(ifThen(cond, [...copies, 'echo', REUSED], installTokens), {
    ...options,
    description: `install dependencies, or reuse ${reuse.join(', ')} when ${lockfile} is unchanged`,
  });
}

/**
 * Seeds the release with copies of the previous release's reuse dirs (all of them or none), then runs the command
 * with DEPLOY_INSTALL_SEEDED and DEPLOY_LOCKFILE_UNCHANGED set. Copies, not links: npm rewrites
 * node_modules/.package-lock.json in place and builds write caches under node_modules, which would reach the
 * live release through a shared inode.
 */
function reconcile(params: InstallParams, previous: string, lockfile: string, options: CommandOptions): Command {
  const { release, reuse, command } = params;
  const prevLock = within(previous, lockfile);
  const newLock = within(release, lockfile);
  const copies: Token[] = reuse.flatMap((d) => {
    const to = within(release, d);
    const dir = parent(to);
    return [
      'rm',
      '-rf',
      to,
      raw('&&'),
      ...(dir === release.replace(/\/+$/, '') ? [] : ['mkdir', '-p', dir, raw('&&')]),
      'cp',
      '-a',
      within(previous, d),
      to,
      raw('&&'),
    ];
  });
  const tokens: Token[] = [
    raw('seeded=0;'),
    raw('unchanged=0;'),
    ...ifThen(
      reuse.flatMap((d, i) => [...(i ? [raw('&&')] : []), ...test('-d', within(previous, d))]),
      [...copies, raw('seeded=1')],
    ),
    raw(';'),
    ...ifThen(
      [
        ...test(raw('$seeded'), raw('='), '1'),
        raw('&&'),
        ...test('-f', prevLock),
        raw('&&'),
        ...test('-f', newLock),
        raw('&&'),
        ...test(digestOf(prevLock), raw('='), digestOf(newLock)),
      ],
      [raw('unchanged=1')],
    ),
    raw(';'),
    raw(`${SEEDED_VAR}=$seeded`),
    raw(`${UNCHANGED_VAR}=$unchanged`),
    ...script(command).tokens,
    raw('&&'),
    ...ifThen(
      test(raw('$unchanged'), raw('='), '1'),
      ['echo', REUSED],
      [...ifThen(test(raw('$seeded'), raw('='), '1'), ['echo', RECONCILED], ['echo', INSTALLED])],
    ),
  ];
  return write(tokens, {
    ...options,
    description: `install dependencies, starting from a copy of the previous release's ${reuse.join(', ')}`,
  });
}

/** Which branch an install took, from its output; null when neither marker was printed. */
export function installOutcome(stdout: string): 'reused' | 'reconciled' | 'installed' | null {
  const lines = stdout.split('\n').map((l) => l.trim());
  for (let i = lines.length - 1; i >= 0; i--) {
    if (lines[i] === REUSED) return 'reused';
    if (lines[i] === RECONCILED) return 'reconciled';
    if (lines[i] === INSTALLED) return 'installed';
  }
  return null;
}
