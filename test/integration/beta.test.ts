/**
 * Selective beta on the real fleet (tasks/beta.ts): `deploy beta` puts a new release on the beta host only and the
 * balancer sends it the requests with the beta cookie, and only those; `deploy beta … end` sends it back to the live
 * release and the live pool. Behind nginx (the shared fleet, two web hosts) and haproxy (a sibling fleet, three),
 * each under steady request streams through the balancer, with and without the cookie.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fleet, tempFleet, type TempFleet } from '../fleet/context.js';
import { sshRun, type Fleet } from '../fleet/fleet.js';
import { BETA_COOKIE, LB_BETA } from '../fleet/render.js';
import { markedLoad, sample, type MarkedResult } from './support/marked.js';
import { appRepo, cli, type AppRepo } from './support/project.js';
import { currentOf, lbOf, rotationOf, stopApps, streamCli, tieredProject, webs, type JsonEvent } from './support/tiers.js';

const COOKIE = `${BETA_COOKIE}=1`;

interface BetaEvent extends JsonEvent {
  live?: string | null;
  mark?: string;
  revision?: string;
}

const hostsOf = (r: MarkedResult) => [...new Set(r.answers.map((a) => a.host))].sort();
const versionsOf = (r: MarkedResult) => [...new Set(r.answers.map((a) => a.version))].sort();

for (const kind of ['nginx', 'haproxy'] as const) {
  describe(`deploy beta behind ${kind}`, () => {
    let f: Fleet;
    let temp: TempFleet | undefined;
    let repo: AppRepo;
    let p: ReturnType<typeof tieredProject>;
    let beta: string;
    let live: string;
    let betaFile: string | undefined;
    const args = (...more: string[]) => ['beta', 'staging', ...more, '-c', p.file];
    const url = () => `${f.balancer!.url}/health`;

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
        deployTo: `/srv/beta-${kind}-${Date.now()}`,
        extra: { beta: { cookie: BETA_COOKIE, hosts: [beta], ...(kind === 'nginx' ? { upstream_file: LB_BETA } : {}) } },
      });
      repo.commit('v1');
      const first = await cli(['staging', '-c', p.file]);
      expect(first.code, first.stderr).toBe(0);
      live = await currentOf(f, p.deployTo, webs(f)[0]!);
    });

    afterAll(async () => {
      if (!f) return;
      await stopApps(f, p.deployTo);
      if (betaFile !== undefined)
        await sshRun(f, lbOf(f), `printf '%s' '${betaFile}' > ${LB_BETA} && /usr/sbin/nginx -c /srv/lb/nginx.conf -s reload`);
      await temp?.down();
    });

    it('a beta that fails its health check: exit 6, the beta host back on the live release and in the live pool, the cookie routes nowhere special; 0 failed requests', async () => {
      repo.commit('v-bad', { failHealth: [beta] });
      const plain = markedLoad(url(), { concurrency: 2, maxSeconds: 150 });
      const marked = markedLoad(url(), { cookie: COOKIE, concurrency: 2, maxSeconds: 150 });
      const run = await streamCli(args());
      const [during, duringMarked] = [await plain.stop(), await marked.stop()];
      expect(run.code, run.stderr).toBe(6);
      expect(run.stderr).toContain(`${beta}  back on ${live}`);
      expect(during.failures + duringMarked.failures, JSON.stringify([during.errors, duringMarked.errors])).toBe(0);
      expect(versionsOf(during)).toEqual(['v1']);
      expect(versionsOf(duringMarked)).toEqual(['v1']);
      expect(run.events.some((e) => e.type === 'beta')).toBe(false);
      for (const w of webs(f)) expect(`${w} ${await currentOf(f, p.deployTo, w)}`).toBe(`${w} ${live}`);
      expect(await rotationOf(f)).toEqual(Object.fromEntries(webs(f).map((w) => [w, 'in'])));
      const withCookie = await sample(url(), 40, COOKIE);
      expect(withCookie.failures).toBe(0);
      expect(hostsOf(withCookie)).toEqual(webs(f));
      const status = await cli(['status', 'staging', '-c', p.file, '--json']);
      expect((JSON.parse(status.stdout) as { hosts: { beta?: unknown }[] }).hosts.some((h) => h.beta)).toBe(false);
    });

    it('deploy beta: the beta host alone gets the new release and every request with the cookie, no other request reaches it; 0 failed requests', async () => {
      repo.commit('v2');
      const plain = markedLoad(url(), { concurrency: 2, maxSeconds: 150 });
      const marked = markedLoad(url(), { cookie: COOKIE, concurrency: 2, maxSeconds: 150 });
      const run = await streamCli(args('-m', 'try v2'));
      // The routing is in effect when the command returns (nginx: its old workers no longer accept connections).
      const first = await sample(url(), 10, COOKIE);
      const [during, duringMarked] = [await plain.stop(), await marked.stop()];
      expect([hostsOf(first), versionsOf(first)]).toEqual([[beta], ['v2']]);
      expect(run.code, run.stderr).toBe(0);
      expect(during.failures, JSON.stringify(during.errors)).toBe(0);
      expect(duringMarked.failures, JSON.stringify(duringMarked.errors)).toBe(0);
      // Nobody without the mark ever saw the beta.
      expect(versionsOf(during)).toEqual(['v1']);

      const release = (run.events.find((e) => e.type === 'release:chosen') as BetaEvent).release!;
      const started = run.events.find((e) => e.type === 'beta') as BetaEvent;
      expect(started).toMatchObject({ action: 'start', hosts: [beta], release, live, mark: `cookie ${BETA_COOKIE}` });
      expect(run.events.find((e) => e.type === 'run:end')?.summary?.hosts.map((h) => `${h.host} ${h.current}`)).toEqual([
        `${beta} ${release}`,
      ]);
      for (const w of webs(f)) expect(`${w} ${await currentOf(f, p.deployTo, w)}`).toBe(`${w} ${w === beta ? release : live}`);

      // Once it is done: with the cookie, only the beta host and the new release; without it, never the beta host.
      const withCookie = await sample(url(), 40, COOKIE);
      const without = await sample(url(), 40);
      expect(withCookie.failures + without.failures).toBe(0);
      expect(hostsOf(withCookie)).toEqual([beta]);
      expect(versionsOf(withCookie)).toEqual(['v2']);
      expect(hostsOf(without)).toEqual(webs(f).filter((w) => w !== beta));
      expect(versionsOf(without)).toEqual(['v1']);
      // The beta host is out of the live pool while it serves the beta.
      expect((await rotationOf(f))[beta]).not.toBe('in');

      const status = await cli(['status', 'staging', '-c', p.file, '--json']);
      const hosts = (JSON.parse(status.stdout) as { hosts: { host: string; beta?: { release: string; live: string } }[] }).hosts;
      expect(hosts.filter((h) => h.beta).map((h) => `${h.host} ${h.beta!.release} ${h.beta!.live}`)).toEqual([
        `${beta} ${release} ${live}`,
      ]);
      const table = await cli(['status', 'staging', '-c', p.file]);
      expect(table.stdout).toMatch(new RegExp(`^${beta} .*${release}.* BETA$`, 'm'));
      expect(table.stdout).toContain(`beta release ${release}`);
    });

    it('a deploy or rollback of the stage while the beta runs is refused, and changes nothing', async () => {
      const before = await Promise.all(webs(f).map((w) => currentOf(f, p.deployTo, w)));
      const deploy = await cli(['staging', '-c', p.file]);
      expect(deploy.code, deploy.stderr).toBe(5);
      expect(deploy.stderr).toContain(`a beta of release ${before.at(-1)} runs on ${beta}`);
      const rollback = await cli(['rollback', 'staging', '-c', p.file]);
      expect(rollback.code, rollback.stderr).toBe(5);
      expect(await Promise.all(webs(f).map((w) => currentOf(f, p.deployTo, w)))).toEqual(before);
      expect(hostsOf(await sample(url(), 20, COOKIE))).toEqual([beta]);
    });

    it('deploy beta … end: the beta host goes back to the live release and into the live pool, every host on one release; 0 failed requests', async () => {
      const betaRelease = await currentOf(f, p.deployTo, beta);
      const plain = markedLoad(url(), { concurrency: 2, maxSeconds: 150 });
      const marked = markedLoad(url(), { cookie: COOKIE, concurrency: 2, maxSeconds: 150 });
      const run = await streamCli(args('end'));
      const first = await sample(url(), 10, COOKIE);
      const [during, duringMarked] = [await plain.stop(), await marked.stop()];
      expect(hostsOf(first)).toEqual(webs(f));
      expect(run.code, run.stderr).toBe(0);
      expect(during.failures, JSON.stringify(during.errors)).toBe(0);
      expect(duringMarked.failures, JSON.stringify(duringMarked.errors)).toBe(0);
      expect(versionsOf(during)).toEqual(['v1']);
      expect(run.events.find((e) => e.type === 'beta')).toMatchObject({ action: 'end', hosts: [beta], release: betaRelease, live });

      for (const w of webs(f)) expect(`${w} ${await currentOf(f, p.deployTo, w)}`).toBe(`${w} ${live}`);
      expect(await rotationOf(f)).toEqual(Object.fromEntries(webs(f).map((w) => [w, 'in'])));
      // The cookie no longer makes a difference: every host answers it, with the live release.
      const withCookie = await sample(url(), 60, COOKIE);
      expect(withCookie.failures).toBe(0);
      expect(hostsOf(withCookie)).toEqual(webs(f));
      expect(versionsOf(withCookie)).toEqual(['v1']);

      const status = await cli(['status', 'staging', '-c', p.file, '--json']);
      expect(status.code, status.stderr).toBe(0);
      expect((JSON.parse(status.stdout) as { hosts: { beta?: unknown }[] }).hosts.some((h) => h.beta)).toBe(false);
      // The stage deploys again as usual.
      repo.commit('v3');
      const next = await cli(['staging', '-c', p.file]);
      expect(next.code, next.stderr).toBe(0);
    });
  });
}
