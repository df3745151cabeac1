/**
 * The CI subset of the failure-injection sweep (docs/reliability.md; the full sweep is `npm run test:faults`): one
 * injection for every kind of step, fail and drop, a client SIGKILL and a host crash, behind nginx (the shared
 * fleet) and the balancer's own operations behind haproxy (a sibling fleet). Each test is one real deploy or
 * rollback with that fault, the invariants, then a plain deploy that must succeed with no manual step.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fleet, tempFleet, type TempFleet } from '../fleet/context.js';
import { Harness, injectionId, type Injection, type PointResult } from '../faults/harness.js';
import type { Balancer, Listing, SubsetPick, Verb } from '../faults/points.js';
import { pick } from '../faults/points.js';
import { point, resultTable, summaryLine } from '../faults/report.js';
import { BALANCER_SUBSET, DEPLOY_SUBSET, moments, ROLLBACK_SUBSET } from '../faults/scenarios.js';

const dir = `/var/tmp/deploy-faults/ci-${new Date().toISOString().replace(/[:.]/g, '-')}`;
const results: PointResult[] = [];
/** A hung run is killed after 150 s; then the plain deploy, and a repair when that failed too. */
const POINT_TIMEOUT = 420_000;

function explain(r: PointResult): string {
  const lines = [
    ...r.broken.map((b) => `${b.invariant}: ${b.why}`),
    ...r.brokenAfterRecovery.map((b) => `after the next deploy, ${b.invariant}: ${b.why}`),
  ];
  return `${point(r)} ${r.injection.kind} (${r.injection.step}) broke:\n  ${lines.join('\n  ')}${r.diverged ? `\n  not run: ${r.diverged}` : ''}\n  logs: ${r.dir}`;
}

/** A point disturbed from outside (a host of the fleet died on its own) is run again, once. */
async function runOnce(h: Harness, inj: Injection, listing?: Listing): Promise<PointResult> {
  const r = await h.runPoint(inj, listing);
  return r.disturbed ? h.runPoint(inj, listing) : r;
}

const label = (p: SubsetPick) =>
  `${p.verb}: ${p.kinds.join('+')} at ${p.step}${p.match ? ` (${p.match.source.replace(/[\\^]/g, '')})` : ''} on ${p.host}`;

/**
 * Behind nginx every kind of step, a crash of the lock host and a connection lost while batch 2 restarts; behind
 * haproxy its own balancer operations and a client killed in batch 2 (the next deploy must find web2 still in
 * maintenance and keep a serving host). A client kill costs a lock TTL.
 */
const plans: Record<Balancer, { picks: SubsetPick[]; moments: Injection[] }> = {
  nginx: {
    picks: [...DEPLOY_SUBSET, ...BALANCER_SUBSET.nginx, ...ROLLBACK_SUBSET],
    moments: [...moments(['crash'], ['migrate']), ...moments(['drop-mid'], ['restart'])],
  },
  haproxy: { picks: [...BALANCER_SUBSET.haproxy], moments: moments(['kill-client'], ['restart']) },
};

for (const balancer of ['nginx', 'haproxy'] as const) {
  describe(`failure injection behind ${balancer}`, () => {
    let h: Harness;
    let temp: TempFleet | undefined;
    const listings = new Map<Verb, Listing>();
    const plan = plans[balancer];

    beforeAll(async () => {
      let f = fleet();
      if (f.balancer?.kind !== balancer) {
        temp = await tempFleet({ balancer });
        f = temp.fleet;
      }
      h = new Harness({ fleet: f, balancer, dir: join(dir, balancer) });
      await h.warmUp();
      for (const verb of new Set(plan.picks.map((p) => p.verb))) listings.set(verb, await h.list(verb));
    }, 300_000);

    afterAll(async () => {
      await h?.clean().catch(() => undefined);
      await h?.stopApps().catch(() => undefined);
      await temp?.down();
    });

    for (const p of plan.picks) {
      for (const kind of p.kinds) {
        it(
          label({ ...p, kinds: [kind] }),
          async () => {
            const listing = listings.get(p.verb)!;
            const inj = pick(listing, { ...p, kinds: [kind] })[0]!;
            const r = await runOnce(
              h,
              { verb: inj.verb, kind, host: inj.host, n: inj.n, step: inj.step, description: inj.description, phase: inj.phase },
              listing,
            );
            results.push(r);
            expect(r.diverged, `${injectionId(r.injection)}: the run did not follow the listing`).toBeUndefined();
            expect(r.disturbed, `${injectionId(r.injection)}: the fleet was disturbed twice`).toBeUndefined();
            expect(r.held, explain(r)).toBe(true);
          },
          POINT_TIMEOUT,
        );
      }
    }

    for (const m of plan.moments) {
      it(
        `deploy: ${m.description}`,
        async () => {
          const r = await runOnce(h, m);
          results.push(r);
          expect(r.held, explain(r)).toBe(true);
        },
        POINT_TIMEOUT,
      );
    }
  });
}

afterAll(() => {
  if (results.length) console.log(`\n${resultTable(results)}\n${summaryLine(results)}\nper-run logs in ${dir}`);
});
