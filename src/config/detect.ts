import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';

export type PackageManager = 'npm' | 'yarn' | 'pnpm';

/** What `deploy init` finds in a Node project: its package manager, workspaces and the commands that fit them. */
export interface NodeProject {
  readonly manager: PackageManager;
  /** The lockfile, when there is one (package-lock.json, yarn.lock, pnpm-lock.yaml). */
  readonly lockfile?: string;
  /** Workspace packages: dir relative to the project, package name. */
  readonly workspaces: readonly { readonly dir: string; readonly name: string }[];
  /** APP_BUILD when the root package.json has no build script but workspaces do. */
  readonly build?: string;
  /** APP_START when the root package.json has no start script but a workspace does. */
  readonly start?: string;
  /** APP_MIGRATE when the root has no migrate script: a workspace's migrate script or a migration tool's command. */
  readonly migrate?: string;
  /** Which migration tool `migrate` runs, for the comment next to it. */
  readonly migrateTool?: string;
}

interface PackageJson {
  readonly name?: string;
  readonly scripts?: Record<string, string>;
  readonly dependencies?: Record<string, string>;
  readonly devDependencies?: Record<string, string>;
  readonly workspaces?: readonly string[] | { readonly packages?: readonly string[] };
}

function readJson(file: string): PackageJson | undefined {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as PackageJson;
  } catch {
    return undefined;
  }
}

/** Migration tools by package name, with the command that applies pending migrations (run where its package is). */
export const MIGRATION_TOOLS: readonly { readonly pkg: string; readonly bin: string; readonly args: string }[] = [
  { pkg: 'sequelize-cli', bin: 'sequelize-cli', args: 'db:migrate' },
  { pkg: 'prisma', bin: 'prisma', args: 'migrate deploy' },
  { pkg: 'knex', bin: 'knex', args: 'migrate:latest' },
  { pkg: 'node-pg-migrate', bin: 'node-pg-migrate', args: 'up' },
  { pkg: 'typeorm', bin: 'typeorm', args: 'migration:run -d dist/data-source.js' },
];

const LOCKFILES: readonly [string, PackageManager][] = [
  ['pnpm-lock.yaml', 'pnpm'],
  ['yarn.lock', 'yarn'],
  ['package-lock.json', 'npm'],
  ['npm-shrinkwrap.json', 'npm'],
];

/** Workspace globs of package.json (npm, yarn) or pnpm-workspace.yaml. */
function workspaceGlobs(dir: string, pkg: PackageJson): string[] {
  const ws = pkg.workspaces;
  if (Array.isArray(ws)) return [...ws];
  if (ws && !Array.isArray(ws) && Array.isArray((ws as { packages?: string[] }).packages))
    return [...(ws as { packages: string[] }).packages];
  try {
    const pnpm = parse(readFileSync(join(dir, 'pnpm-workspace.yaml'), 'utf8')) as { packages?: unknown } | null;
    if (Array.isArray(pnpm?.packages)) return pnpm.packages.filter((p): p is string => typeof p === 'string');
  } catch {
    // no pnpm workspace
  }
  return [];
}

/** `backend`, `packages/*`: the dirs with a package.json (one level of `*`; negations and `**` are left out). */
function expand(dir: string, globs: readonly string[]): string[] {
  const out: string[] = [];
  for (const g of globs) {
    if (g.startsWith('!')) continue;
    const clean = g.replace(/^\.\//, '').replace(/\/+$/, '');
    const star = clean.indexOf('*');
    if (star < 0) {
      if (existsSync(join(dir, clean, 'package.json'))) out.push(clean);
      continue;
    }
    const base = clean.slice(0, star).replace(/\/+$/, '');
    let names: string[] = [];
    try {
      names = readdirSync(join(dir, base)).filter((n) => statSync(join(dir, base, n)).isDirectory());
    } catch {
      continue;
    }
    for (const n of names.sort()) {
      const rel = base ? `${base}/${n}` : n;
      if (existsSync(join(dir, rel, 'package.json'))) out.push(rel);
    }
  }
  return [...new Set(out)];
}

/** Runs a workspace's script, the package manager's way. */
export function workspaceRun(manager: PackageManager, names: readonly string[], script: string): string {
  switch (manager) {
    case 'yarn':
      return names.map((n) => `yarn workspace ${n} run ${script}`).join(' && ');
    case 'pnpm':
      return `pnpm ${names.map((n) => `--filter ${n}`).join(' ')} run ${script}`;
    default:
      return `npm run ${script} ${names.map((n) => `-w ${n}`).join(' ')}`;
  }
}

/** Runs a package's binary in a workspace's dir (or the root's, without a workspace). */
export function workspaceExec(manager: PackageManager, name: string | undefined, bin: string, args: string): string {
  if (!name) return manager === 'npm' ? `npx --no ${bin} ${args}` : `${manager} exec ${bin} ${args}`;
  switch (manager) {
    case 'yarn':
      return `yarn workspace ${name} run ${bin} ${args}`;
    case 'pnpm':
      return `pnpm --filter ${name} exec ${bin} ${args}`;
    default:
      return `npm exec -w ${name} --no -- ${bin} ${args}`;
  }
}

const hasDep = (pkg: PackageJson, name: string) => Boolean(pkg.dependencies?.[name] ?? pkg.devDependencies?.[name]);

/** Reads a Node project's package.json files, lockfile and workspaces; undefined without a package.json. */
export function detectNodeProject(dir: string): NodeProject | undefined {
  const root = readJson(join(dir, 'package.json'));
  if (!root) return undefined;
  const found = LOCKFILES.find(([f]) => existsSync(join(dir, f)));
  const manager: PackageManager = found?.[1] ?? 'npm';
  const workspaces = expand(dir, workspaceGlobs(dir, root)).flatMap((d) => {
    const pkg = readJson(join(dir, d, 'package.json'));
    return pkg ? [{ dir: d, name: pkg.name ?? d, pkg }] : [];
  });
  const scripted = (script: string) => workspaces.filter((w) => w.pkg.scripts?.[script]);
  const project: { -readonly [K in keyof NodeProject]: NodeProject[K] } = {
    manager,
    ...(found ? { lockfile: found[0] } : {}),
    workspaces: workspaces.map(({ dir: d, name }) => ({ dir: d, name })),
  };
  if (!root.scripts?.build && scripted('build').length > 0)
    project.build = workspaceRun(
      manager,
      scripted('build').map((w) => w.name),
      'build',
    );
  if (!root.scripts?.start) {
    // The workspace that serves: one with a start script, preferring one without a build (a frontend has both).
    const starts = scripted('start');
    const server = starts.find((w) => !w.pkg.scripts?.build) ?? starts[0];
    if (server) project.start = workspaceRun(manager, [server.name], 'start');
  }
  if (!root.scripts?.migrate) {
    const own = scripted('migrate')[0];
    if (own) {
      project.migrate = workspaceRun(manager, [own.name], 'migrate');
    } else {
      for (const tool of MIGRATION_TOOLS) {
        const where = hasDep(root, tool.pkg) ? undefined : workspaces.find((w) => hasDep(w.pkg, tool.pkg));
        if (!where && !hasDep(root, tool.pkg)) continue;
        project.migrate = workspaceExec(manager, where?.name, tool.bin, tool.args);
        project.migrateTool = tool.pkg;
        break;
      }
    }
  }
  return project;
}
