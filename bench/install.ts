/**
 * The install step when one dependency changed in the lockfile: today's clean `npm ci` against the node recipe's
 * incremental install (a copy of the previous release's node_modules, reconciled by `npm install`). The project is
 * fixtures/node-monorepo (≥ 100 packages); the change adds one dependency (dayjs) to its lockfile. Both sides run
 * with a warmed npm cache and `--prefer-offline`, so what is measured is the install step, not the network. With
 * devDependencies (an app with a build) the tree copied is the install the recipe keeps in
 * shared/cache/node_modules-dev, since the previous release's own tree was pruned after its build.
 * Medians of BENCH_REPS (3) interleaved runs; checks that both give the same tree. Run alone with
 * `npm run bench:install`; `npm run bench` runs it after the fleet table.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const repoRoot = resolve(import.meta.dirname, '..');
const fixture = join(repoRoot, 'fixtures', 'node-monorepo');
const log = (msg: string) => process.stderr.write(`[bench:install] ${msg}\n`);
const median = (xs: readonly number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

function sh(dir: string, script: string): number {
  const t0 = process.hrtime.bigint();
  const r = spawnSync('sh', ['-c', script], {
    cwd: dir,
    encoding: 'utf8',
    env: { ...process.env, NODE_ENV: 'production', npm_config_audit: 'false', npm_config_fund: 'false' },
  });
  if (r.status !== 0) throw new Error(`${script} in ${dir}: exit ${r.status}\n${r.stderr}`);
  return Number(process.hrtime.bigint() - t0) / 1e6;
}

/** A copy of the fixture's manifests; `changed` adds one dependency to backend/package.json and the lockfile. */
function project(root: string, name: string, changed: boolean): string {
  const dir = join(root, name);
  for (const f of ['package.json', 'package-lock.json', 'backend/package.json', 'frontend/package.json'])
    cpSync(join(fixture, f), join(dir, f));
  if (changed) {
    const pkg = JSON.parse(readFileSync(join(dir, 'backend/package.json'), 'utf8'));
    pkg.dependencies.dayjs = '1.11.13';
    writeFileSync(join(dir, 'backend/package.json'), `${JSON.stringify(pkg, null, 2)}\n`);
    const lock = JSON.parse(readFileSync(join(dir, 'package-lock.json'), 'utf8'));
    lock.packages.backend.dependencies.dayjs = '1.11.13';
    lock.packages['node_modules/dayjs'] = {
      version: '1.11.13',
      integrity: 'sha512-oaMBel6gjolK862uaPQOVTA7q3TZhuSvuMQAAglQDOWYO9A91IrAOUJEyKVlqJlHE0vq5p5UXxzdPfMH/x6xNg==',
      license: 'MIT',
    };
    writeFileSync(join(dir, 'package-lock.json'), `${JSON.stringify(lock, null, 2)}\n`);
  }
  return dir;
}

const tree = (dir: string) =>
  spawnSync(
    'sh',
    ['-c', "find node_modules -type f -not -path 'node_modules/.package-lock.json' -print0 | LC_ALL=C sort -z | xargs -0 sha256sum"],
    { cwd: dir, encoding: 'utf8' },
  ).stdout;

export interface InstallRow {
  readonly scenario: string;
  readonly packages: number;
  readonly today_s: number;
  readonly incremental_s: number;
  readonly ratio: number;
}

export async function benchInstall(reps = Number(process.env.BENCH_REPS ?? 3)): Promise<InstallRow[]> {
  const root = mkdtempSync(join(tmpdir(), 'bench-install-'));
  try {
    const scenarios = [
      { scenario: 'production deps (no build)', flags: '--omit=dev' },
      { scenario: 'with devDependencies (a build)', flags: '--include=dev' },
    ];
    const rows: InstallRow[] = [];
    for (const { scenario, flags } of scenarios) {
      // The previous release's tree, and a warm cache for both sides.
      const prev = project(root, 'prev', false);
      sh(prev, `npm ci ${flags} --prefer-offline`);
      const warm = project(root, 'warm', true);
      sh(warm, `npm ci ${flags} --prefer-offline`);
      const packages = Number(
        spawnSync('sh', ['-c', 'ls -d node_modules/* node_modules/@*/* | grep -vc "/@[^/]*$"'], {
          cwd: warm,
          encoding: 'utf8',
        }).stdout.trim(),
      );
      const today: number[] = [];
      const incremental: number[] = [];
      for (let i = 0; i < reps; i++) {
        const a = project(root, `today-${i}`, true);
        today.push(sh(a, `npm ci ${flags} --prefer-offline`));
        const b = project(root, `incremental-${i}`, true);
        incremental.push(sh(b, `cp -a '${prev}/node_modules' node_modules && npm install ${flags} --no-save --prefer-offline`));
        if (tree(a) !== tree(b)) throw new Error(`${scenario}: the incremental tree differs from the clean one (${a} vs ${b})`);
        rmSync(a, { recursive: true, force: true });
        rmSync(b, { recursive: true, force: true });
        log(`${scenario}: ${i + 1}/${reps}`);
      }
      const t = median(today) / 1000;
      const n = median(incremental) / 1000;
      rows.push({ scenario, packages, today_s: t, incremental_s: n, ratio: t / n });
      for (const d of [prev, warm]) rmSync(d, { recursive: true, force: true });
    }
    return rows;
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

export function printInstallTable(rows: readonly InstallRow[]): void {
  const out = (s: string) => process.stdout.write(`${s}\n`);
  out('');
  out('Install step, one dependency changed in the lockfile (fixtures/node-monorepo; warm cache, --prefer-offline):');
  out('| scenario | packages | today: npm ci | incremental: copy + npm install | ratio |');
  out('| --- | ---: | ---: | ---: | ---: |');
  for (const r of rows)
    out(`| ${r.scenario} | ${r.packages} | ${r.today_s.toFixed(2)} s | ${r.incremental_s.toFixed(2)} s | ${r.ratio.toFixed(1)}× |`);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  printInstallTable(await benchInstall());
}
