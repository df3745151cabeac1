import type { NodeProject } from './detect.js';
import type { DjangoSettings } from './django.js';

/** What `deploy init` knows about the project it runs in. */
export interface ProjectFacts {
  readonly app: string;
  readonly repository?: string;
  readonly branch?: string;
  readonly kind: 'node' | 'generic';
  /** A shipped recipe to build on (`deploy init --recipe`, or detected: manage.py → django, package.json → node). */
  readonly recipe?: 'node' | 'django';
  /** Node: the lockfile in the project, when it is not package-lock.json (yarn.lock, pnpm-lock.yaml). */
  readonly lockfile?: string;
  /** Node: workspaces and the build, start and migrate commands that fit them (see config/detect.ts). */
  readonly node?: Pick<NodeProject, 'build' | 'start' | 'migrate' | 'migrateTool' | 'workspaces'>;
  /** Django: DJANGO_SETTINGS_MODULE as manage.py sets it. */
  readonly settingsModule?: string;
  /** Django: what that settings file reads from the environment (config/django.ts), when it was found. */
  readonly django?: DjangoSettings & { readonly file: string };
}

/** A safe app name from a package name or directory name. */
export function appName(raw: string): string {
  const name = raw
    .replace(/^@[^/]+\//, '')
    .toLowerCase()
    .replace(/[^a-z0-9_-]+/g, '-')
    .replace(/^[^a-z0-9]+|-+$/g, '');
  return name || 'app';
}

/** The settings module manage.py names (`os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'mysite.settings')`). */
export function settingsModuleOf(managePy: string): string | undefined {
  return /DJANGO_SETTINGS_MODULE['"]\s*,\s*['"]([A-Za-z_][\w.]*)['"]/.exec(managePy)?.[1];
}

/** The variable `deploy init --recipe django` keeps Django's SECRET_KEY in (.env next to deploy.yml). */
export const DJANGO_SECRET_VAR = 'DJANGO_SECRET_KEY';

const quoted = (s: string) => JSON.stringify(s);

/** The deploy.yml `deploy init` writes: every line a user must change is marked, the rest has working defaults. */
export function initTemplate(f: ProjectFacts): string {
  return `# deploy.yml — written by \`deploy init\`. Every key is documented in deploy.example.yml of the deploy tool,
# and \`deploy schema > deploy.schema.json\` gives your editor completion (see the line below).
# yaml-language-server: $schema=deploy.schema.json
# Try it without touching any host: \`deploy plan staging\`; then \`deploy check staging\` and \`deploy staging\`.

app: ${f.app}
# Releases, shared files and the \`current\` symlink live here on every host.
deploy_to: /srv/${f.app}
keep_releases: 5
${f.recipe ? recipeLine(f.recipe) : ''}
# Where the code comes from: each host keeps a git mirror and unpacks the exact commit into the release.
repository: ${quoted(f.repository ?? `git@example.com:you/${f.app}.git`)}   # CHANGE ME if this is not what the hosts can clone
branch: ${f.branch ?? 'main'}

# Kept across releases and symlinked into each one.
shared:
  dirs: [log, tmp/pids]
  files:
    - { path: .env, optional: true }

${f.recipe === 'django' ? djangoSettings(f) : f.recipe === 'node' ? nodeSettings(f) : plainSettings(f)}

stages:
  staging:
    hosts:
      # CHANGE ME: your hosts. Roles: web (app servers), db (migrations), media (assets), balancer, or your own.
      - { name: web1, address: 192.0.2.10, roles: [web, db], primary: true }
  production:
    hosts:
      - { name: web1, address: 192.0.2.20, roles: [web] }
      - { name: web2, address: 192.0.2.21, roles: [web] }
      - { name: db1, address: 192.0.2.30, roles: [db] }
`;
}

function recipeLine(recipe: string): string {
  return `
# The ${recipe} recipe supplies install, migrate, restart, health, tasks and hooks (\`deploy config staging\` shows
# them all, \`deploy tasks\` lists the tasks). Anything you set below wins over it, key by key.
recipe: ${recipe}
`;
}

const sshBlock = `ssh:
  user: deploy
  # identity_file: ~/.ssh/id_ed25519
  # known_hosts: ~/.ssh/known_hosts`;

/** The settings' own environment names, or the recipe's defaults when settings.py was not found. */
function djangoEnv(f: ProjectFacts): string {
  const d = f.django;
  const db = `{ secret: "\${DATABASE_URL:-postgres://${f.app}@localhost/${f.app}}" }`;
  const lines: string[] = [];
  if (d) {
    const read = [
      `SECRET_KEY ← ${d.secretKey ?? '(committed)'}`,
      `DEBUG ← ${d.debug ?? '(committed)'}`,
      `ALLOWED_HOSTS ← ${d.allowedHosts ?? '(hard-coded)'}`,
      `DATABASES ← ${d.databaseUrl ?? '(not from the environment)'}`,
      ...(d.staticUrl ? [`STATIC_URL ← ${d.staticUrl}`] : []),
    ];
    lines.push(...comment(`Read from ${d.file}: ${read.join(', ')}.`, '  '));
    for (const w of d.warnings) lines.push(...comment(`WARNING: ${w}.`, '  '));
  }
  lines.push(
    `  ${d?.secretKey ?? 'SECRET_KEY'}: { secret: "\${${DJANGO_SECRET_VAR}}" }   # deploy init put one in .env: keep that file out of git`,
  );
  if (d?.debug) lines.push(`  ${d.debug}: ${quoted(d.debugOff ?? 'False')}   # DEBUG off`);
  if (!d || d.databaseUrl) lines.push(`  ${d?.databaseUrl ?? 'DATABASE_URL'}: ${db}`);
  if (d?.databaseUrl && d.databaseUrl !== 'DATABASE_URL')
    lines.push(`  DATABASE_URL_VAR: ${d.databaseUrl}   # where the recipe's db:create task finds the database URL`);
  if (!d || d.allowedHosts) {
    const name = d?.allowedHosts ?? 'ALLOWED_HOSTS';
    lines.push(`  ${name}: ${f.app}.example.com   # CHANGE ME: the names the site answers to (each host's address is added)`);
    if (name !== 'ALLOWED_HOSTS') lines.push(`  ALLOWED_HOSTS_VAR: ${name}   # the variable the recipe adds each host's address to`);
  }
  lines.push(
    ...comment(
      `Static files: collectstatic writes each release's files to STATIC_ROOT, which must be <project>/public (BASE_DIR / "public") for the media host to serve them: it answers /assets/<release id>/<file> from <deploy_to>/releases/<release id>/public/<file>. Pages must then use STATIC_URL = <media host URL>/assets/<release id>/ — the release id is the project directory's name, BASE_DIR.name — so that old and new pages each get their own files during a rollout. Without a media host, serve /static/ from the app (whitenoise) or your web server.`,
      '  ',
    ),
  );
  if (d?.staticUrl) lines.push(`  ${d.staticUrl}: http://media.example.com   # CHANGE ME: the media host's URL, as browsers reach it`);
  for (const other of d?.others ?? []) lines.push(`  # ${other}: ...   # settings.py reads it too`);
  return lines.join('\n');
}

/** A long comment wrapped at 116 columns. */
function comment(text: string, indent: string): string[] {
  const out: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/)) {
    if (line && indent.length + 2 + line.length + 1 + word.length > 116) {
      out.push(`${indent}# ${line}`);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  if (line) out.push(`${indent}# ${line}`);
  return out;
}

function djangoSettings(f: ProjectFacts): string {
  return `# Exported to every command on the hosts and to gunicorn; your settings read them. Secrets come from your
# environment or the .env next to this file, never from this file.
env:
  DJANGO_SETTINGS_MODULE: ${f.settingsModule ?? `${f.app.replace(/-/g, '_')}.settings`}
${djangoEnv(f)}
  # The recipe's db:create task makes the role and database of the database URL on the primary db host when they
  # are missing, with psql as DB_ADMIN_URL (default: database postgres with psql's defaults on the db host, as the
  # ssh user); DB_CREATE: no turns it off.
  # DB_ADMIN_URL: { secret: "\${DB_ADMIN_URL}" }
  # Servers without a package index: build the virtualenv on the host's Python packages (Debian's python3-django,
  # gunicorn, python3-psycopg2 …) and install from a wheelhouse, or from nothing but those.
  # VENV_OPTIONS: --system-site-packages
  # PIP_OPTIONS: --no-index --find-links /srv/wheels

${sshBlock}

# gunicorn listens on each web host's own address at this port; the health check asks it there.
# env.PORT and health.port must agree (the recipe's default is 8000).
health:
  path: /
  port: 8000`;
}

function nodeSettings(f: ProjectFacts): string {
  const n = f.node;
  const ws = n?.workspaces.length
    ? `# Workspaces found: ${n.workspaces.map((w) => (w.dir === w.name ? w.dir : `${w.dir} (${w.name})`)).join(', ')}.\n`
    : '';
  const line = (key: string, value: string | undefined, fallback: string, why: string) =>
    value ? `  ${key}: ${quoted(value)}   # ${why}` : `  # ${key}: ${fallback}`;
  return `# Exported to every command on the hosts and to the app. Secrets come from your environment or the .env next to
# this file, never from this file.
${ws}env:
  NODE_ENV: production
  PORT: 3000
${line('APP_START', n?.start, 'npm start                # how the app runs in the foreground', 'runs the app in the foreground (the workspace with a start script)')}
${line('APP_BUILD', n?.build, "npm run build            # default: package.json's build script, if any", 'builds the release (installed with devDependencies, pruned after)')}
${line('APP_MIGRATE', n?.migrate, "npm run migrate          # default: package.json's migrate script, if any", `applies pending migrations (${n?.migrateTool ?? "the workspace's migrate script"})`)}
  # APP_RELOAD: pm2 startOrReload ecosystem.config.cjs   # a process manager instead of the pid-file restart
  # DATABASE_URL: { secret: "\${DATABASE_URL}" }   # db:create makes its role and database on the db host if missing
  # DB_ADMIN_URL: postgres://postgres@localhost/postgres   # how db:create connects as a superuser (default: local socket)

${sshBlock}
${
  f.lockfile
    ? `
# node_modules is reused from the previous release while this file is unchanged.
install:
  lockfile: ${f.lockfile}
`
    : ''
}
# Migrations (APP_MIGRATE, else package.json's "migrate" script; "skipped" when there is neither) run once, on the
# primary db host, before any switch; db:create runs just before them. No database? \`migrate: ~\`.
health:
  path: /
  port: 3000`;
}

function plainSettings(f: ProjectFacts): string {
  const node = f.kind === 'node';
  return `# Exported to every command on the hosts. Secrets come from your environment or a local .env, never this file.
env:
  ${node ? 'NODE_ENV: production' : 'APP_ENV: production'}
  # DATABASE_URL: { secret: "\${DATABASE_URL}" }

${sshBlock}

${
  node
    ? `# Dependencies are installed into each release; unchanged lockfile → node_modules reused from the last one.
install:
  command: npm ci --omit=dev
  lockfile: package-lock.json
  reuse: [node_modules]
# Runs once, on the primary db host, before any web host switches.
# migrate: npm run migrate
# Runs on each web host after its switch; then the health check must pass.
restart: npm run restart --if-present
health:
  path: /health
  port: 3000`
    : `# install: make install
# migrate: ./migrate
# restart: ./restart
# health: { path: /health, port: 8000 }`
}`;
}
