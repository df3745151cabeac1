import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { execa } from 'execa';
import { parse, stringify } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fleet } from '../fleet/context.js';
import { dropConnections, hostExec, refuse, restore, smallSrv, sshRun, startHost, stopHost, type Fleet } from '../fleet/fleet.js';
import { appRepo, cli, ndjson, project, repoRoot, type AppRepo, type ProjectOptions } from './support/project.js';
import { killApp } from './support/tiers.js';

// The lifecycle of a deploy under concurrency, crashes and clocks: release ids, the lock, leftovers, what is
// reported when clean-up fails, and `deploy status` when hosts are not all well.

/** Each project's app gets its own port: apps of earlier projects keep running on the web hosts. */
let nextPort = 3121;
const bin = join(repoRoot, 'dist', 'cli', 'bin.js');
const clock = (env: Record<string, string>) => ({
  NODE_OPTIONS: `--import=${pathToFileURL(join(import.meta.dirname, 'support', 'skew-clock.mjs')).href}`,
  ...env,
});
/** A client clock `seconds` off. */
const skewed = (seconds: number) => clock({ DEPLOY_TEST_CLOCK_SKEW: String(seconds) });
/** A client clock that reads `at` (ms) when the process starts: runs started this way all start in the same second. */
const startingAt = (at: number) => clock({ DEPLOY_TEST_CLOCK_AT: String(at) });
/** The start of the next second, to pin clocks to. */
const nextSecond = () => Math.ceil(Date.now() / 1000) * 1000;
/** The release a run chose (`release:chosen`; before it, run:start named it). */
const releaseOf = (stdout: string) => (/\brelease\s+release (\d{14})$/m.exec(stdout) ?? / release (\d{14}) on /.exec(stdout))?.[1] ?? '';
const codeHosts = (f: Fleet) => f.hosts.filter((h) => !h.roles.includes('balancer')).map((h) => h.name);
const webHosts = (f: Fleet) => f.hosts.filter((h) => h.roles.includes('web')).map((h) => h.name);
const addressOf = (f: Fleet, name: string) => f.hosts.find((h) => h.name === name)!.address;

async function on(f: Fleet, host: string, command: string): Promise<string> {
  const r = await sshRun(f, host, command);
  if (r.code !== 0) throw new Error(`${host}: ${command}: exit ${r.code}: ${r.stderr}`);
  return r.stdout.trim();
}

/** What `current` points to on the host, checked to be a directory that exists ('' when there is none). */
const liveOn = (f: Fleet, host: string, deployTo: string) =>
  on(
    f,
    host,
    `d='${deployTo}'; if [ -L "$d/current" ]; then [ -d "$d/current" ] || { echo "current dangles: $(readlink "$d/current")"; exit 1; }; basename "$(readlink "$d/current")"; fi`,
  );
const releasesOn = async (f: Fleet, host: string, deployTo: string) =>
  (await on(f, host, `ls '${deployTo}/releases' 2>/dev/null || true`)).split('\n').filter(Boolean);
const exists = async (f: Fleet, host: string, path: string) => (await on(f, host, `test -e '${path}' && echo yes || echo no`)) === 'yes';

interface Event {
  type: string;
  [k: string]: unknown;
}

/** The CLI in the background with --json: its events as they arrive, waits for one, its end. */
function start(args: readonly string[], env: Record<string, string> = {}) {
  const child = execa('node', [bin, ...args, '--json'], { reject: false, env: { CI: 'true', ...env } });
  const events: Event[] = [];
  let buffer = '';
  child.stdout?.on('data', (c: Buffer) => {
    buffer += c.toString();
    const lines = buffer.split('\n');
    buffer = lines.pop() ?? '';
    for (const line of lines.filter(Boolean)) events.push(JSON.parse(line) as Event);
  });
  return {
    child,
    events,
    async until(matches: (e: Event) => boolean, timeoutMs = 90_000): Promise<Event> {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const found = events.find(matches);
        if (found) return found;
        if (child.exitCode !== null || Date.now() > deadline)
          throw new Error(
            `no such event (exit ${child.exitCode}); saw: ${events.map((e) => `${e.type}${e.step ? `:${String(e.step)}` : ''}`).join(' ')}`,
          );
        await new Promise((r) => setTimeout(r, 20));
      }
    },
    async done() {
      const r = await child;
      return { code: r.exitCode ?? -1, stdout: String(r.stdout), stderr: String(r.stderr), events };
    },
  };
}

/** Stops the app a project started, also when a failed run left `current` dangling (as bin/stop does). */
const stopApps = async (f: Fleet, deployTo: string) => {
  for (const h of webHosts(f)) await sshRun(f, h, `${killApp(deployTo)}; rm -f "$p"; true`);
};

describe('deploy lifecycle', () => {
  let f: Fleet;
  let repo: AppRepo;
  const deployTos: string[] = [];
  /** A project of the app on its own port; `deployTo` shares another project's hosts state. */
  const app = (o: Partial<ProjectOptions> & { extra?: Record<string, unknown> } = {}) => {
    const port = nextPort++;
    const p = project(f, {
      source: { repository: repo.url },
      keepReleases: 3,
      ...o,
      extra: {
        health: { path: '/health', port, retries: 20, interval: 0.25, timeout: 2 },
        ...o.extra,
        env: { PORT: String(port), ...(o.extra?.env as object | undefined) },
      },
    });
    deployTos.push(p.deployTo);
    return { ...p, port };
  };

  beforeAll(() => {
    f = fleet();
    repo = appRepo();
    repo.commit('v1');
  });
  afterAll(async () => {
    for (const d of new Set(deployTos)) await stopApps(f, d);
  });

  it('four deploys in a row, no pause: four releases, each new, each later; current always valid', async () => {
    const p = app();
    const ids: string[] = [];
    // However slow this machine is, each run's clock reads the same second when it starts, as fast runs' clocks do.
    const second = nextSecond();
    for (let i = 0; i < 4; i++) {
      const r = await cli(['staging', '-c', p.file, '--hosts', 'media1'], { env: startingAt(second) });
      expect(r.code, r.stderr).toBe(0);
      ids.push(releaseOf(r.stdout));
      expect(await liveOn(f, 'media1', p.deployTo)).toBe(ids[i]);
    }
    expect(new Set(ids).size).toBe(4);
    expect([...ids].sort()).toEqual(ids);
    expect(await releasesOn(f, 'media1', p.deployTo)).toEqual(ids.slice(1));
  });

  it('two deploys in the same second (--lock-wait), the second failing on purpose: the live release survives everywhere', async () => {
    const p = app();
    const failing = app({
      deployTo: p.deployTo,
      extra: { tasks: { boom: { run: 'echo boom; exit 1' } }, hooks: { before: { migrate: ['boom'] } } },
    });
    repo.commit('v2');
    // Both start in the same second by their clocks, whatever the machine's load.
    const second0 = nextSecond();
    const first = start(['staging', '-c', p.file], startingAt(second0));
    await first.until((e) => e.type === 'lock' && e.action === 'acquired');
    const second = start(['staging', '-c', failing.file, '--lock-wait', '120'], startingAt(second0));
    const [a, b] = [await first.done(), await second.done()];
    expect(a.code, a.stderr).toBe(0);
    expect(b.code, b.stderr).toBe(5);
    const live = await liveOn(f, 'web1', p.deployTo);
    for (const h of codeHosts(f)) expect(await liveOn(f, h, p.deployTo), h).toBe(live);
    expect(b.stderr).toContain('boom');
    const health = JSON.parse(await on(f, 'web1', `curl -s http://${addressOf(f, 'web1')}:${p.port}/health`)) as {
      version: string;
      release: string;
    };
    expect(health).toMatchObject({ version: 'v2', release: live });
    const failed = b.events.find((e) => e.type === 'release:chosen')?.release as string;
    expect(failed > live).toBe(true);
    for (const h of codeHosts(f)) expect(await exists(f, h, `${p.deployTo}/releases/${failed}`), h).toBe(false);
  });

  it('a client whose clock is ahead does not take over a live lock', async () => {
    const p = app({ extra: { install: { command: 'sleep 6 && npm ci --omit=dev --no-audit --no-fund', lockfile: 'package-lock.json' } } });
    const elsewhere = app({ deployTo: p.deployTo });
    const running = start(['staging', '-c', p.file, '--hosts', 'media1']);
    await running.until((e) => e.type === 'command' && e.step === 'install');
    const ahead = await cli(['staging', '-c', elsewhere.file, '--hosts', 'media1'], { env: skewed(3600) });
    expect(ahead.code, ahead.stderr).toBe(3);
    expect(ahead.stderr).toMatch(/^error: stage staging is locked on db1 by \S+ \(deploy \d{8}-\d{6}\) since /m);
    const r = await running.done();
    expect(r.code, r.stderr).toBe(0);
    expect(await liveOn(f, 'media1', p.deployTo)).toBe(r.events.find((e) => e.type === 'release:chosen')?.release);
  });

  it('only the holder releases a lock: a release by anyone else changes nothing; --force does; the holder is shown escaped', async () => {
    const holder = app();
    const other = app({ deployTo: holder.deployTo });
    const message = 'db maintenance\n\u001b[2J\u001b[31mfake: unlocked';
    const taken = await cli(['lock', 'staging', 'acquire', '-c', holder.file, '-m', message]);
    expect(taken.code, taken.stderr).toBe(0);
    for (const args of [
      ['unlock', 'staging'],
      ['lock', 'staging', 'release'],
    ]) {
      const r = await cli([...args, '-c', other.file]);
      expect(r.code, `${args.join(' ')}: ${r.stdout}${r.stderr}`).toBe(3);
      expect(r.stdout).toContain('not held by a run of this machine');
    }
    const status = await cli(['lock', 'staging', 'status', '-c', other.file]);
    expect(status.stdout).not.toContain('\u001b');
    expect(status.stdout.split('\n')[0]).toMatch(
      /^staging: locked on db1 by \S+ \(lock \d{8}-\d{6}\) since .*: "db maintenance\\n\\x1b\[2J\\x1b\[31mfake: unlocked"$/,
    );
    expect((await cli(['staging', '-c', other.file, '--hosts', 'media1'])).code).toBe(3);
    const mine = await cli(['unlock', 'staging', '-c', holder.file]);
    expect(mine.code, mine.stderr).toBe(0);
    expect((await cli(['lock', 'staging', 'status', '-c', other.file])).stdout).toContain('unlocked');

    expect((await cli(['lock', 'staging', 'acquire', '-c', holder.file])).code).toBe(0);
    const forced = await cli(['unlock', 'staging', '--force', '-c', other.file]);
    expect(forced.code, forced.stderr).toBe(0);
    expect(forced.stdout).toMatch(/^db1: removed the lock of /m);
    expect((await cli(['lock', 'staging', 'status', '-c', other.file])).stdout).toContain('unlocked');
  });

  it('two stages sharing hosts and deploy_to exclude each other', async () => {
    const p = app({ extra: { install: { command: 'sleep 6 && npm ci --omit=dev --no-audit --no-fund', lockfile: 'package-lock.json' } } });
    const config = parse(readFileSync(p.file, 'utf8')) as { stages: Record<string, { hosts: { roles: string[] }[]; migrate?: null }> };
    config.stages.webonly = { hosts: config.stages.staging!.hosts.filter((h) => h.roles.includes('web')), migrate: null };
    writeFileSync(p.file, stringify(config));
    const whole = start(['staging', '-c', p.file]);
    await whole.until((e) => e.type === 'command' && e.step === 'install');
    const webs = await cli(['webonly', '-c', p.file]);
    expect(webs.code, webs.stderr).toBe(3);
    expect(webs.stderr).toMatch(/^error: stage webonly is locked on web1 by \S+ \(deploy /m);
    const r = await whole.done();
    expect(r.code, r.stderr).toBe(0);
    const live = r.events.find((e) => e.type === 'release:chosen')?.release;
    for (const h of codeHosts(f)) expect(await liveOn(f, h, p.deployTo), h).toBe(live);
  });

  it('the lock is taken in the check’s round trip where deploy_to exists; a check failing on one host leaves no lock anywhere', async () => {
    const p = app();
    const hosts = f.hosts.map((h) => h.name);
    const events = async (args: string[]) => {
      const r = await cli([...args, '--json']);
      return { ...r, events: ndjson<Event>(r.stdout) };
    };
    const first = await events(['staging', '-c', p.file]);
    expect(first.code, first.stderr).toBe(0);
    const second = await events(['staging', '-c', p.file]);
    expect(second.code, second.stderr).toBe(0);
    const commands = second.events.filter((e) => e.type === 'command');
    // No command of its own takes a lock (the unlock of a host without clean-up, lb1, is one).
    expect(commands.filter((e) => e.step === 'lock' && String(e.command).includes('mkdir'))).toEqual([]);
    for (const h of hosts)
      expect(
        commands.filter((e) => e.step === 'check' && e.host === h).map((e) => String(e.command).includes('deploy.lock')),
        h,
      ).toEqual([true]);
    expect(second.events).toContainEqual(
      expect.objectContaining({ type: 'lock', action: 'acquired', hosts: expect.arrayContaining(hosts) }),
    );

    await on(f, 'web2', `chmod a-w '${p.deployTo}'`);
    try {
      const refused = await events(['staging', '-c', p.file]);
      expect(refused.code).not.toBe(0);
      expect(refused.stderr).toContain('is not writable by the deploy user');
      // Every other host's lock was taken in the same round trip as its check, and given back.
      const released = refused.events.filter((e) => e.type === 'command' && e.step === 'lock').map((e) => e.host);
      expect(released.sort()).toEqual([...hosts].sort());
      for (const h of hosts) expect(await exists(f, h, `${p.deployTo}/deploy.lock`), h).toBe(false);
    } finally {
      await on(f, 'web2', `chmod u+w '${p.deployTo}'`);
    }
    const live = second.events.find((e) => e.type === 'release:chosen')?.release;
    for (const h of codeHosts(f)) expect(await liveOn(f, h, p.deployTo), h).toBe(live);
  });

  it('a clean-up that fails before its unlock on the lock host: the unlock is tried again alone, and the lock is gone', async () => {
    const p = app();
    expect((await cli(['staging', '-c', p.file])).code).toBe(0);
    // The next deploy takes the same branches as this one (a previous release, node_modules reused).
    const listing = join(p.dir, 'ops.ndjson');
    const listed = await cli(['staging', '-c', p.file], { env: { DEPLOY_FAULTS_LOG: listing } });
    expect(listed.code, listed.stderr).toBe(0);
    const ops = ndjson<{ host: string; n: number; step: string; description: string }>(readFileSync(listing, 'utf8'));
    const last = ops.find((o) => o.host === 'db1' && o.step === 'cleanup' && o.description.endsWith(`then unlock ${p.deployTo}`));
    expect(last).toBeDefined();
    // The injected failure replaces the whole command: neither the clean-up nor the unlock runs in it.
    const r = await cli(['staging', '-c', p.file], { env: { DEPLOY_FAULTS: `fail@db1:${last!.n}` } });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/db1\s+warning\s+cleanup: revisions\.log on db1 could not be written \(deploy: injected failure at db1:\d+\)/);
    expect(r.stdout).toMatch(/db1\s+lock\s+released/);
    expect(await exists(f, 'db1', `${p.deployTo}/deploy.lock`)).toBe(false);
    expect((await cli(['lock', 'staging', 'status', '-c', p.file])).stdout).toContain('unlocked');
  });

  it('a forced unlock from elsewhere stops a run before its next step (exit 3); nothing went live', async () => {
    const p = app({
      extra: { lock: { ttl: 3 }, install: { command: 'sleep 5 && npm ci --omit=dev --no-audit --no-fund', lockfile: 'package-lock.json' } },
    });
    const first = await cli(['staging', '-c', p.file, '--hosts', 'media1']);
    expect(first.code, first.stderr).toBe(0);
    const live = releaseOf(first.stdout);
    repo.commit('v3');
    const running = start(['staging', '-c', p.file, '--hosts', 'media1']);
    await running.until((e) => e.type === 'command' && e.step === 'install');
    const elsewhere = app({ deployTo: p.deployTo });
    expect((await cli(['unlock', 'staging', '--force', '-c', elsewhere.file])).code).toBe(0);
    const r = await running.done();
    expect(r.code, r.stderr).toBe(3);
    expect(r.stderr).toMatch(/^error: the deploy lock on \S+ was removed: stopping before migrate$/m);
    expect(await liveOn(f, 'media1', p.deployTo)).toBe(live);
    expect(await releasesOn(f, 'media1', p.deployTo)).toEqual([live]);
  });

  it('renewals that fail for longer than lock.ttl stop the run before its next step (exit 3), told with the lock it could not release', async () => {
    const p = app({
      extra: { lock: { ttl: 3 }, install: { command: 'sleep 8 && npm ci --omit=dev --no-audit --no-fund', lockfile: 'package-lock.json' } },
    });
    const first = await cli(['staging', '-c', p.file, '--hosts', 'media1']);
    expect(first.code, first.stderr).toBe(0);
    const live = releaseOf(first.stdout);
    repo.commit('v3b');
    const running = start(['staging', '-c', p.file, '--hosts', 'media1']);
    await running.until((e) => e.type === 'command' && e.step === 'install');
    await refuse(f, 'db1');
    let r: Awaited<ReturnType<typeof running.done>>;
    try {
      dropConnections(f, 'db1');
      r = await running.done();
    } finally {
      await restore(f, 'db1');
    }
    expect(r.code, r.stderr).toBe(3);
    expect(r.stderr).toMatch(
      /^error: the deploy lock on db1 was not renewed for \d+s, longer than lock.ttl \(3s\), so another run may take it over: stopping before migrate$/m,
    );
    expect(r.stderr).toMatch(/^ {2}- the lock on db1 could not be released \(.*\): run `deploy unlock staging`/m);
    expect(await liveOn(f, 'media1', p.deployTo)).toBe(live);
    expect(await releasesOn(f, 'media1', p.deployTo)).toEqual([live]);
    const next = await cli(['staging', '-c', p.file, '--hosts', 'media1']);
    expect(next.code, next.stderr).toBe(0);
  });

  it('after going live everywhere, an old release that cannot be removed is a warning, exit 0', async () => {
    const p = app({ keepReleases: 1 });
    const ids: string[] = [];
    for (let i = 0; i < 2; i++) ids.push(releaseOf((await cli(['staging', '-c', p.file, '--hosts', 'media1'])).stdout));
    // Neither renamed into the trash (read-only) nor removable in place.
    await on(f, 'media1', `mkdir -p '${p.deployTo}/.trash' && chmod 555 '${p.deployTo}/.trash' '${p.deployTo}/releases/${ids[0]}/lib'`);
    try {
      const r = await cli(['staging', '-c', p.file, '--hosts', 'media1']);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toMatch(
        /media1\s+warning\s+cleanup: old releases were not all removed from media1 \(.*Permission denied\); the next deploy tries again/,
      );
      expect(await liveOn(f, 'media1', p.deployTo)).toBe(releaseOf(r.stdout));
    } finally {
      await on(f, 'media1', `chmod -R u+w '${p.deployTo}/releases' '${p.deployTo}/.trash'`);
    }
  });

  it('rollback after a release made on a clock a day ahead goes back to the release that was live before', async () => {
    const p = app();
    const ids: string[] = [];
    for (const env of [{}, skewed(86_400), {}]) {
      const r = await cli(['staging', '-c', p.file, '--hosts', 'media1'], { env });
      expect(r.code, r.stderr).toBe(0);
      ids.push(releaseOf(r.stdout));
    }
    expect(ids[2]! > ids[1]!).toBe(true);
    const r = await cli(['rollback', 'staging', '-c', p.file, '--hosts', 'media1']);
    expect(r.code, r.stderr).toBe(0);
    expect(await liveOn(f, 'media1', p.deployTo)).toBe(ids[1]);
  });

  it('a dropped connection during migrate: the migrate failure is the error, and clean-up (unlock, discard) runs on a fresh connection', async () => {
    const p = app({ extra: { migrate: { command: 'sleep 4 && npm run migrate', role: 'db' } } });
    const first = await cli(['staging', '-c', p.file]);
    expect(first.code, first.stderr).toBe(0);
    const live = releaseOf(first.stdout);
    repo.commit('v4');
    const running = start(['staging', '-c', p.file]);
    await running.until((e) => e.type === 'command' && e.step === 'migrate');
    expect(dropConnections(f, 'db1')).toBeGreaterThan(0);
    const r = await running.done();
    expect(r.code, r.stderr).toBe(4);
    expect(r.stderr).toMatch(/^error: db1: migrate: connection lost while (running|starting) /);
    expect(r.stderr).not.toContain('clean-up after this failure did not finish');
    const failed = r.events.find((e) => e.type === 'release:chosen')?.release as string;
    for (const h of codeHosts(f)) {
      expect(await liveOn(f, h, p.deployTo), h).toBe(live);
      expect(await exists(f, h, `${p.deployTo}/releases/${failed}`), h).toBe(false);
      expect(await exists(f, h, `${p.deployTo}/deploy.lock`), h).toBe(false);
    }
  });

  it('the lock host crashes during migrate: the migrate failure is the error, the lock problem is told after it, and the next deploy needs no manual step', async () => {
    const p = app({ extra: { migrate: { command: 'sleep 4 && npm run migrate', role: 'db' } } });
    const first = await cli(['staging', '-c', p.file]);
    expect(first.code, first.stderr).toBe(0);
    const live = releaseOf(first.stdout);
    repo.commit('v5');
    const running = start(['staging', '-c', p.file]);
    await running.until((e) => e.type === 'command' && e.step === 'migrate');
    await stopHost(f, 'db1');
    let r: Awaited<ReturnType<typeof running.done>>;
    try {
      r = await running.done();
    } finally {
      await startHost(f, 'db1');
    }
    expect(r.code, r.stderr).toBe(4);
    const lines = r.stderr.split('\n');
    expect(lines[0]).toMatch(/^error: db1: migrate: connection lost while running /);
    const told = lines.findIndex((l) => l.includes('clean-up after this failure did not finish'));
    expect(told).toBeGreaterThan(0);
    expect(lines.slice(told).join('\n')).toMatch(/- the lock on db1 could not be released \(.*\): run `deploy unlock staging`/);
    const end = r.events.at(-1)!;
    expect(end).toMatchObject({ type: 'run:end', exitCode: 4, error: expect.stringMatching(/^db1: migrate: /) });
    const failed = r.events.find((e) => e.type === 'release:chosen')?.release as string;
    for (const h of ['web1', 'web2', 'media1']) {
      expect(await liveOn(f, h, p.deployTo), h).toBe(live);
      expect(await exists(f, h, `${p.deployTo}/releases/${failed}`), h).toBe(false);
    }
    expect(await exists(f, 'db1', `${p.deployTo}/deploy.lock`)).toBe(true);

    const next = await cli(['staging', '-c', p.file]);
    expect(next.code, next.stderr).toBe(0);
    expect(next.stdout).toMatch(/taking over the lock of a deploy from this machine whose process \d+ is gone/);
    for (const h of codeHosts(f)) {
      expect(await liveOn(f, h, p.deployTo), h).toBe(releaseOf(next.stdout));
      expect(await exists(f, h, `${p.deployTo}/releases/${failed}`), h).toBe(false);
    }
  });
});

describe('a client killed mid-upload, and what a crash leaves', () => {
  let f: Fleet;
  let repo: AppRepo;
  let p: ReturnType<typeof project>;

  beforeAll(() => {
    f = fleet();
    repo = appRepo();
    repo.commit('v1');
    // BIG=1 puts 40 MB of noise in the artifact: an upload wide enough to be killed in.
    const build = `rm -rf build && mkdir build && git -C ${repo.work} archive HEAD | tar -x -C build && if [ -n "\${BIG:-}" ]; then head -c 40000000 /dev/urandom > build/noise.bin; fi`;
    p = project(f, { source: { artifact: { build, path: 'build' } }, keepReleases: 2, extra: { env: { PORT: String(nextPort++) } } });
  });

  it('SIGKILL during the upload; the next deploy takes the lock over by itself, removes the partial upload and the half-built release, and never counts them in keep_releases', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 2; i++) {
      const r = await cli(['staging', '-c', p.file, '--hosts', 'media1']);
      expect(r.code, r.stderr).toBe(0);
      ids.push(releaseOf(r.stdout));
    }
    const killed = start(['staging', '-c', p.file, '--hosts', 'media1'], { BIG: '1' });
    const upload = await killed.until(
      (e) => e.type === 'upload' && (e.transferred as number) > 0 && (e.transferred as number) < (e.total as number),
    );
    killed.child.kill('SIGKILL');
    await killed.done();
    expect(upload.host).toBe('media1');
    const half = (await releasesOn(f, 'media1', p.deployTo)).filter((id) => !ids.includes(id));
    expect(half).toHaveLength(1);
    expect(await on(f, 'media1', `ls '${p.deployTo}/uploads'`)).toMatch(/\.tar\.gz$/);
    expect(await exists(f, 'db1', `${p.deployTo}/deploy.lock`)).toBe(true);

    const next = await cli(['staging', '-c', p.file, '--hosts', 'media1']);
    expect(next.code, next.stderr).toBe(0);
    expect(next.stdout).toMatch(/taking over the lock of a deploy from this machine whose process \d+ is gone/);
    const now = releaseOf(next.stdout);
    expect(await liveOn(f, 'media1', p.deployTo)).toBe(now);
    expect(await releasesOn(f, 'media1', p.deployTo)).toEqual([ids[1], now]);
    expect(await on(f, 'media1', `ls -A '${p.deployTo}/uploads'`)).toBe('');
    const releases = await cli(['releases', 'staging', '-c', p.file, '--hosts', 'media1', '--json']);
    expect(JSON.parse(releases.stdout)).toMatchObject({ host: 'media1', current: now, rollbackTarget: ids[1] });
  });

  it('the preflight counts what a crash left as space the deploy frees, and the deploy frees it', async () => {
    const used = Number((await hostExec(f, 'media1', ['du', '-sm', '/srv'])).stdout.split(/\s/)[0]);
    await smallSrv(f, 'media1', used + 110);
    const freeKiB = async () => Number(await on(f, 'media1', `df -Pk /srv | tail -n 1 | awk '{print $4}'`));
    try {
      const first = await cli(['staging', '-c', p.file, '--hosts', 'media1']);
      expect(first.code, first.stderr).toBe(0);
      // What a crash left: an upload and a half-built release that leave 30 MiB free, less than a deploy needs.
      const leftover = '20200101000000';
      const fill = (await freeKiB()) - 30 * 1024;
      await on(
        f,
        'media1',
        `cd '${p.deployTo}' && mkdir -p uploads releases/${leftover} && head -c ${fill * 1024} /dev/zero > uploads/${leftover}.tar.gz && echo half > releases/${leftover}/VERSION`,
      );
      expect(await freeKiB()).toBeLessThan(64 * 1024);
      const r = await cli(['staging', '-c', p.file, '--hosts', 'media1']);
      expect(r.code, r.stderr).toBe(0);
      expect(await on(f, 'media1', `ls -A '${p.deployTo}/uploads'`)).toBe('');
      expect(await exists(f, 'media1', `${p.deployTo}/releases/${leftover}`)).toBe(false);
    } finally {
      await smallSrv(f, 'media1', 0);
    }
  });
});

describe('deploy status when hosts are not all well', () => {
  let f: Fleet;
  let p: ReturnType<typeof project>;

  beforeAll(async () => {
    f = fleet();
    const repo = appRepo();
    repo.commit('v1');
    const port = nextPort++;
    p = project(f, {
      source: { repository: repo.url },
      extra: { env: { PORT: String(port) }, health: { path: '/health', port, retries: 20, interval: 0.25, timeout: 2 } },
    });
    const r = await cli(['staging', '-c', p.file]);
    expect(r.code, r.stderr).toBe(0);
  });
  afterAll(() => stopApps(f, p.deployTo));

  it('a host that cannot be reached is reported on its own line, the others are shown, exit 4; the table has headers', async () => {
    await refuse(f, 'web2');
    let r: Awaited<ReturnType<typeof cli>>;
    try {
      r = await cli(['status', 'staging', '-c', p.file]);
    } finally {
      await restore(f, 'web2');
    }
    expect(r.code, r.stderr).toBe(4);
    const lines = r.stdout.split('\n');
    expect(lines[0]).toMatch(/^HOST\s+ROLES\s+RELEASE\s+REVISION\s+HEALTH\s+ROTATION$/);
    expect(r.stdout).toMatch(/^web1\s+web\s+\d{14}\s+[0-9a-f]{12}\s+healthy/m);
    expect(r.stdout).toMatch(/^db1\s+db\s+\d{14}\s+[0-9a-f]{12}\s+n\/a/m);
    expect(r.stdout).toMatch(/^web2\s+web\s+UNREACHABLE\s+.*connection refused/m);
    expect(r.stderr).toMatch(/^error: web2: could not be read/m);
    const json = await cli(['status', 'staging', '-c', p.file, '--json']);
    expect(json.code).toBe(0);
    expect(JSON.parse(json.stdout).hosts.map((h: { host: string; error?: string }) => [h.host, h.error])).toEqual(
      f.hosts.map((h) => [h.name, undefined]),
    );
  });

  it('flags a current that points to a release that is gone', async () => {
    const live = await liveOn(f, 'media1', p.deployTo);
    await on(f, 'media1', `rm -rf '${p.deployTo}/releases/${live}'`);
    const r = await cli(['status', 'staging', '-c', p.file]);
    expect(r.stdout).toMatch(new RegExp(`^media1\\s+media\\s+${live} \\(MISSING\\)`, 'm'));
    expect(r.stdout).toContain(`warning: media1: current points to release ${live}, which does not exist`);
    const json = JSON.parse((await cli(['status', 'staging', '-c', p.file, '--json'])).stdout);
    expect(json.hosts.find((h: { host: string }) => h.host === 'media1')).toMatchObject({ current: live, dangling: true });
    const repaired = await cli(['staging', '-c', p.file]);
    expect(repaired.code, repaired.stderr).toBe(0);
    expect(repaired.stdout).toContain(`current points to release ${live}, which does not exist`);
    expect(await liveOn(f, 'media1', p.deployTo)).toBe(releaseOf(repaired.stdout));
  });
});
