import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fleet, tempFleet, type TempFleet } from '../fleet/context.js';
import { sshRun, type Fleet } from '../fleet/fleet.js';
import type { LoadResult } from './support/load.js';
import { join } from 'node:path';
import { execa } from 'execa';
import { appRepo, cli, repoRoot, type AppRepo } from './support/project.js';
import { underLoad } from './support/load.js';
import { currentOf, releaseOf, tieredProject, webs } from './support/tiers.js';

/**
 * Nothing failed, and every client went from the old version to the new one once. Behind nginx the cut-over is
 * a reload, and for a moment old workers (old pool) and new workers (new pool) both accept connections, so a
 * client may see the two alternate, but only within that moment; behind haproxy it is one runtime command line.
 */
function expectClean(load: LoadResult, from: string, to: string, kind: 'nginx' | 'haproxy'): void {
  expect(load.failures, JSON.stringify(load.errors)).toBe(0);
  expect(load.requests).toBeGreaterThan(200);
  for (const seen of load.versions) {
    expect(seen[0] === from || seen[0] === to, JSON.stringify(seen)).toBe(true);
    expect(seen[seen.length - 1], JSON.stringify(seen)).toBe(to);
    if (kind === 'haproxy') expect([[from], [to], [from, to]]).toContainEqual(seen);
  }
  if (kind === 'nginx') expect(Math.max(...load.changeWindows), JSON.stringify(load.versions)).toBeLessThan(250);
  expect(load.versions.some((v) => v.includes(to))).toBe(true);
}

interface Streamed {
  code: number;
  stderr: string;
  events: { type: string; step?: string; host?: string; release?: string; time: string }[];
  /** When the new release's asset first answered 200 on the media host (ms since epoch). */
  assetAt?: number;
}

/** A deploy with --json, watching the media host for the new release's asset while it runs. */
async function deployWatchingAssets(f: Fleet, file: string): Promise<Streamed> {
  const child = execa('node', [join(repoRoot, 'dist', 'cli', 'bin.js'), 'staging', '-c', file, '--json'], {
    reject: false,
    env: { CI: 'true' },
  });
  const events: Streamed['events'] = [];
  let assetAt: number | undefined;
  let release: string | undefined;
  let buffer = '';
  child.stdout?.on('data', (c: Buffer) => {
    buffer += c.toString();
    const lines = buffer.split('\n');
    buffer = lines.pop() ?? '';
    for (const line of lines.filter(Boolean)) {
      const e = JSON.parse(line);
      events.push(e);
      if (e.type === 'release:chosen') release = e.release;
    }
  });
  let done = false;
  const watch = (async () => {
    while (!done && assetAt === undefined) {
      if (release) {
        const r = await fetch(`${f.media!.url}/assets/${release}/style.css`).catch(() => undefined);
        if (r?.status === 200) assetAt = Date.now();
      }
      await new Promise((r) => setTimeout(r, 20));
    }
  })();
  const r = await child;
  done = true;
  await watch;
  return { code: r.exitCode ?? -1, stderr: String(r.stderr), events, assetAt };
}

for (const kind of ['nginx', 'haproxy'] as const) {
  describe(`rolling deploys behind ${kind}`, () => {
    let f: Fleet;
    let temp: TempFleet | undefined;
    let repo: AppRepo;
    let p: ReturnType<typeof tieredProject>;

    beforeAll(async () => {
      if (kind === 'nginx') f = fleet();
      else {
        temp = await tempFleet({ balancer: 'haproxy', webs: 3 });
        f = temp.fleet;
      }
      repo = appRepo();
      p = tieredProject(f, repo);
      repo.commit('v1');
      const first = await cli(['staging', '-c', p.file]);
      expect(first.code, first.stderr).toBe(0);
    });
    afterAll(async () => {
      for (const h of webs(f)) await sshRun(f, h, `'${p.deployTo}/current/bin/stop' || true`);
      await temp?.down();
    });

    it('a rolling deploy under load: 0 failed requests, every client sees v1 then v2, never back', async () => {
      repo.commit('v2', {
        migration: {
          name: '003_count_runs.sql',
          sql: 'create table if not exists migration_runs (id serial primary key);\ninsert into migration_runs default values;\n',
        },
      });
      let streamed: Streamed | undefined;
      const { result, load } = await underLoad(f, async () => {
        streamed = await deployWatchingAssets(f, p.file);
        return { code: streamed.code, stdout: '', stderr: streamed.stderr };
      });
      expect(result.code, result.stderr).toBe(0);
      expectClean(load, 'v1', 'v2', kind);
      const events = streamed!.events;
      const migrations = events.filter((e) => e.type === 'command' && e.step === 'migrate');
      expect(migrations.map((e) => e.host)).toEqual(['db1']);
      const firstWebSwitch = events.findIndex((e) => e.type === 'command' && e.step === 'switch' && webs(f).includes(e.host ?? ''));
      const mediaSwitch = events.findIndex((e) => e.type === 'command' && e.step === 'switch' && e.host === 'media1');
      const migrate = events.findIndex((e) => e.type === 'command' && e.step === 'migrate');
      expect(migrate).toBeGreaterThan(-1);
      expect(mediaSwitch).toBeGreaterThan(migrate);
      expect(firstWebSwitch).toBeGreaterThan(mediaSwitch);
      expect(events.some((e) => e.type === 'drain')).toBe(true);
      // The new release's assets answered on the media host before any web host switched to it.
      expect(streamed!.assetAt).toBeDefined();
      expect(streamed!.assetAt!).toBeLessThan(Date.parse(events[firstWebSwitch]!.time));
    });

    it('a rollback under load: 0 failed requests, v2 then v1, never back', async () => {
      const { result, load } = await underLoad(f, () => cli(['rollback', 'staging', '-c', p.file]));
      expect(result.code, result.stderr).toBe(0);
      expectClean(load, 'v2', 'v1', kind);
    });

    it('a release failing its health check on the second batch is switched back everywhere under load: exit 6', async () => {
      const redeploy = await cli(['staging', '-c', p.file]);
      expect(redeploy.code, redeploy.stderr).toBe(0);
      const good = releaseOf(redeploy.stdout);
      repo.commit('v3', { failHealth: ['web2'] });
      const { result, load } = await underLoad(f, () => cli(['staging', '-c', p.file]));
      expect(result.code).toBe(6);
      expect(result.stderr).toContain('web2: health: GET http://');
      expect(result.stderr).toContain('FAIL_HEALTH file present');
      expect(load.failures, JSON.stringify(load.errors)).toBe(0);
      for (const seen of load.versions) {
        expect(seen[seen.length - 1], JSON.stringify(seen)).toBe('v2');
        if (kind === 'haproxy') expect([['v2'], ['v2', 'v3', 'v2'], ['v3', 'v2']]).toContainEqual(seen);
      }
      if (kind === 'nginx') expect(Math.max(...load.changeWindows)).toBeLessThan(15_000);
      for (const h of [...webs(f), 'db1', 'media1']) expect(await currentOf(f, p.deployTo, h)).toBe(good);
      const health = await (await fetch(`${f.balancer!.url}/health`)).json();
      expect(health).toMatchObject({ version: 'v2', release: good });
      const status = await cli(['status', 'staging', '-c', p.file, '--json']);
      const s = JSON.parse(status.stdout);
      expect(s.mixed).toEqual({});
    });
  });
}
