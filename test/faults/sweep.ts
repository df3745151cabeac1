/**
 * npm run test:faults [-- options]: the failure-injection sweep (docs/reliability.md). Starts its own fleet per
 * balancer (FLEET_NET / FLEET_STATE / FLEET_JSON choose where, as for the integration tests), deploys fixtures/app,
 * lists every remote operation of a deploy and of a rollback, injects a fault at each one, checks the invariants,
 * and prints point × kind × balancer → held / broken. Exits 1 when any point broke.
 *
 *   --balancer nginx|haproxy|both   (both)
 *   --verbs deploy,rollback         (both)
 *   --kinds fail,drop,drop-after,kill-client,crash,drop-mid   (all)
 *   --subset                        the CI subset instead of every operation
 *   --only <text>                   only injections whose id contains text (e.g. deploy:fail@web2)
 *   --no-confirm                    do not run a broken point a second time
 *   --dir <dir>                     where the per-run logs go (/var/tmp/deploy-faults/<time>)
 *   --fleet-json <file>             use this running fleet instead of starting one (one balancer: the fleet's)
 *   --source git|artifact|both      (both) how the code travels; artifact adds the transfer step's points of a
 *                                   deploy whose code is an 8 MB artifact uploaded over SFTP, behind the first balancer
 *   --steps <list>                  only points in these steps (e.g. transfer,switch)
 *   --table <dir>                   print the table of an earlier (or interrupted) sweep from its directory; runs nothing
 */
import { appendFileSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { FaultKind } from '../../src/backends/faults.js';
import { fleetDown, fleetUp, readFleet, resolveOptions, type Fleet } from '../fleet/fleet.js';
import { Harness, injectionId, type Injection, type PointResult } from './harness.js';
import { countsOf, opsOf, signature, type Balancer, type Listing, type Verb } from './points.js';
import { byInvariant, markdownTable, resultTable, summaryLine, verdict } from './report.js';
import { BALANCER_SUBSET, DEPLOY_SUBSET, fullSweep, moments, ROLLBACK_SUBSET, subset, type ScenarioKind } from './scenarios.js';

const { values } = parseArgs({
  options: {
    balancer: { type: 'string', default: 'both' },
    verbs: { type: 'string', default: 'deploy,rollback' },
    kinds: { type: 'string', default: 'fail,drop,drop-after,kill-client,crash,drop-mid' },
    subset: { type: 'boolean', default: false },
    only: { type: 'string' },
    'no-confirm': { type: 'boolean', default: false },
    dir: { type: 'string' },
    'fleet-json': { type: 'string' },
    source: { type: 'string', default: 'both' },
    table: { type: 'string' },
    steps: { type: 'string' },
  },
});

const stamp = new Date().toISOString().replace(/[:.]/g, '-');
const dir = values.table ?? values.dir ?? `/var/tmp/deploy-faults/${stamp}`;
mkdirSync(dir, { recursive: true });
const verbs = values.verbs.split(',') as Verb[];
const kinds = values.kinds.split(',');
const failKinds = kinds.filter((k): k is FaultKind => ['fail', 'drop', 'drop-after'].includes(k));
const scenarioKinds = kinds.filter((k): k is ScenarioKind => ['kill-client', 'crash', 'drop-mid'].includes(k));
const say = (line: string) => process.stdout.write(`${line}\n`);

/** The same operation (signature and occurrence on its host) in a newer listing. */
function relocate(old: Listing, now: Listing, inj: Injection): Injection | undefined {
  const mine = opsOf(old, inj.host);
  const op = mine[inj.n! - 1];
  if (!op) return undefined;
  const sig = signature(op);
  const occurrence = mine.slice(0, inj.n!).filter((o) => signature(o) === sig).length;
  const found = opsOf(now, inj.host).filter((o) => signature(o) === sig)[occurrence - 1];
  return found ? { ...inj, n: found.n } : undefined;
}

async function sweep(h: Harness, balancer: Balancer, onlySteps?: readonly string[]): Promise<PointResult[]> {
  const results: PointResult[] = [];
  const t0 = Date.now();
  await h.warmUp();
  say(`[${balancer}] warmed up in ${((Date.now() - t0) / 1000).toFixed(0)} s`);
  const listings = new Map<Verb, Listing>();
  for (const verb of verbs) {
    const l = await h.list(verb);
    listings.set(verb, l);
    say(`[${balancer}] ${verb} listing: ${l.ops.length} operations (${countsOf(l)})`);
  }
  const injections: Injection[] = [];
  for (const verb of verbs) {
    const l = listings.get(verb)!;
    if (values.subset)
      injections.push(...subset(l, verb === 'deploy' ? [...DEPLOY_SUBSET, ...BALANCER_SUBSET[balancer]] : ROLLBACK_SUBSET));
    else injections.push(...fullSweep(l, failKinds));
  }
  if (verbs.includes('deploy')) injections.push(...moments(scenarioKinds, values.subset ? ['migrate', 'restart'] : undefined));
  const todo = injections
    .filter((i) => failKinds.includes(i.kind as FaultKind) || scenarioKinds.includes(i.kind as ScenarioKind))
    .filter((i) => !values.only || injectionId(i).includes(values.only))
    .filter((i) => !onlySteps || (onlySteps.includes(i.step) && i.n !== undefined))
    .filter((i) => !values.steps || values.steps.split(',').includes(i.step));
  say(`[${balancer}] ${todo.length} injections`);
  for (const [i, inj0] of todo.entries()) {
    let inj = inj0;
    let r = await h.runPoint(inj, listings.get(inj.verb));
    if (r.diverged && inj.n !== undefined) {
      say(`  ${injectionId(inj)}: ${r.diverged}; listing the ${inj.verb} again`);
      const old = listings.get(inj.verb)!;
      const again = await h.list(inj.verb);
      listings.set(inj.verb, again);
      const moved = relocate(old, again, inj);
      if (moved) {
        inj = moved;
        r = await h.runPoint(inj, again);
        r = {
          ...r,
          notes: [
            ...r.notes,
            `re-listed: ${r.diverged ? 'diverged again' : `the first run diverged (${r.diverged ?? 'see the first run'})`}`,
          ],
        };
      }
    }
    if (r.disturbed) {
      say(`  ${injectionId(inj)}: ${r.disturbed}; running it again`);
      r = await h.runPoint(inj, listings.get(inj.verb));
    }
    if (!r.held && !r.diverged && !r.disturbed && !values['no-confirm']) {
      const second = await h.runPoint(inj, listings.get(inj.verb));
      const a = invariantsOf(r);
      const b = invariantsOf(second);
      const note = second.disturbed
        ? `not confirmed: the second run was disturbed (${second.disturbed})`
        : a === b
          ? `confirmed by a second run (${second.dir})`
          : `FLAKY: the second run broke ${b || 'nothing'} instead of ${a} (${second.dir})`;
      r = { ...r, notes: [...r.notes, note] };
    }
    results.push(r);
    appendFileSync(join(dir, 'results.ndjson'), `${JSON.stringify(r)}\n`);
    say(
      `  [${balancer} ${i + 1}/${todo.length}] ${injectionId(inj)} (${inj.step}: ${inj.description.slice(0, 50)}) exit ${r.exit ?? 'killed'}, next ${r.recoveryExit ?? '-'}: ${verdict(r)}${r.notes.length ? `\n      ${r.notes.join('\n      ')}` : ''}`,
    );
  }
  await h.stopApps();
  return results;
}

const invariantsOf = (r: PointResult) =>
  [...new Set([...r.broken.map((b) => b.invariant), ...r.brokenAfterRecovery.map((b) => `${b.invariant}(next)`)])].sort().join(',');

/**
 * The results kept in a sweep's directory: results.ndjson, or for a sweep stopped before it wrote one, each point's
 * result.json (a point's second run, which confirms a broken one, follows it and is folded into it).
 */
export function resultsIn(root: string): PointResult[] {
  const ndjson = join(root, 'results.ndjson');
  if (existsSync(ndjson))
    return readFileSync(ndjson, 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as PointResult);
  const out: PointResult[] = [];
  for (const variant of readdirSync(root)
    .filter((d) => existsSync(join(root, d, 'runs.txt')) || /^(nginx|haproxy)/.test(d))
    .sort()) {
    const points = readdirSync(join(root, variant))
      .filter((d) => /^\d{3}-/.test(d) && existsSync(join(root, variant, d, 'result.json')))
      .sort();
    let last: PointResult | undefined;
    for (const d of points) {
      const r = JSON.parse(readFileSync(join(root, variant, d, 'result.json'), 'utf8')) as PointResult;
      if (last && last.id === r.id && last.balancer === r.balancer && !last.held && !last.diverged) {
        if (last.disturbed) out[out.length - 1] = last = r;
        else {
          const a = invariantsOf(last);
          const b = invariantsOf(r);
          const note = r.disturbed
            ? `not confirmed: the second run was disturbed (${r.disturbed})`
            : a === b
              ? `confirmed by a second run (${r.dir})`
              : `FLAKY: the second run broke ${b || 'nothing'} instead of ${a} (${r.dir})`;
          out[out.length - 1] = last = { ...last, notes: [...last.notes, note], id: `${last.id} ` };
        }
        continue;
      }
      out.push(r);
      last = r;
    }
  }
  return out.map((r) => ({ ...r, id: r.id.trim() }));
}

function printTable(all: readonly PointResult[], took?: string): void {
  const flaky = all.filter((r) => r.notes.some((n) => n.startsWith('FLAKY')));
  const text = [
    resultTable(all),
    '',
    summaryLine(all),
    `broken invariants (points):\n${byInvariant(all)}`,
    ...(flaky.length ? [`FLAKY (the two runs disagreed): ${flaky.map((r) => `${r.balancer} ${r.id}`).join(', ')}`] : []),
    `${took ? `took ${took}; ` : ''}per-run logs in ${dir}`,
  ].join('\n');
  say(`\n${text}`);
  writeFileSync(join(dir, 'table.md'), `${markdownTable(all)}\n\n${summaryLine(all)}\n`);
  writeFileSync(join(dir, 'summary.txt'), `${text}\n`);
}

async function main(): Promise<number> {
  if (values.table) {
    const all = resultsIn(values.table);
    printTable(all);
    return all.every((r) => r.held) ? 0 : 1;
  }
  const started = Date.now();
  const all: PointResult[] = [];
  const balancers: Balancer[] = values['fleet-json']
    ? []
    : values.balancer === 'both'
      ? ['nginx', 'haproxy']
      : [values.balancer as Balancer];
  const sources = values.source === 'both' ? (values.subset ? ['git'] : ['git', 'artifact']) : [values.source];
  const onFleet = async (f: Fleet, b: Balancer, first: boolean) => {
    if (sources.includes('git')) all.push(...(await sweep(new Harness({ fleet: f, balancer: b, dir: join(dir, b), say }), b)));
    // The code's way to the hosts only changes the transfer step: its points, once.
    if (sources.includes('artifact') && first) {
      const steps = values.source === 'artifact' ? undefined : ['transfer'];
      all.push(
        ...(await sweep(new Harness({ fleet: f, balancer: b, dir: join(dir, `${b}-artifact`), say, source: 'artifact' }), b, steps)),
      );
    }
  };
  if (values['fleet-json']) {
    const f = readFleet(values['fleet-json']);
    await onFleet(f, f.balancer?.kind as Balancer, true);
  }
  for (const [i, b] of balancers.entries()) {
    const o = resolveOptions({ balancer: b });
    say(`[${b}] starting a fleet on ${o.net}.x (${o.stateDir})`);
    let f: Fleet | undefined;
    try {
      f = await fleetUp(o);
      await onFleet(f, b, i === 0);
    } finally {
      if (f) await fleetDown(f);
    }
  }
  printTable(all, `${((Date.now() - started) / 60_000).toFixed(1)} min`);
  return all.every((r) => r.held) ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (e: unknown) => {
    process.stderr.write(`test:faults: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    process.exit(2);
  },
);
