/**
 * `npm run bench:startup`: how long a command line takes before it does anything (issue 16, item 2), for this build
 * and for a reference build made in the same run from BENCH_STARTUP_REF (default 7746b5c: the last commit with the
 * CLI as one 2.2 MB bundle), run interleaved so that load from elsewhere hits both alike. No fleet is needed.
 *
 * Each build's bin.js runs as an executable, as `deploy` does for a user (its launcher included: see scripts/build.mjs).
 * Rows: `node -e 0` (the floor; again without NODE_EXTRA_CA_CERTS when it is set, which node reads at every start),
 * `deploy --version`, `deploy --help`, `deploy plan staging` on deploy.example.yml
 * (whole process; its Config from the cache in ~/.cache/deploy, which the untimed first round fills, and again with
 * DEPLOY_NO_CACHE=1: read and validated), and a deploy up to its first SSH connection: spawn to the first `command` event of `--json`
 * (the preflight's probe, sent as the connection opens), against a closed port on 127.0.0.1, then killed.
 * Columns: median wall time and median CPU time (user + system of the process, from bash's `times`) of
 * BENCH_STARTUP_REPS runs (default 20) after one untimed round, and our/reference ratios. Also printed: the load
 * average and the spread of the floor (its interquartile range), the machine's noise, so a difference smaller than
 * that means nothing. Writes bench/startup-results.json.
 *
 * Environment: BENCH_STARTUP_REPS (20), BENCH_STARTUP_REF (7746b5c), BENCH_CLI (this build's dist/cli/bin.js,
 * default: built now from src/).
 */
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, cpSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { closedPortProject } from '../test/cli/support.js';

const repoRoot = resolve(import.meta.dirname, '..');
const env = process.env;
const REPS = Number(env.BENCH_STARTUP_REPS ?? 20);
const REF = env.BENCH_STARTUP_REF || '7746b5c';
const example = join(repoRoot, 'deploy.example.yml');
const TARGET_MS = 100;

const log = (msg: string) => process.stderr.write(`[bench:startup] ${msg}\n`);

function must(file: string, args: readonly string[], cwd: string): string {
  const r = spawnSync(file, args, { cwd, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (r.status !== 0) throw new Error(`${file} ${args.join(' ')} failed (exit ${r.status}):\n${r.stderr}`);
  return r.stdout;
}

/** The reference: REF's src/, scripts/, recipes/ and package.json, bundled by REF's own build script. */
function buildReference(dir: string): string {
  mkdirSync(dir, { recursive: true });
  const tar = join(dir, 'ref.tar');
  must('git', ['archive', '--format=tar', '-o', tar, REF, 'src', 'scripts', 'recipes', 'package.json'], repoRoot);
  must('tar', ['-xf', tar, '-C', dir], dir);
  symlinkSync(join(repoRoot, 'node_modules'), join(dir, 'node_modules'));
  must(process.execPath, [join(dir, 'scripts', 'build.mjs')], dir);
  chmodSync(join(dir, 'dist', 'cli', 'bin.js'), 0o755);
  return join(dir, 'dist', 'cli', 'bin.js');
}

/**
 * A private copy of this build, so that a rebuild in the checkout during the run (a test's global setup) cannot
 * change or remove what is measured.
 */
function snapshot(dir: string): string {
  cpSync(join(repoRoot, 'dist', 'cli'), join(dir, 'dist', 'cli'), { recursive: true });
  cpSync(join(repoRoot, 'package.json'), join(dir, 'package.json'));
  for (const linked of ['node_modules', 'recipes']) symlinkSync(join(repoRoot, linked), join(dir, linked));
  return join(dir, 'dist', 'cli', 'bin.js');
}

interface Sample {
  wallMs: number;
  cpuMs: number;
}

const seconds = (text: string) => {
  const m = /^(\d+)m([\d.]+)s$/.exec(text);
  if (!m) throw new Error(`not a \`times\` value: ${text}`);
  return Number(m[1]) * 60 + Number(m[2]);
};

/**
 * One run under bash, which reports its children's CPU time with `times` once the run has ended. `until`: the
 * stdout line at which the run has gone far enough; it is then killed, and the wall time taken at that line.
 */
function once(args: readonly string[], cwd: string, until?: RegExp, extraEnv: Record<string, string> = {}): Promise<Sample> {
  return new Promise((done, fail) => {
    const script = '"$@" & pid=$!; echo "pid $pid" >&2; wait $pid; times >&2';
    const t0 = performance.now();
    const child = spawn('bash', ['-c', script, 'bash', ...args], {
      cwd,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...env, CI: 'true', ...extraEnv },
    });
    let wallMs: number | undefined;
    let pid: number | undefined;
    let out = '';
    let err = '';
    child.stdout.on('data', (b: Buffer) => {
      out += b.toString();
      if (until && wallMs === undefined && until.test(out)) {
        wallMs = performance.now() - t0;
        if (pid) process.kill(pid, 'SIGKILL');
      }
    });
    child.stderr.on('data', (b: Buffer) => {
      err += b.toString();
      pid ??= Number(/^pid (\d+)$/m.exec(err)?.[1]) || undefined;
    });
    child.on('error', fail);
    child.on('close', () => {
      const end = performance.now() - t0;
      // `times`: the shell's own user and system time, then its children's.
      const lines = err.trim().split('\n').slice(-2);
      const children = lines[1]?.trim().split(/\s+/) ?? [];
      if (children.length !== 2) return fail(new Error(`no times from bash: ${err}`));
      if (until && wallMs === undefined) return fail(new Error(`${args.join(' ')}: never printed ${until}:\n${out}\n${err}`));
      done({ wallMs: wallMs ?? end, cpuMs: (seconds(children[0]!) + seconds(children[1]!)) * 1000 });
    });
  });
}

const median = (xs: readonly number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};
const quartiles = (xs: readonly number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return [s[Math.floor(s.length / 4)]!, s[Math.floor((3 * s.length) / 4)]!] as const;
};

async function main(): Promise<void> {
  const tmp = mkdtempSync(join(tmpdir(), 'deploy-bench-startup-'));
  try {
    let ours = env.BENCH_CLI ? resolve(env.BENCH_CLI) : join(repoRoot, 'dist', 'cli', 'bin.js');
    if (!env.BENCH_CLI) {
      log('bundling src/ (scripts/build.mjs)');
      must(process.execPath, [join(repoRoot, 'scripts', 'build.mjs')], repoRoot);
      ours = snapshot(join(tmp, 'ours'));
    }
    log(`building the reference from ${REF}`);
    const reference = buildReference(join(tmp, 'ref'));
    const config = closedPortProject(join(tmp, 'project'), 'bench');
    const firstCommand = /"type":"command"/;

    const rows: {
      name: string;
      args: (cli: string) => string[];
      until?: RegExp;
      floor?: boolean;
      env?: Record<string, string>;
    }[] = [
      { name: 'node -e 0', args: () => ['node', '-e', '0'], floor: true },
      ...(env.NODE_EXTRA_CA_CERTS
        ? [{ name: 'node -e 0, NODE_EXTRA_CA_CERTS unset', args: () => ['node', '-e', '0'], floor: true, env: { NODE_EXTRA_CA_CERTS: '' } }]
        : []),
      { name: 'deploy --version', args: (cli) => [cli, '--version'] },
      { name: 'deploy --help', args: (cli) => [cli, '--help'] },
      { name: 'deploy plan staging', args: (cli) => [cli, 'plan', 'staging', '-c', example] },
      {
        name: 'deploy plan staging, config not cached',
        args: (cli) => [cli, 'plan', 'staging', '-c', example],
        env: { DEPLOY_NO_CACHE: '1' },
      },
      { name: 'deploy bench, to its first SSH connection', args: (cli) => [cli, 'bench', '-c', config, '--json'], until: firstCommand },
    ];
    const builds = { ours, reference };
    const samples = new Map<string, Sample[]>();
    for (let rep = 0; rep <= REPS; rep++) {
      for (const row of rows) {
        for (const [build, cli] of Object.entries(builds)) {
          if (row.floor && build === 'reference') continue;
          const s = await once(row.args(cli), repoRoot, row.until, row.env);
          // The first round warms the page cache and is not counted.
          if (rep > 0) samples.set(`${row.name}|${build}`, [...(samples.get(`${row.name}|${build}`) ?? []), s]);
        }
      }
      if (rep % 5 === 0) log(`round ${rep}/${REPS}`);
    }

    const stat = (key: string) => {
      const s = samples.get(key) ?? [];
      return { wall: median(s.map((x) => x.wallMs)), cpu: median(s.map((x) => x.cpuMs)) };
    };
    const floor = stat('node -e 0|ours');
    // Our launcher starts node without NODE_EXTRA_CA_CERTS: our CPU beyond node is taken against that floor.
    const leanFloor = env.NODE_EXTRA_CA_CERTS ? stat('node -e 0, NODE_EXTRA_CA_CERTS unset|ours') : floor;
    const [q1, q3] = quartiles(samples.get('node -e 0|ours')!.map((x) => x.wallMs));
    const results = rows.map((row) => {
      const o = stat(`${row.name}|ours`);
      const r = row.floor ? undefined : stat(`${row.name}|reference`);
      return {
        command: row.name,
        ours_wall_ms: Math.round(o.wall),
        ours_cpu_ms: Math.round(o.cpu),
        ...(r
          ? {
              ref_wall_ms: Math.round(r.wall),
              ref_cpu_ms: Math.round(r.cpu),
              wall_ratio: +(o.wall / r.wall).toFixed(2),
              cpu_ratio: +(o.cpu / r.cpu).toFixed(2),
            }
          : {}),
        ours_beyond_node_cpu_ms: Math.round(o.cpu - (row.floor ? floor : leanFloor).cpu),
      };
    });

    const pad = (s: string | number, n: number) => String(s).padStart(n);
    console.log(`\nStart-up, medians of ${REPS} interleaved runs: ours (this build) against ${REF}, ms`);
    console.log(
      `${'command'.padEnd(44)}${pad('wall', 7)}${pad('cpu', 7)}${pad('ref wall', 10)}${pad('ref cpu', 9)}${pad('wall ×', 8)}${pad('cpu ×', 7)}${pad('cpu-node', 10)}`,
    );
    for (const r of results) {
      console.log(
        `${r.command.padEnd(44)}${pad(r.ours_wall_ms, 7)}${pad(r.ours_cpu_ms, 7)}${pad(r.ref_wall_ms ?? '', 10)}${pad(r.ref_cpu_ms ?? '', 9)}${pad(r.wall_ratio ?? '', 8)}${pad(r.cpu_ratio ?? '', 7)}${pad(r.ours_beyond_node_cpu_ms, 10)}`,
      );
    }
    const target = (name: string) => {
      const wall = results.find((r) => r.command === name)!.ours_wall_ms;
      return `${name} ${wall} ms (${wall <= TARGET_MS ? 'met' : 'not met'})`;
    };
    console.log(`\nTarget (issue 16): ≤ ${TARGET_MS} ms wall: ${target('deploy --help')}, ${target('deploy plan staging')}.`);
    const load = loadavg()
      .map((l) => l.toFixed(2))
      .join(' ');
    console.log(
      `\nNoise: load average ${load} on ${cpus().length} cores; node -e 0 wall time quartiles ${q1.toFixed(0)}–${q3.toFixed(0)} ms (a difference smaller than that spread means nothing).`,
    );
    writeFileSync(
      join(repoRoot, 'bench', 'startup-results.json'),
      `${JSON.stringify({ ref: REF, reps: REPS, load: loadavg(), node_wall_iqr_ms: [q1, q3], results }, null, 2)}\n`,
    );
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

await main();
