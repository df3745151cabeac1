import { execFileSync } from 'node:child_process';
import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { tempFleet, type TempFleet } from '../fleet/context.js';
import { demoConfigValues, sshRun, type Fleet } from '../fleet/fleet.js';
import { steadyLoad } from './support/load.js';
import { cli, repoRoot, scratch } from './support/project.js';

// fixtures/django-heroku: a project written Heroku-style (DJANGO_SECRET_KEY and DJANGO_DEBUG with committed
// fallbacks, dj_database_url, hard-coded ALLOWED_HOSTS, 12 migrations in 2 apps), deployed with what
// `deploy init --recipe django` writes plus the fleet's addresses, keys and balancer block.
const deployTo = '/srv/hellodjango';
const PORT = 3000; // the temp fleet's balancer pool

async function on(f: Fleet, host: string, command: string): Promise<string> {
  const r = await sshRun(f, host, command);
  if (r.code !== 0) throw new Error(`${host}: ${command}: exit ${r.code}: ${r.stderr}`);
  return r.stdout.trim();
}
const addressOf = (f: Fleet, name: string) => f.hosts.find((h) => h.name === name)!.address;
const codeHosts = (f: Fleet) => f.hosts.filter((h) => !h.roles.includes('balancer')).map((h) => h.name);
const releaseOf = (stdout: string) => /release (\d{14})/.exec(stdout)?.[1] ?? '';

describe('recipe: django on a Heroku-style project — init, first deploy, a new migration under load, rollback, redirects', () => {
  let t: TempFleet;
  let f: Fleet;
  let work: string;
  let bare: string;
  let file: string;
  let env: NodeJS.ProcessEnv;
  let r1 = '';
  let r2 = '';

  const git = (...args: string[]) => execFileSync('git', args, { cwd: work, env, encoding: 'utf8' }).trim();
  const commit = (version: string, files: Record<string, string> = {}) => {
    writeFileSync(join(work, 'VERSION'), `${version}\n`);
    for (const [name, text] of Object.entries(files)) writeFileSync(join(work, name), text);
    git('add', '-A');
    git('commit', '-q', '-m', version);
    git('push', '-q', 'origin', 'main');
    execFileSync('chown', ['-R', 'deploy:deploy', bare]);
  };
  const health = async (): Promise<Record<string, unknown>> =>
    (await fetch(`${f.balancer!.url}/health`, { signal: AbortSignal.timeout(5000) })).json() as Promise<Record<string, unknown>>;
  const psql = (sql: string, db = 'postgres') => on(f, 'db1', `psql -h ${addressOf(f, 'db1')} -U postgres -d ${db} -Atc "${sql}"`);
  const releases = async () => (await cli(['releases', 'staging', '-c', file], { cwd: work })).stdout;
  const withConfig = (change: (c: Record<string, any>) => void, name: string) => {
    const c = parse(readFileSync(file, 'utf8')) as Record<string, any>;
    change(c);
    const other = join(work, name);
    writeFileSync(other, stringify(c));
    return other;
  };

  beforeAll(async () => {
    t = await tempFleet({ webs: 2, balancer: 'nginx', mediaDeployTo: deployTo });
    f = t.fleet;
    const root = scratch('recipe-django-heroku');
    const gitconfig = join(root, 'gitconfig');
    writeFileSync(gitconfig, '[safe]\n\tdirectory = *\n');
    env = {
      ...process.env,
      GIT_CONFIG_GLOBAL: gitconfig,
      GIT_AUTHOR_NAME: 't',
      GIT_AUTHOR_EMAIL: 't@t',
      GIT_COMMITTER_NAME: 't',
      GIT_COMMITTER_EMAIL: 't@t',
    };
    work = join(root, 'work');
    bare = join(root, 'app.git');
    cpSync(join(repoRoot, 'fixtures', 'django-heroku'), work, {
      recursive: true,
      filter: (src) => !/__pycache__|\/public$|db\.sqlite3$/.test(src),
    });
    execFileSync('git', ['init', '-q', '--bare', '-b', 'main', bare], { env });
    git('init', '-q', '-b', 'main');
    git('remote', 'add', 'origin', bare);
    commit('v1');
  }, 180_000);

  afterAll(async () => {
    if (file) await cli(['task', 'staging', 'django:stop', '-c', file], { cwd: work });
    await t?.down();
  });

  it('deploy init --recipe django writes the names settings.py reads and warns about its fallbacks', async () => {
    const r = await cli(['init', '--recipe', 'django'], { cwd: work, env: { HOME: process.env.HOME ?? '/root' } });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(
      /^WARNING: hellodjango\/settings\.py: SECRET_KEY falls back to a key committed in settings\.py when DJANGO_SECRET_KEY is not set/m,
    );
    expect(r.stderr).toMatch(/^WARNING: hellodjango\/settings\.py: DEBUG is on unless DJANGO_DEBUG says otherwise/m);
    expect(r.stderr).toMatch(/^WARNING: hellodjango\/settings\.py: ALLOWED_HOSTS is hard-coded/m);
    file = join(work, 'deploy.yml');
    const written = parse(readFileSync(file, 'utf8')) as Record<string, any>;
    expect(written.env).toMatchObject({
      DJANGO_SETTINGS_MODULE: 'hellodjango.settings',
      DJANGO_SECRET_KEY: { secret: '${DJANGO_SECRET_KEY}' },
      DJANGO_DEBUG: 'False',
      DJANGO_STATIC_HOST: 'http://media.example.com',
    });
    // Not the names the app ignores.
    expect(written.env).not.toHaveProperty('SECRET_KEY');
    expect(written.env).not.toHaveProperty('ALLOWED_HOSTS');
  });

  it('first deploy: the role and database are created, 12 migrations run, DEBUG is off, static files come from the media host', async () => {
    const b = demoConfigValues(f).balancer! as { upstreamFile: string; reload: string };
    const c = parse(readFileSync(file, 'utf8')) as Record<string, any>;
    c.deploy_to = deployTo;
    c.ssh = { ...c.ssh, identity_file: f.key, known_hosts: f.knownHosts, connect_timeout: 5 };
    c.env = {
      ...c.env,
      DATABASE_URL: { secret: `postgres://hello:s3cret@${addressOf(f, 'db1')}:5432/hellodjango` },
      DB_ADMIN_URL: { secret: `postgres://postgres@${addressOf(f, 'db1')}:5432/postgres` },
      DJANGO_STATIC_HOST: f.media!.url,
      PORT,
      // No package index here: Debian's python3-django, gunicorn and python3-psycopg2.
      VENV_OPTIONS: '--system-site-packages',
      PIP_OPTIONS: '--no-index',
    };
    c.health = { ...c.health, port: PORT };
    c.roles = {
      balancer: {
        balancer: { kind: 'nginx', pool: 'web', port: PORT, upstream_file: b.upstreamFile, upstream_name: 'app', reload: b.reload },
      },
    };
    c.stages = { staging: { hosts: f.hosts.map((h) => ({ name: h.name, address: h.address, roles: h.roles })) } };
    writeFileSync(file, stringify(c));

    const r = await cli(['staging', '-c', file, '-m', 'first deploy: the library opens'], { cwd: work });
    expect(r.code, r.stderr + r.stdout).toBe(0);
    r1 = releaseOf(r.stdout);
    // check --deploy: one short warning with the count and the ids, not the text of every finding.
    expect(r.stdout).toMatch(
      /task django:check failed \(exit 1\); going on \(allow_failure\):[\s\S]{0,80}check --deploy: \d+ issues \(security\.W\d+(, security\.W\d+)*\)/,
    );
    expect(r.stdout).not.toContain('SECURE_HSTS_SECONDS');
    expect(await on(f, 'web1', `cat '${deployTo}/shared/log/django-check.log'`)).toContain('SECURE_HSTS_SECONDS');

    expect(await psql("select rolname from pg_roles where rolname = 'hello'")).toBe('hello');
    expect(await psql("select pg_get_userbyid(datdba) from pg_database where datname = 'hellodjango'")).toBe('hello');
    expect(
      await psql(
        "select app || ' ' || count(*) from django_migrations where app in ('catalog', 'blog') group by app order by app",
        'hellodjango',
      ),
    ).toBe('blog 5\ncatalog 7');
    expect(await health()).toMatchObject({ status: 'ok', version: 'v1', release: r1, debug: false, schema: '0007_first_books' });
    const page = await (await fetch(`${f.balancer!.url}/`)).text();
    expect(page).toContain('<li>Frankenstein (Shelley, Mary)</li>');
    expect(page).toContain(`${f.media!.url}/assets/${r1}/catalog/style.css`);
    expect((await fetch(`${f.media!.url}/assets/${r1}/catalog/style.css`)).status).toBe(200);

    // The message (-m) is kept: revisions.log, the releases, the JSON events and summary of the run.
    expect(await releases()).toMatch(new RegExp(`\\* ${r1} [0-9a-f]{12}  first deploy: the library opens`));
    expect(await on(f, 'web1', `tail -n 1 '${deployTo}/revisions.log'`)).toContain('"message":"first deploy: the library opens"');
    const run = readFileSync(join(work, '.deploy', 'logs', 'staging', latestRun(work), 'events.ndjson'), 'utf8');
    const events = run
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, any>);
    expect(events[0]).toMatchObject({ type: 'run:start', message: 'first deploy: the library opens' });
    expect(events.at(-1)!.summary).toMatchObject({ message: 'first deploy: the library opens', release: r1 });
  });

  it('a change with a new migration, deployed under load through the balancer: 0 failed requests', async () => {
    commit('v2', {
      'catalog/migrations/0008_second_book.py': `from django.db import migrations


def second(apps, schema_editor):
    Author = apps.get_model('catalog', 'Author')
    Book = apps.get_model('catalog', 'Book')
    Book.objects.create(title='The Last Man', author=Author.objects.get(last_name='Shelley'))


class Migration(migrations.Migration):
    dependencies = [('catalog', '0007_first_books')]
    operations = [migrations.RunPython(second, migrations.RunPython.noop)]
`,
    });
    const load = steadyLoad(`${f.balancer!.url}/health`, { concurrency: 4, maxSeconds: 150 });
    const r = await cli(['staging', '-c', file, '-m', 'v2'], { cwd: work });
    const result = await load.stop();
    expect(r.code, r.stderr + r.stdout).toBe(0);
    r2 = releaseOf(r.stdout);
    expect(result.failures, JSON.stringify(result.errors)).toBe(0);
    expect(result.requests).toBeGreaterThan(100);
    expect(await health()).toMatchObject({ version: 'v2', release: r2, schema: '0008_second_book' });
    expect(await (await fetch(`${f.balancer!.url}/`)).text()).toContain('<li>The Last Man (Shelley, Mary)</li>');
  });

  it('rollback under load: v1 again, 0 failed requests; rollback --to the bad release clears its mark while it is live', async () => {
    const load = steadyLoad(`${f.balancer!.url}/health`, { concurrency: 4, maxSeconds: 150 });
    const r = await cli(['rollback', 'staging', '-c', file], { cwd: work });
    const result = await load.stop();
    expect(r.code, r.stderr + r.stdout).toBe(0);
    expect(result.failures, JSON.stringify(result.errors)).toBe(0);
    expect(await health()).toMatchObject({ version: 'v1', release: r1, schema: '0008_second_book' });
    expect(await releases()).toMatch(new RegExp(`  ${r2} [0-9a-f]{12} \\(bad\\)  v2`));

    const back = await cli(['rollback', 'staging', '-c', file, '--to', r2, '-m', 'v2 was fine after all'], { cwd: work });
    expect(back.code, back.stderr + back.stdout).toBe(0);
    expect(await health()).toMatchObject({ version: 'v2', release: r2 });
    const listed = await releases();
    expect(listed).toMatch(new RegExp(`\\* ${r2} [0-9a-f]{12}  v2 was fine after all`));
    expect(listed).not.toMatch(new RegExp(`${r2} [0-9a-f]{12} \\(bad\\)`));
    // The release it left is the one marked now.
    expect(listed).toMatch(new RegExp(`  ${r1} [0-9a-f]{12} \\(bad\\)`));
    for (const h of codeHosts(f))
      expect(await on(f, h, `test -e '${deployTo}/releases/${r2}/.deploy-bad' && echo bad || echo clean`)).toBe('clean');
  });

  it('a health check answered by a redirect shows the status line and Location; health.follow_redirects passes', async () => {
    commit('v3');
    const redirected = withConfig((c) => (c.health = { ...c.health, path: '/admin/', retries: 1, interval: 0.2 }), 'deploy-admin.yml');
    const r = await cli(['staging', '-c', redirected], { cwd: work });
    expect(r.code, r.stdout).toBe(6);
    expect(r.stderr).toMatch(/expected HTTP 200, got HTTP\/1\.[01] 302 Found, Location: \/admin\/login\/\?next=\/admin\/ after 2 attempts/);
    expect(r.stderr).toContain('set health.follow_redirects: true');
    expect(await health()).toMatchObject({ version: 'v2', release: r2 });

    const following = withConfig(
      (c) => (c.health = { ...c.health, path: '/admin/', retries: 1, interval: 0.2, follow_redirects: true }),
      'deploy-follow.yml',
    );
    const ok = await cli(['staging', '-c', following], { cwd: work });
    expect(ok.code, ok.stderr + ok.stdout).toBe(0);
    expect(await health()).toMatchObject({ version: 'v3' });
  });
});

/** The newest run directory of the stage's logs. */
function latestRun(work: string): string {
  const runs = execFileSync('ls', [join(work, '.deploy', 'logs', 'staging')], { encoding: 'utf8' })
    .trim()
    .split('\n');
  return runs.sort().at(-1)!;
}
