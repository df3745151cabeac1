/**
 * `deploy beta <stage> promote` on the real fleet (tasks/beta-promote.ts): the beta's release — same id, same
 * revision, the very artifact file — goes to every other host through the normal rollout, the beta hosts rejoin the
 * live pool and the beta routing ends. Behind nginx (the shared fleet, two web hosts) and haproxy (a sibling fleet,
 * three), under steady request streams through the balancer with and without the beta cookie; then with an artifact
 * (no rebuild), and the refusals, which change nothing.
 */
import { createHash } from 'node:crypto';
import { readFileSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fleet, tempFleet, type TempFleet } from '../fleet/context.js';
import { sshRun, type Fleet } from '../fleet/fleet.js';
import { BETA_COOKIE, LB_BETA } from '../fleet/render.js';
import { markedLoad, sample, type MarkedResult } from './support/marked.js';
import { appRepo, cli, project, type AppRepo } from './support/project.js';
import { balancerRole, currentOf, lbOf, rotationOf, stopApps, streamCli, tieredProject, webs, type JsonEvent } from './support/tiers.js';

const COOKIE = `${BETA_COOKIE}=1`;

interface Summary {
  release?: string;
  promotedFrom?: Record<string, unknown>;
  beta?: Record<string, unknown>;
  hosts: { host: string; current: string | null }[];
}

const hostsOf = (r: MarkedResult) => [...new Set(r.answers.map((a) => a.host))].sort();
const versionsOf = (r: MarkedResult) => [...new Set(r.answers.map((a) => a.version))].sort();
const codeHosts = (f: Fleet) => f.hosts.filter((h) => !h.roles.includes('balancer')).map((h) => h.name);
const summaryOf = (events: readonly JsonEvent[]) => (events.find((e) => e.type === 'run:end') as { summary: Summary }).summary;

async function on(f: Fleet, host: string, command: string): Promise<string> {
  const r = await sshRun(f, host, command);
  if (r.code !== 0) throw new Error(`${host}: ${command}: exit ${r.code}: ${r.stderr}`);
  return r.stdout.trim();
}

/** Everything a refused promote must leave alone: per code host its releases, current, log, lock and beta marker. */
const snapshot = (f: Fleet, deployTo: string) =>
  Promise.all(
    codeHosts(f).map((h) =>
      on(
        f,
        h,
        `cd '${deployTo}' && { ls -A releases; readlink current; cat revisions.log; ls -d deploy.lock 2>/dev/null; cat beta 2>/dev/null; } || echo none`,
      ),
    ),
  );

/** What the balancer routes: the pool's rotation, and nginx's beta include file or haproxy's beta backend. */
async function routing(f: Fleet): Promise<unknown> {
  const lb = lbOf(f);
  const beta =
    f.balancer!.kind === 'nginx'
      ? await on(f, lb, `cat ${LB_BETA}`)
      : await on(f, lb, `printf '%s\\n' 'show servers state app_beta' | socat stdio unix-connect:/srv/lb/haproxy.sock | cut -d' ' -f4,7`);
  return { rotation: await rotationOf(f), beta };
}

const lastLog = async (f: Fleet, host: string, deployTo: string) =>
  JSON.parse(await on(f, host, `tail -n 1 '${deployTo}/revisions.log'`)) as Record<string, unknown>;

for (const kind of ['nginx', 'haproxy'] as const) {
  describe(`deploy beta … promote behind ${kind}`, () => {
    let f: Fleet;
    let temp: TempFleet | undefined;
    let repo: AppRepo;
    let p: ReturnType<typeof tieredProject>;
    let beta: string;
    let live: string;
    let betaFile: string | undefined;
    // The beta that the Ctrl-C test starts and the promote test promotes.
    let v2: string;
    let betaRelease: string;
    const args = (...more: string[]) => ['beta', 'staging', ...more, '-c', p.file];
    const url = () => `${f.balancer!.url}/health`;
    const purgeLog = async () =>
      (
        await Promise.all(webs(f).map((w) => sshRun(f, w, `cat '${p.deployTo}/purge.log' 2>/dev/null; rm -f '${p.deployTo}/purge.log'`)))
      ).flatMap((r) => r.stdout.split('\n').filter(Boolean));

    beforeAll(async () => {
      if (kind === 'nginx') f = fleet();
      else {
        temp = await tempFleet({ balancer: 'haproxy', webs: 3 });
        f = temp.fleet;
      }
      if (kind === 'nginx') betaFile = (await sshRun(f, lbOf(f), `cat ${LB_BETA}`)).stdout;
      beta = webs(f).at(-1)!;
      repo = appRepo();
      p = tieredProject(f, repo, {
        deployTo: `/srv/beta-promote-${kind}-${Date.now()}`,
        extra: {
          beta: { cookie: BETA_COOKIE, hosts: [beta], ...(kind === 'nginx' ? { upstream_file: LB_BETA } : {}) },
          tasks: {
            purge_cdn: {
              run: 'echo "purge $DEPLOY_VERB $DEPLOY_OUTCOME $DEPLOY_RELEASE" >> "$DEPLOY_TO/purge.log"',
              roles: ['web'],
              once: true,
            },
          },
          hooks: { after: { purge: ['purge_cdn'] } },
        },
      });
      repo.commit('v1');
      const first = await cli(['staging', '-c', p.file]);
      expect(first.code, first.stderr).toBe(0);
      live = await currentOf(f, p.deployTo, webs(f)[0]!);
      await purgeLog();
    });

    afterAll(async () => {
      if (!f) return;
      await stopApps(f, p.deployTo);
      if (betaFile !== undefined)
        await sshRun(f, lbOf(f), `printf '%s' '${betaFile}' > ${LB_BETA} && /usr/sbin/nginx -c /srv/lb/nginx.conf -s reload`);
      await temp?.down();
    });

    it('with no beta running: refused (exit 7), nothing changed on any host or balancer', async () => {
      const [before, routed] = [await snapshot(f, p.deployTo), await routing(f)];
      const r = await cli(args('promote'));
      expect(r.code, r.stderr).toBe(7);
      expect(r.stderr).toContain('no beta runs on stage staging; nothing was promoted');
      expect(await snapshot(f, p.deployTo)).toEqual(before);
      expect(await routing(f)).toEqual(routed);
    });

    it('a promote whose release fails its health check on the other hosts: exit 6, they go back to the live release, the beta goes on as it was; 0 failed requests', async () => {
      const others = webs(f).filter((w) => w !== beta);
      repo.commit('v-bad', { failHealth: others });
      const started = await cli(args());
      expect(started.code, started.stderr).toBe(0);
      const release = await currentOf(f, p.deployTo, beta);

      const plain = markedLoad(url(), { concurrency: 2, maxSeconds: 170 });
      const marked = markedLoad(url(), { cookie: COOKIE, concurrency: 2, maxSeconds: 170 });
      const run = await streamCli(args('promote'));
      const [during, duringMarked] = [await plain.stop(), await marked.stop()];
      expect(run.code, run.stderr).toBe(6);
      expect(during.failures + duringMarked.failures, JSON.stringify([during.errors, duringMarked.errors])).toBe(0);
      expect(versionsOf(duringMarked)).toEqual(['v-bad']);
      expect(run.events.some((e) => e.type === 'beta')).toBe(false);
      for (const w of webs(f)) expect(`${w} ${await currentOf(f, p.deployTo, w)}`).toBe(`${w} ${w === beta ? release : live}`);
      expect(await rotationOf(f)).toEqual(
        Object.fromEntries(webs(f).map((w) => [w, w === beta ? expect.not.stringMatching(/^in$/) : 'in'])),
      );
      const withCookie = await sample(url(), 40, COOKIE);
      const without = await sample(url(), 40);
      expect(withCookie.failures + without.failures).toBe(0);
      expect([hostsOf(withCookie), versionsOf(withCookie)]).toEqual([[beta], ['v-bad']]);
      expect([hostsOf(without), versionsOf(without)]).toEqual([others, ['v1']]);
      const status = JSON.parse((await cli(['status', 'staging', '-c', p.file, '--json'])).stdout) as {
        hosts: { host: string; beta?: { release: string } }[];
      };
      expect(status.hosts.filter((h) => h.beta).map((h) => `${h.host} ${h.beta!.release}`)).toEqual([`${beta} ${release}`]);

      const ended = await cli(args('end'));
      expect(ended.code, ended.stderr).toBe(0);
      await purgeLog();
    });

    it('Ctrl-C during the promote’s rollout: exit 130, the other hosts back on the live release, the beta goes on as it was; 0 failed requests', async () => {
      v2 = repo.commit('v2');
      const started = await streamCli(args());
      expect(started.code, started.stderr).toBe(0);
      betaRelease = await currentOf(f, p.deployTo, beta);
      expect(betaRelease > live).toBe(true);
      // A beta alone changes nothing the public is served: the purge point does not run.
      expect(started.events.filter((e) => e.step === 'task:purge_cdn' || e.message?.includes('purge'))).toEqual([]);
      expect(await purgeLog()).toEqual([]);

      const plain = markedLoad(url(), { concurrency: 2, maxSeconds: 170 });
      const marked = markedLoad(url(), { cookie: COOKIE, concurrency: 2, maxSeconds: 170 });
      let sent = false;
      const run = await streamCli(args('promote'), (e, signal) => {
        if (!sent && e.type === 'batch' && e.hosts?.some((h) => webs(f).includes(h))) {
          sent = true;
          signal('SIGINT');
        }
      });
      const [during, duringMarked] = [await plain.stop(), await marked.stop()];
      expect(sent).toBe(true);
      expect(run.code, run.stderr).toBe(130);
      expect(during.failures + duringMarked.failures, JSON.stringify([during.errors, duringMarked.errors])).toBe(0);
      expect(versionsOf(duringMarked)).toEqual(['v2']);
      expect(run.events.some((e) => e.type === 'beta')).toBe(false);
      for (const h of codeHosts(f)) expect(`${h} ${await currentOf(f, p.deployTo, h)}`).toBe(`${h} ${h === beta ? betaRelease : live}`);
      expect(await rotationOf(f)).toEqual(
        Object.fromEntries(webs(f).map((w) => [w, w === beta ? expect.not.stringMatching(/^in$/) : 'in'])),
      );
      const withCookie = await sample(url(), 40, COOKIE);
      const without = await sample(url(), 40);
      expect(withCookie.failures + without.failures).toBe(0);
      expect([hostsOf(withCookie), versionsOf(withCookie)]).toEqual([[beta], ['v2']]);
      expect([hostsOf(without), versionsOf(without)]).toEqual([webs(f).filter((w) => w !== beta), ['v1']]);
      const status = JSON.parse((await cli(['status', 'staging', '-c', p.file, '--json'])).stdout) as {
        hosts: { host: string; beta?: { release: string } }[];
      };
      expect(status.hosts.filter((h) => h.beta).map((h) => `${h.host} ${h.beta!.release}`)).toEqual([`${beta} ${betaRelease}`]);
      await purgeLog();
    });

    it('promote: every host on the beta release id, every request answered by it, the beta over; 0 failed requests', async () => {
      const release = betaRelease;
      // The work tree moves on: a promote must not take it.
      repo.commit('v3');

      const plain = markedLoad(url(), { concurrency: 2, maxSeconds: 170 });
      const marked = markedLoad(url(), { cookie: COOKIE, concurrency: 2, maxSeconds: 170 });
      const run = await streamCli(args('promote', '-m', 'ship the beta'));
      const [during, duringMarked] = [await plain.stop(), await marked.stop()];
      expect(run.code, run.stderr).toBe(0);
      expect(during.failures, JSON.stringify(during.errors)).toBe(0);
      expect(duringMarked.failures, JSON.stringify(duringMarked.errors)).toBe(0);
      // Marked requests got the beta throughout: on the beta host, then on any host once the beta routing ended.
      expect(versionsOf(duringMarked)).toEqual(['v2']);
      expect(during.answers.at(-1)?.version).toBe('v2');

      // The same release id everywhere, built from the beta's commit (not the branch head), migrations run once.
      expect(run.events.find((e) => e.type === 'release:chosen')?.release).toBe(release);
      expect(run.events.some((e) => e.type === 'step:start' && e.step === 'migrate')).toBe(true);
      for (const h of codeHosts(f)) {
        expect(`${h} ${await currentOf(f, p.deployTo, h)}`).toBe(`${h} ${release}`);
        expect(await on(f, h, `cat '${p.deployTo}/current/REVISION'`)).toBe(v2);
        const from = { stage: 'staging', release, revision: v2, beta: true };
        expect(await lastLog(f, h, p.deployTo)).toMatchObject({
          release,
          revision: v2,
          message: 'ship the beta',
          from,
          outcome: 'deployed',
        });
      }
      expect(await rotationOf(f)).toEqual(Object.fromEntries(webs(f).map((w) => [w, 'in'])));
      const withCookie = await sample(url(), 60, COOKIE);
      const without = await sample(url(), 60);
      expect(withCookie.failures + without.failures).toBe(0);
      expect(hostsOf(withCookie)).toEqual(webs(f));
      expect(hostsOf(without)).toEqual(webs(f));
      expect(versionsOf(withCookie)).toEqual(['v2']);
      expect(versionsOf(without)).toEqual(['v2']);

      expect(run.events.find((e) => e.type === 'beta')).toMatchObject({ action: 'promote', hosts: [beta], release, live: release });
      expect(run.events.filter((e) => e.type === 'warning').map((e) => e.message)).toEqual([]);
      // The beta host joined the live pool at the cut-over, before the last other host switched.
      const joined = run.events.findIndex((e) => e.type === 'drain' && e.host === beta && e.action === 'ready');
      const switches = run.events.flatMap((e, i) => (e.type === 'host:end' && e.step === 'switch' && webs(f).includes(e.host!) ? [i] : []));
      expect(joined).toBeGreaterThan(-1);
      expect(joined).toBeLessThan(switches.at(-1)!);
      const summary = summaryOf(run.events);
      expect(summary).toMatchObject({ release, beta: { action: 'promote' }, promotedFrom: { release, beta: true } });
      expect(summary.hosts.map((h) => `${h.host} ${h.current}`).sort()).toEqual(
        codeHosts(f)
          .map((h) => `${h} ${release}`)
          .sort(),
      );
      // The purge point ran once, when the release was live everywhere.
      expect(await purgeLog()).toEqual([`purge deploy deployed ${release}`]);
      expect(run.events.some((e) => e.type === 'step:start' && e.step === 'task:purge_cdn')).toBe(true);

      const status = await cli(['status', 'staging', '-c', p.file, '--json']);
      expect(status.code, status.stderr).toBe(0);
      expect((JSON.parse(status.stdout) as { hosts: { beta?: unknown }[] }).hosts.some((h) => h.beta)).toBe(false);
      const listed = await cli(['releases', 'staging', '-c', p.file, '--hosts', webs(f)[0]!]);
      expect(listed.stdout).toContain(
        `* ${release} ${v2.slice(0, 12)}  ship the beta  promoted from the beta of staging release ${release} (revision ${v2})`,
      );
      // The stage is a plain stage again: a deploy is not refused.
      const next = await cli(['staging', '-c', p.file]);
      expect(next.code, next.stderr).toBe(0);
    });
  });
}

describe('deploy beta … promote with an artifact', () => {
  let f: Fleet;
  let repo: AppRepo;
  let p: ReturnType<typeof project>;
  let builds: string;
  const beta = 'web2';

  beforeAll(async () => {
    f = fleet();
    repo = appRepo();
    p = project(f, {
      deployTo: `/srv/beta-promote-art-${Date.now()}`,
      // Every build leaves a line in builds.log: a promote must not add one.
      source: {
        artifact: {
          build: `echo built >> builds.log && rm -rf build && mkdir build && git -C ${repo.work} archive HEAD | tar -x -C build`,
          path: 'build',
        },
      },
      extra: {
        roles: { web: { batch: 1 }, balancer: { balancer: balancerRole(f) } },
        health: { path: '/health', port: 3000, retries: 20, interval: 0.25 },
        beta: { cookie: BETA_COOKIE, hosts: [beta], upstream_file: LB_BETA },
      },
    });
    builds = join(p.dir, 'builds.log');
    repo.commit('v1');
    const first = await cli(['staging', '-c', p.file]);
    expect(first.code, first.stderr).toBe(0);
  });

  afterAll(async () => {
    if (f) await stopApps(f, p.deployTo);
  });

  it('refused (exit 7) when the beta’s artifact is not kept in .deploy/artifacts; then promoted as the very same file, not built again', async () => {
    repo.commit('v2');
    const started = await cli(['beta', 'staging', '-c', p.file]);
    expect(started.code, started.stderr).toBe(0);
    const release = await currentOf(f, p.deployTo, beta);
    const sha = await on(f, beta, `cat '${p.deployTo}/current/REVISION'`);
    expect(
      createHash('sha256')
        .update(readFileSync(join(p.dir, '.deploy', 'artifacts', `${sha}.tar.gz`)))
        .digest('hex'),
    ).toBe(sha);
    expect(readFileSync(builds, 'utf8')).toBe('built\nbuilt\n');
    repo.commit('v3');

    const kept = join(p.dir, '.deploy', 'artifacts');
    const [before, routed] = [await snapshot(f, p.deployTo), await routing(f)];
    renameSync(kept, `${kept}.away`);
    try {
      const r = await cli(['beta', 'staging', 'promote', '-c', p.file]);
      expect(r.code, r.stderr).toBe(7);
      expect(r.stderr).toContain(`the artifact of staging release ${release} (sha256 ${sha}) is not kept in .deploy/artifacts`);
    } finally {
      renameSync(`${kept}.away`, kept);
    }
    expect(await snapshot(f, p.deployTo)).toEqual(before);
    expect(await routing(f)).toEqual(routed);

    const r = await cli(['beta', 'staging', 'promote', '-c', p.file]);
    expect(r.code, r.stderr).toBe(0);
    expect(readFileSync(builds, 'utf8')).toBe('built\nbuilt\n');
    for (const h of codeHosts(f)) {
      expect(`${h} ${await currentOf(f, p.deployTo, h)}`).toBe(`${h} ${release}`);
      expect(`${h} ${await on(f, h, `cat '${p.deployTo}/current/REVISION'`)}`).toBe(`${h} ${sha}`);
      expect(await lastLog(f, h, p.deployTo)).toMatchObject({ release, from: { release, sha256: sha, beta: true }, outcome: 'deployed' });
    }
    for (const s of (await sample(`${f.balancer!.url}/health`, 20)).answers) expect(s.version).toBe('v2');
  });
});
