import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stripVTControlCharacters } from 'node:util';
import { execa } from 'execa';
import { chromium, type BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fleet } from '../fleet/context.js';
import { sshRun, type Fleet } from '../fleet/fleet.js';
import { leakIn, SECRETS } from '../unit/shell/secrets.js';
import { appRepo, cli, project, repoRoot, type AppRepo } from './support/project.js';

const SECRET = 's3cr3t-value';
const PORT = 3108;
const EVENT_TYPES = new Set(
  [...readFileSync(join(repoRoot, 'src/output/events.ts'), 'utf8').matchAll(/\{ type: '([a-z:-]+)'/g)].map((m) => m[1]),
);

const webHosts = (f: Fleet) => f.hosts.filter((h) => h.roles.includes('web')).map((h) => h.name);
const codeHosts = (f: Fleet) => f.hosts.filter((h) => !h.roles.includes('balancer')).map((h) => h.name);
const parse = (ndjson: string) =>
  ndjson
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as { type: string; [k: string]: unknown });
const filesUnder = (dir: string): string[] =>
  readdirSync(dir, { withFileTypes: true }).flatMap((d) => (d.isDirectory() ? filesUnder(join(dir, d.name)) : [join(dir, d.name)]));

async function browser(): Promise<BrowserContext> {
  return chromium.launchPersistentContext(mkdtempSync(join(tmpdir(), 'deploy-chromium-')), {
    executablePath: '/usr/bin/chromium',
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
    viewport: { width: 1200, height: 900 },
  });
}

/** Per host row of the report's timeline: how many bars, and the fill colour of the failed ones. */
async function bars(ctx: BrowserContext, file: string): Promise<Record<string, { bars: number; failed: string[] }>> {
  const page = await ctx.newPage();
  const requests: string[] = [];
  page.on('request', (r) => void (r.url().startsWith('file://') || requests.push(r.url())));
  await page.goto(`file://${file}`);
  const result = await page.evaluate(() => {
    const out: Record<string, { bars: number; failed: string[] }> = {};
    for (const label of document.querySelectorAll('svg.timeline .host-label')) out[label.textContent ?? ''] = { bars: 0, failed: [] };
    for (const bar of document.querySelectorAll<SVGRectElement>('svg.timeline rect.bar')) {
      const host = bar.dataset.host ?? '';
      const row = (out[host] ??= { bars: 0, failed: [] });
      if (bar.getBBox().width > 0) row.bars++;
      if (bar.classList.contains('failed')) row.failed.push(getComputedStyle(bar).fill);
    }
    return out;
  });
  await page.close();
  expect(requests).toEqual([]);
  return result;
}

describe('output: secrets, JSON summary, logs, report, terminal', () => {
  let f: Fleet;
  let repo: AppRepo;
  let p: ReturnType<typeof project>;
  let ctx: BrowserContext;
  const env = { API_TOKEN: SECRET };

  beforeAll(async () => {
    f = fleet();
    repo = appRepo();
    p = project(f, {
      source: { repository: repo.url },
      extra: {
        env: { PORT: String(PORT), API_TOKEN: { secret: '${API_TOKEN}' } },
        health: { path: '/health', port: PORT, retries: 12, interval: 0.25 },
        tasks: { leak: { run: 'echo token=$API_TOKEN' } },
        hooks: { after: { deploy: ['leak'] } },
      },
    });
    ctx = await browser();
  });
  afterAll(async () => {
    await ctx?.close();
    for (const h of webHosts(f)) await sshRun(f, h, `[ -x '${p.deployTo}/current/bin/stop' ] && '${p.deployTo}/current/bin/stop' || true`);
  });

  const noSecretIn = (label: string, text: string) => expect(text.includes(SECRET), `${label} holds the secret`).toBe(false);

  it('plain CI lines: a secret a hook prints is *** in stdout, stderr and every log file', async () => {
    repo.commit('v1');
    const r = await cli(['staging', '-c', p.file], { env });
    expect(r.code, r.stderr).toBe(0);
    noSecretIn('stdout', r.stdout);
    noSecretIn('stderr', r.stderr);
    expect(r.stdout).toMatch(/^\d\d:\d\d:\d\d -\s+task:leak\s+ok in/m);
    expect(r.stdout).not.toMatch(/\x1b\[/);
    const logs = filesUnder(join(p.dir, '.deploy', 'logs', 'staging'));
    expect(logs.map((l) => l.split('/').pop()).sort()).toEqual([...f.hosts.map((h) => `${h.name}.log`), 'events.ndjson', 'run.log'].sort());
    for (const file of logs) noSecretIn(file, readFileSync(file, 'utf8'));
    const web1 = readFileSync(logs.find((l) => l.endsWith('/web1.log'))!, 'utf8');
    expect(web1).toMatch(/^\S+Z \[task:leak\] > token=\*\*\*$/m);
    expect(web1).toMatch(/^\S+Z \[task:leak\] \$ .*echo token=\$API_TOKEN/m);
    expect(web1).toMatch(/^\S+Z \[task:leak\] exit 0 in /m);
  });

  it('--verbose shows the hook output, masked', async () => {
    const r = await cli(['staging', '-c', p.file, '--verbose'], { env });
    expect(r.code, r.stderr).toBe(0);
    noSecretIn('stdout', r.stdout + r.stderr);
    expect(r.stdout).toMatch(/web1\s+task:leak\s+> token=\*\*\*/);
  });

  it('--json: known events only, masked, ending with the summary of every host', async () => {
    const previous = readFileSync(
      join(
        p.dir,
        '.deploy',
        'logs',
        'staging',
        readdirSync(join(p.dir, '.deploy', 'logs', 'staging'))
          .sort()
          .pop()!,
        'events.ndjson',
      ),
      'utf8',
    );
    const before = parse(previous).find((e) => e.type === 'release:chosen')!.release as string;
    repo.commit('v2');
    const r = await cli(['staging', '-c', p.file, '--json'], { env });
    expect(r.code, r.stderr).toBe(0);
    noSecretIn('stdout', r.stdout + r.stderr);
    const events = parse(r.stdout);
    for (const e of events) {
      expect(EVENT_TYPES.has(e.type), e.type).toBe(true);
      expect(e.time).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    }
    expect(events.some((e) => e.type === 'output' && e.line === 'token=***')).toBe(true);
    const start = {
      ...(events[0] as { type: string }),
      release: (events.find((e) => e.type === 'release:chosen') as unknown as { release: string }).release,
    };
    const end = events.at(-1) as {
      type: string;
      outcome: string;
      exitCode: number;
      summary: { release: string; revision: string; hosts: Record<string, unknown>[] };
    };
    expect(start.type).toBe('run:start');
    expect(end).toMatchObject({ type: 'run:end', outcome: 'success', exitCode: 0 });
    expect(end.summary).toMatchObject({ release: start.release, revision: expect.stringMatching(/^[0-9a-f]{40}$/) });
    expect(end.summary.hosts.map((h) => h.host)).toEqual(codeHosts(f));
    for (const h of end.summary.hosts) {
      expect(h).toMatchObject({ previous: before, release: start.release, current: start.release, outcome: 'deployed' });
      expect(h.durationMs).toBeGreaterThan(0);
      expect(Object.keys(h.steps as object)).toEqual(expect.arrayContaining(['check', 'release', 'transfer', 'switch', 'task:leak']));
    }
  });

  it('`deploy logs` shows the last run, per host with --host', async () => {
    const all = await cli(['logs', 'staging', '-c', p.file]);
    expect(all.code, all.stderr).toBe(0);
    expect(all.stdout).toMatch(/-\s+done\s+success \(exit 0\)/);
    const web1 = await cli(['logs', 'staging', '-c', p.file, '--host', 'web1']);
    expect(web1.stdout).toContain('[task:leak] > token=***');
    noSecretIn('logs', all.stdout + web1.stdout);
    const list = await cli(['logs', 'staging', '-c', p.file, '--list']);
    expect(list.stdout.trim().split('\n')).toHaveLength(3);
  });

  it('--report: the HTML report draws bars for every host; a failing run has its failed bar in red', async () => {
    repo.commit('v3');
    const good = join(p.dir, 'good.html');
    const ok = await cli(['staging', '-c', p.file, '--report', good], { env });
    expect(ok.code, ok.stderr).toBe(0);
    noSecretIn('report', readFileSync(good, 'utf8'));
    const okBars = await bars(ctx, good);
    expect(Object.keys(okBars).sort()).toEqual(f.hosts.map((h) => h.name).sort());
    for (const h of codeHosts(f)) expect(okBars[h]!.bars, h).toBeGreaterThanOrEqual(8);
    for (const row of Object.values(okBars)) expect(row.failed).toEqual([]);

    repo.commit('v4-broken', { failHealth: ['web2'] });
    const bad = join(p.dir, 'bad.html');
    const failed = await cli(['staging', '-c', p.file, '--report', bad, '--json'], { env });
    expect(failed.code).toBe(6);
    const end = parse(failed.stdout).at(-1) as unknown as {
      outcome: string;
      summary: { hosts: { host: string; outcome: string; current: string; previous: string }[] };
    };
    expect(end.outcome).toBe('switched-back');
    for (const h of end.summary.hosts) expect(h.current).toBe(h.previous);
    expect(end.summary.hosts.find((h) => h.host === 'web2')).toMatchObject({ outcome: 'switched-back' });
    const badBars = await bars(ctx, bad);
    expect(badBars.web2!.failed).toEqual(['rgb(211, 47, 47)']);
    expect(readFileSync(bad, 'utf8')).toContain('class="switchback-band"');
  });

  it('on a terminal: rows per step and batch, the failing host with its output, no secret', async () => {
    const { CI: _ci, ...rest } = process.env;
    const cmd = `stty cols 120 rows 60; node ${join(repoRoot, 'dist/cli/bin.js')} staging -c ${p.file}`;
    const r = await execa('script', ['-qfec', cmd, '/dev/null'], {
      env: { ...rest, ...env, TERM: 'xterm-256color' },
      extendEnv: false,
      reject: false,
      timeout: 180_000,
    });
    const screen = stripVTControlCharacters(String(r.stdout)).replace(/\r/g, '');
    expect(r.exitCode, screen).toBe(6);
    noSecretIn('terminal', screen);
    expect(screen).toMatch(/✔ check · \d+ hosts · \d+\.\ds/);
    expect(screen).toMatch(/✔ switch · web batch 1\/2 · 1 host · /);
    expect(screen).toMatch(/✖ switch · web batch 2\/2 · 1 host · [\d.]+s failed on web2/);
    expect(screen).toMatch(/✖ web2 · failed after/);
    expect(screen).toContain('FAIL_HEALTH file present');
    expect(screen).toMatch(/\$ curl .*→ exit 0/);
    expect(screen).toMatch(/✖ switched-back in [\d.]+s \(exit 6\)/);
    expect(screen).toMatch(/web2\s+switched back to \d{14} from \d{14}/);
  });
});

/** A hook that prints each secret of its env as it is and in the encodings programs use, then fails. */
const LEAK_JS = `
const b64 = (t) => Buffer.from(t).toString('base64');
const ascii = (s) => JSON.stringify(s).replace(/[^\\x20-\\x7e]/g, (c) => '\\\\u' + c.charCodeAt(0).toString(16).padStart(4, '0'));
for (const name of ['QUOTED', 'UNICODE', 'KEY']) {
  const s = process.env[name];
  console.log(s);
  console.error([
    'json=' + JSON.stringify({ token: s }),
    'ascii-json=' + ascii(s),
    'php-json=' + ascii(s).replace(/\\//g, '\\\\/'),
    'url=' + encodeURIComponent(s),
    'form=' + new URLSearchParams({ t: s }),
    'b64=' + b64(s),
    'b64url=' + Buffer.from(s).toString('base64url'),
    'basic=' + b64('deploy:' + s),
    'inside=' + b64('us:' + s + '!'),
    'jwt=' + Buffer.from(JSON.stringify({ sub: 'x', pw: s })).toString('base64url'),
  ].join(' '));
}
process.exit(3);
`;

describe('output: no secret on any channel, as it is or encoded (JSON, URL, base64)', () => {
  const secrets = Object.values(SECRETS);
  const env: Record<string, string> = { ...SECRETS };
  /** What the hook's second line looks like once masked: proof that its output reached the channel. */
  const MASKED = 'json={"token":"***"} ascii-json="***" php-json="***" url=*** form=t=*** b64=*** b64url=***';
  let f: Fleet;
  let p: ReturnType<typeof project>;

  beforeAll(() => {
    f = fleet();
    const repo = appRepo();
    repo.commit('v1', { files: { 'leak.js': LEAK_JS } });
    p = project(f, {
      source: { repository: repo.url },
      extra: {
        env: { QUOTED: { secret: '${QUOTED}' }, UNICODE: { secret: '${UNICODE}' }, KEY: { secret: '${KEY}' } },
        tasks: { leak: { run: 'node leak.js', roles: ['web'] } },
        hooks: { before: { switch: ['leak'] } },
      },
    });
  });

  const noLeak = (channel: string, text: string, of: readonly string[] = secrets) =>
    expect(leakIn(text, of), `${channel} leaks a secret`).toBeUndefined();

  it('one failing run: CI lines with -v, the error line, the HTML report, .deploy/logs, deploy logs', async () => {
    const report = join(p.dir, 'leak.html');
    const r = await cli(['staging', '-c', p.file, '-v', '--report', report], { env });
    expect(r.code, r.stderr).toBe(6);
    expect(r.stdout).toContain(MASKED);
    noLeak('-v lines', r.stdout);
    expect(r.stderr).toMatch(/^error: /);
    expect(r.stderr).toContain('task:leak: command failed with exit code 3');
    expect(r.stderr).toContain(MASKED);
    noLeak('the error line', r.stderr);
    const html = readFileSync(report, 'utf8');
    expect(html).toContain(MASKED.replace(/"/g, '&quot;'));
    noLeak('the report', html);
    const runs = join(p.dir, '.deploy', 'logs', 'staging');
    const files = filesUnder(runs);
    expect(files.length).toBeGreaterThanOrEqual(3);
    for (const file of files) noLeak(file, readFileSync(file, 'utf8'));
    expect(readFileSync(files.find((l) => l.endsWith('/web1.log'))!, 'utf8')).toContain(MASKED);
    for (const args of [[], ['--host', 'web1'], ['--json']]) {
      const logs = await cli(['logs', 'staging', '-c', p.file, ...args]);
      expect(logs.code, logs.stderr).toBe(0);
      expect(logs.stdout).toContain(args[0] === '--json' ? JSON.stringify(MASKED).slice(1, -1) : MASKED);
      noLeak(`deploy logs ${args.join(' ')}`, logs.stdout);
    }
  });

  it('--json: every event, the run:end error, and the error line', async () => {
    const r = await cli(['staging', '-c', p.file, '--json'], { env });
    expect(r.code, r.stderr).toBe(6);
    const events = parse(r.stdout);
    expect(events.some((e) => e.type === 'output' && String(e.line).startsWith(MASKED))).toBe(true);
    expect(String(events.at(-1)!.error)).toContain('task:leak');
    noLeak('--json', r.stdout);
    noLeak('the error line', r.stderr);
  });

  it('on a terminal: the failing host with its output', async () => {
    const { CI: _ci, ...rest } = process.env;
    const cmd = `stty cols 400 rows 80; node ${join(repoRoot, 'dist/cli/bin.js')} staging -c ${p.file}`;
    const r = await execa('script', ['-qfec', cmd, '/dev/null'], {
      env: { ...rest, ...env, TERM: 'xterm-256color' },
      extendEnv: false,
      reject: false,
      timeout: 180_000,
    });
    const screen = stripVTControlCharacters(String(r.stdout)).replace(/\r/g, '');
    expect(r.exitCode, screen).toBe(6);
    expect(screen).toMatch(/✖ web1 · failed after/);
    expect(screen).toContain('json={"token":"***"}');
    noLeak('terminal', screen);
  });

  it('the final error line: a secret in the repository URL that the preflight names (the hosts cannot read it)', async () => {
    const token = 'ghp_"x\\y+z=é9';
    const c = project(f, {
      source: { repository: 'https://deploy:${GIT_TOKEN}@127.0.0.1:9/app.git' },
      hosts: ['web1', 'db1'],
      extra: { env: { GIT_TOKEN: { secret: '${GIT_TOKEN}' } } },
    });
    for (const args of [[], ['--json']]) {
      const r = await cli(['staging', '-c', c.file, ...args], { env: { GIT_TOKEN: token } });
      expect(r.code, r.stderr).toBe(5);
      expect(r.stderr).toContain('cannot read the repository https://deploy:***@127.0.0.1:9/app.git from this host');
      noLeak('the error line', r.stderr, [token]);
      noLeak(`stdout ${args.join(' ')}`, r.stdout, [token]);
    }
  });
});
