import { createHash } from 'node:crypto';
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { fleet } from '../fleet/context.js';
import { sshRun, type Fleet } from '../fleet/fleet.js';
import { appRepo, cli, project, type AppRepo } from './support/project.js';

const codeHosts = (f: Fleet) => f.hosts.filter((h) => !h.roles.includes('balancer')).map((h) => h.name);
const webHosts = (f: Fleet) => f.hosts.filter((h) => h.roles.includes('web'));

async function on(f: Fleet, host: string, command: string): Promise<string> {
  const r = await sshRun(f, host, command);
  if (r.code !== 0) throw new Error(`${host}: ${command}: exit ${r.code}: ${r.stderr}`);
  return r.stdout.trim();
}

/** Per code host: the release `current` names ('' when none), and its REVISION file. */
async function served(f: Fleet, deployTo: string): Promise<Record<string, { release: string; revision: string }>> {
  const out: Record<string, { release: string; revision: string }> = {};
  for (const h of codeHosts(f)) {
    const release = (await sshRun(f, h, `readlink '${deployTo}/current' | xargs -r basename`)).stdout.trim();
    const revision = (await sshRun(f, h, `cat '${deployTo}/current/REVISION' 2>/dev/null`)).stdout.trim();
    out[h] = { release, revision };
  }
  return out;
}

/** Everything under deploy_to that a refused promote must leave alone: releases, current, the log, the lock. */
const snapshot = (f: Fleet, deployTo: string) =>
  Promise.all(
    codeHosts(f).map((h) =>
      on(
        f,
        h,
        `cd '${deployTo}' 2>/dev/null && { ls -A releases 2>/dev/null; readlink current; cat revisions.log 2>/dev/null; ls -d deploy.lock 2>/dev/null; } || echo none`,
      ),
    ),
  );

async function health(host: { address: string }, port: string): Promise<{ version: string; release: string; revision?: string }> {
  const r = await fetch(`http://${host.address}:${port}/health`);
  return (await r.json()) as { version: string; release: string };
}

const stopApps = async (f: Fleet, deployTo: string) => {
  for (const h of webHosts(f)) await sshRun(f, h.name, `[ -x '${deployTo}/current/bin/stop' ] && '${deployTo}/current/bin/stop' || true`);
};

const releaseOf = (stdout: string) => /release (\d{14})/.exec(stdout)?.[1] ?? '';
const events = (stdout: string) =>
  stdout
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Record<string, unknown> & { type: string });

/**
 * Adds stage `production` to the project's deploy.yml: the same hosts as staging, its own deploy_to and port (the
 * fleet has one set of hosts; two apps on one host need two ports).
 */
function withProduction(file: string, deployTo: string, port: string): void {
  const doc = parse(readFileSync(file, 'utf8')) as { stages: Record<string, Record<string, unknown>> };
  doc.stages.production = { hosts: doc.stages.staging!.hosts, deploy_to: deployTo, env: { PORT: port }, health: { port: Number(port) } };
  writeFileSync(file, stringify(doc));
}

describe('deploy promote with an artifact', () => {
  let f: Fleet;
  let repo: AppRepo;
  let p: ReturnType<typeof project>;
  const [stagingPort, productionPort] = ['3121', '3122'];
  const productionTo = `/srv/t-promote-art-${process.pid}`;
  let builds: string;

  beforeAll(() => {
    f = fleet();
    repo = appRepo();
    p = project(f, {
      // Every build leaves a line in builds.log: a promote must not add one.
      source: {
        artifact: {
          build: `echo built >> builds.log && rm -rf build && mkdir build && git -C ${repo.work} archive HEAD | tar -x -C build`,
          path: 'build',
        },
      },
      extra: { env: { PORT: stagingPort }, health: { path: '/health', port: Number(stagingPort), retries: 20, interval: 0.25 } },
    });
    withProduction(p.file, productionTo, productionPort);
    builds = join(p.dir, 'builds.log');
  });
  afterAll(async () => {
    await stopApps(f, p.deployTo);
    await stopApps(f, productionTo);
  });

  it('uploads to production the very file staging got (same sha256 on every host), without building; provenance everywhere', async () => {
    repo.commit('v1');
    const staged = await cli(['staging', '-c', p.file]);
    expect(staged.code, staged.stderr).toBe(0);
    const stagingRelease = releaseOf(staged.stdout);
    const sha = /sha256 ([0-9a-f]{64})/.exec(staged.stdout)![1]!;
    expect(readFileSync(builds, 'utf8')).toBe('built\n');
    const kept = join(p.dir, '.deploy', 'artifacts', `${sha}.tar.gz`);
    expect(createHash('sha256').update(readFileSync(kept)).digest('hex')).toBe(sha);

    // The work tree moves on: a build now would pack v2.
    repo.commit('v2');
    const report = join(p.dir, 'promote.html');
    const r = await cli(['promote', 'staging', 'production', '-c', p.file, '--json', '--report', report, '-m', 'ship it']);
    expect(r.code, r.stderr).toBe(0);
    expect(readFileSync(builds, 'utf8')).toBe('built\n');

    const evs = events(r.stdout);
    const from = { stage: 'staging', release: stagingRelease, revision: sha, sha256: sha };
    expect(evs.find((e) => e.type === 'promote')).toMatchObject({ from });
    const end = evs.at(-1)!;
    expect(end).toMatchObject({ type: 'run:end', outcome: 'success', summary: { stage: 'production', revision: sha, promotedFrom: from } });
    const productionRelease = (end.summary as { release: string }).release;

    for (const [host, s] of Object.entries(await served(f, productionTo)))
      expect(s, host).toEqual({ release: productionRelease, revision: sha });
    for (const h of webHosts(f)) expect(await health(h, productionPort)).toMatchObject({ version: 'v1', release: productionRelease });
    // Staging is untouched.
    for (const [host, s] of Object.entries(await served(f, p.deployTo)))
      expect(s, host).toEqual({ release: stagingRelease, revision: sha });

    for (const h of codeHosts(f)) {
      const line = await on(f, h, `tail -n 1 '${productionTo}/revisions.log'`);
      expect(JSON.parse(line)).toMatchObject({
        release: productionRelease,
        revision: sha,
        stage: 'production',
        message: 'ship it',
        from,
        outcome: 'deployed',
      });
      expect(line.endsWith('"outcome":"deployed"}')).toBe(true);
    }
    const html = readFileSync(report, 'utf8');
    expect(html).toContain(`promoted from staging release ${stagingRelease} (artifact sha256 ${sha})`);

    const listed = await cli(['releases', 'production', '-c', p.file]);
    expect(listed.code, listed.stderr).toBe(0);
    expect(listed.stdout).toContain(
      `* ${productionRelease} ${sha.slice(0, 12)}  ship it  promoted from staging release ${stagingRelease} (artifact sha256 ${sha})`,
    );
    const json = events((await cli(['releases', 'production', '-c', p.file, '--json', '--hosts', 'web1'])).stdout)[0]!;
    expect(json).toMatchObject({ type: 'releases', host: 'web1', promoted: { [productionRelease]: from } });
  });

  it('refuses (exit 7) when the artifact staging serves is not kept here, and changes nothing', async () => {
    const before = await snapshot(f, productionTo);
    const kept = join(p.dir, '.deploy', 'artifacts');
    renameSync(kept, `${kept}.away`);
    try {
      const r = await cli(['promote', 'staging', 'production', '-c', p.file]);
      expect(r.code, r.stderr).toBe(7);
      expect(r.stderr).toMatch(
        /the artifact of staging release \d{14} \(sha256 [0-9a-f]{64}\) is not kept in \.deploy\/artifacts; it is never built again/,
      );
    } finally {
      renameSync(`${kept}.away`, kept);
    }
    expect(readFileSync(builds, 'utf8')).toBe('built\n');
    expect(existsSync(join(p.dir, 'build'))).toBe(true);
    expect(await snapshot(f, productionTo)).toEqual(before);
  });
});

describe('deploy promote with git', () => {
  let f: Fleet;
  let repo: AppRepo;
  let p: ReturnType<typeof project>;
  const [stagingPort, productionPort] = ['3123', '3124'];
  const productionTo = `/srv/t-promote-git-${process.pid}`;
  let v1: string;
  let stagingRelease: string;

  beforeAll(() => {
    f = fleet();
    repo = appRepo();
    p = project(f, {
      source: { repository: repo.url },
      extra: { env: { PORT: stagingPort }, health: { path: '/health', port: Number(stagingPort), retries: 20, interval: 0.25 } },
    });
    withProduction(p.file, productionTo, productionPort);
  });
  afterAll(async () => {
    await stopApps(f, p.deployTo);
    await stopApps(f, productionTo);
  });

  it('deploys to production the commit staging serves, not the branch head', async () => {
    v1 = repo.commit('v1');
    const staged = await cli(['staging', '-c', p.file]);
    expect(staged.code, staged.stderr).toBe(0);
    stagingRelease = releaseOf(staged.stdout);
    repo.commit('v2');

    const r = await cli(['promote', 'staging', 'production', '-c', p.file]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`promote +from staging release ${stagingRelease} \\(revision ${v1}\\)`));
    const productionRelease = releaseOf(r.stdout.slice(r.stdout.indexOf(`(revision ${v1})`)));
    for (const [host, s] of Object.entries(await served(f, productionTo)))
      expect(s, host).toEqual({ release: productionRelease, revision: v1 });
    for (const h of webHosts(f)) expect(await health(h, productionPort)).toMatchObject({ version: 'v1', release: productionRelease });
    for (const h of codeHosts(f)) {
      expect(JSON.parse(await on(f, h, `tail -n 1 '${productionTo}/revisions.log'`))).toMatchObject({
        revision: v1,
        from: { stage: 'staging', release: stagingRelease, revision: v1 },
      });
    }

    // A dry run reads for real and writes nothing (a first deploy's dry run has no repository mirror to read yet).
    const before = await snapshot(f, productionTo);
    const dry = await cli(['promote', 'staging', 'production', '-c', p.file, '--dry-run']);
    expect(dry.code, dry.stderr).toBe(0);
    expect(dry.stdout).toContain('Dry run of promote staging → production');
    expect(dry.stdout).toContain(`archive ${v1}`);
    expect(await snapshot(f, productionTo)).toEqual(before);
  });

  it('refuses (exit 7) when staging serves mixed releases, naming the hosts, and changes nothing anywhere', async () => {
    const web1 = await cli(['staging', '-c', p.file, '--hosts', 'web1']);
    expect(web1.code, web1.stderr).toBe(0);
    const newer = releaseOf(web1.stdout);
    const [prodBefore, stagingBefore] = [await snapshot(f, productionTo), await snapshot(f, p.deployTo)];

    const r = await cli(['promote', 'staging', 'production', '-c', p.file]);
    expect(r.code, r.stderr).toBe(7);
    const others = codeHosts(f)
      .filter((h) => h !== 'web1')
      .join(', ');
    expect(r.stderr).toContain(`staging serves mixed releases (${newer} on web1; ${stagingRelease} on ${others}); nothing was promoted`);
    expect(await snapshot(f, productionTo)).toEqual(prodBefore);
    expect(await snapshot(f, p.deployTo)).toEqual(stagingBefore);
  });

  it('refuses (exit 7) when a staging host is unhealthy, naming it', async () => {
    const all = await cli(['staging', '-c', p.file]);
    expect(all.code, all.stderr).toBe(0);
    await on(f, 'web2', `'${p.deployTo}/current/bin/stop'`);
    const before = await snapshot(f, productionTo);
    const r = await cli(['promote', 'staging', 'production', '-c', p.file]);
    expect(r.code, r.stderr).toBe(7);
    expect(r.stderr).toMatch(/staging is unhealthy on web2 \(release \d{14}\); nothing was promoted/);
    expect(await snapshot(f, productionTo)).toEqual(before);
  });
});
