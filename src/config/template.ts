/** What `deploy init` knows about the project it runs in. */
export interface ProjectFacts {
  readonly app: string;
  readonly repository?: string;
  readonly branch?: string;
  readonly kind: 'node' | 'generic';
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

const quoted = (s: string) => JSON.stringify(s);

/** The deploy.yml `deploy init` writes: every line a user must change is marked, the rest has working defaults. */
export function initTemplate(f: ProjectFacts): string {
  const node = f.kind === 'node';
  return `# deploy.yml — written by \`deploy init\`. Every key is documented in deploy.example.yml of the deploy tool,
# and \`deploy schema > deploy.schema.json\` gives your editor completion (see the line below).
# yaml-language-server: $schema=deploy.schema.json
# Try it without touching any host: \`deploy plan staging\`; then \`deploy check staging\` and \`deploy staging\`.

app: ${f.app}
# Releases, shared files and the \`current\` symlink live here on every host.
deploy_to: /srv/${f.app}
keep_releases: 5

# Where the code comes from: each host keeps a git mirror and unpacks the exact commit into the release.
repository: ${quoted(f.repository ?? `git@example.com:you/${f.app}.git`)}   # CHANGE ME if this is not what the hosts can clone
branch: ${f.branch ?? 'main'}

# Kept across releases and symlinked into each one.
shared:
  dirs: [log, tmp/pids]
  files:
    - { path: .env, optional: true }

# Exported to every command on the hosts. Secrets come from your environment or a local .env, never this file.
env:
  ${node ? 'NODE_ENV: production' : 'APP_ENV: production'}
  # DATABASE_URL: { secret: "\${DATABASE_URL}" }

ssh:
  user: deploy
  # identity_file: ~/.ssh/id_ed25519
  # known_hosts: ~/.ssh/known_hosts

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
}

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
