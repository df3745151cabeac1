/**
 * `npm run bench`: the minimal deploy (release dir, ~1 MB in 200 files uploaded and extracted, a shared dir,
 * 3 small commands, switch, cleanup, revision log, lock) to N = 1, 5, 20 fleet hosts, done three ways in the
 * same run: our CLI (`node dist/cli/bin.js`, timed as a whole process), the floor (bench/floor.sh: one ssh per
 * host) and one ssh per step over ControlMaster (bench/mux.sh). Every run connects cold. Medians of
 * BENCH_REPS repetitions (default 5), interleaved so that load from elsewhere hits all three alike. Prints a
 * table and an analysis of where our time goes, writes bench/results.json, and stops its fleet at the end.
 *
 * Environment: BENCH_REPS (5), BENCH_HOSTS (1,5,20), BENCH_CLI (dist/cli/bin.js), BENCH_ALT_CLI (another build, run
 * interleaved with ours as a fourth column, to measure a change under the same load),
 * FLEET_NET (127.0.4), FLEET_STATE (/var/tmp/deploy-fleet-bench), FLEET_JSON (.fleet/bench.json); FLEET_REUSE=1 uses a
 * fleet already running there (with enough web hosts) and leaves it running; BENCH_SRV=disk keeps each host's /srv on
 * the shared disk instead of a tmpfs; BENCH_INSTALL=0 leaves out the install-step table (bench/install.ts).
 */
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  chmodSync,
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { stringify } from 'yaml';
import {
  fleetDown,
  fleetIsRunning,
  fleetStatus,
  fleetUp,
  killFleetSync,
  readFleet,
  resolveOptions,
  smallSrv,
  type Fleet,
} from '../test/fleet/fleet.js';
import { benchInstall, printInstallTable } from './install.js';
import { machineCosts, sshMicro, type MachineCosts, type MicroResult } from './ssh-micro.js';

const repoRoot = resolve(import.meta.dirname, '..');
const env = process.env;
let cli = resolve(env.BENCH_CLI || join(repoRoot, 'dist', 'cli', 'bin.js'));
let altCli = env.BENCH_ALT_CLI ? resolve(env.BENCH_ALT_CLI) : undefined;
const REPS = positive(env.BENCH_REPS, 5);
const SIZES = (env.BENCH_HOSTS ?? '1,5,20').split(',').map((s) => positive(s, NaN));
const KEEP = 2;
/** MiB of tmpfs for each host's /srv; BENCH_SRV=disk keeps the on-disk dirs (see srvOnTmpfs). */
const SRV_MB = 256;
const RUN_TIMEOUT_MS = 120_000;

function positive(text: string | undefined, fallback: number): number {
  if (text === undefined || text === '') return fallback;
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1) throw new Error(`not a whole number >= 1: ${text}`);
  return n;
}

const log = (msg: string) => process.stderr.write(`[bench] ${msg}\n`);
const median = (xs: readonly number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};
const sec = (ms: number) => (ms / 1000).toFixed(3);

// ---------------------------------------------------------------- processes we start

interface Timed {
  readonly ms: number;
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
  /** Date.now() just before the spawn, to line up the CLI's own event times. */
  readonly startedAt: number;
}

let running: number | undefined;

/** Runs a program to its exit and times it (spawn to exit), in its own process group so a timeout ends all of it. */
function timed(file: string, args: readonly string[], o: { cwd?: string; env?: Record<string, string> } = {}): Promise<Timed> {
  return new Promise((done, fail) => {
    const startedAt = Date.now();
    const t0 = performance.now();
    const child = spawn(file, args, {
      cwd: o.cwd,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...env, CI: 'true', ...o.env },
    });
    running = child.pid;
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => err.push(b));
    const timer = setTimeout(() => child.pid && process.kill(-child.pid, 'SIGKILL'), RUN_TIMEOUT_MS);
    child.on('error', fail);
    child.on('close', (code, signal) => {
      const ms = performance.now() - t0;
      clearTimeout(timer);
      running = undefined;
      done({
        ms,
        code: code ?? (signal ? 128 : -1),
        stdout: Buffer.concat(out).toString(),
        stderr: Buffer.concat(err).toString(),
        startedAt,
      });
    });
  });
}

async function mustRun(
  what: string,
  file: string,
  args: readonly string[],
  o: { cwd?: string; env?: Record<string, string> } = {},
): Promise<Timed> {
  const r = await timed(file, args, o);
  if (r.code !== 0) throw new Error(`${what} failed (exit ${r.code}):\n${(r.stderr || r.stdout).trim().split('\n').slice(-25).join('\n')}`);
  return r;
}

// ---------------------------------------------------------------- setup

/** 200 files of 5 KiB (~1 MB), incompressible and the same on every run: the artifact all three deploy. */
function makeArtifact(dir: string): void {
  for (let i = 0; i < 200; i++) {
    const sub = join(dir, `d${i % 10}`);
    mkdirSync(sub, { recursive: true });
    const chunks: Buffer[] = [];
    let seed = Buffer.from(`bench-${i}`);
    for (let n = 0; n < 5120; n += 32) chunks.push((seed = createHash('sha256').update(seed).digest()));
    writeFileSync(join(sub, `f${i}.bin`), Buffer.concat(chunks).subarray(0, 5120));
  }
}

function ourConfig(fleet: Fleet, n: number, art: string, deployTo: string): string {
  return stringify({
    app: 'bench',
    deploy_to: deployTo,
    keep_releases: KEEP,
    artifact: { path: art },
    shared: { dirs: ['log'] },
    ssh: { user: 'deploy', identity_file: fleet.key, known_hosts: fleet.knownHosts, connect_timeout: 10, parallel: Math.max(n, 10) },
    // The 3 small commands, as in the scripts: two tasks after the shared step, and the restart.
    tasks: { t1: 'true', t2: 'date' },
    hooks: { after: { shared: ['t1', 't2'] } },
    restart: 'hostname',
    // Like the scripts: every host at once (web switches one host at a time by default).
    roles: { web: { batch: '100%' } },
    stages: { bench: { hosts: fleet.hosts.slice(0, n).map((h) => ({ name: h.name, address: h.address, roles: ['web'] })) } },
  });
}

function buildIfStale(): void {
  if (process.env.BENCH_CLI) return;
  const newest = (dir: string): number =>
    readdirSync(dir, { withFileTypes: true }).reduce((m, e) => {
      const p = join(dir, e.name);
      return Math.max(m, e.isDirectory() ? newest(p) : statSync(p).mtimeMs);
    }, 0);
  if (existsSync(cli) && statSync(cli).mtimeMs >= newest(join(repoRoot, 'src'))) return;
  log('dist/ is older than src/: npm run build');
  const r = spawnSync('npm', ['run', 'build'], { cwd: repoRoot, stdio: ['ignore', 'inherit', 'inherit'] });
  if (r.status !== 0) throw new Error('npm run build failed');
}

/**
 * A private copy of the build under test (<root>/dist, package.json, node_modules linked), so that a rebuild in
 * the checkout during the run, e.g. by someone else's `npm test`, cannot change what is measured.
 */
function snapshot(bin: string, to: string): string {
  const dist = dirname(dirname(bin));
  const root = dirname(dist);
  if (basename(dist) !== 'dist' || !existsSync(join(root, 'package.json')) || !existsSync(join(root, 'node_modules'))) return bin;
  mkdirSync(to, { recursive: true });
  cpSync(dist, join(to, 'dist'), { recursive: true });
  cpSync(join(root, 'package.json'), join(to, 'package.json'));
  symlinkSync(join(root, 'node_modules'), join(to, 'node_modules'));
  return join(to, 'dist', 'cli', basename(bin));
}

// ---------------------------------------------------------------- analysis of one --json run

interface Work<T> {
  result: T;
  /** Processes started on this machine during the run (client, sshd sessions, every host's commands), or null. */
  processes: number | null;
  /** CPU seconds this machine spent during the run (all cores), or null. */
  cpuS: number | null;
}

interface Analysis {
  n: number;
  b: Breakdown;
  cost: Work<Timed>;
  altCost: Work<Timed> | undefined;
  floorCost: Work<Timed>;
}

/** /proc/stat's process count and CPU ticks (user + nice + system) now; null where there is no /proc/stat. */
function procStat(): { processes: number; ticks: number } | null {
  try {
    const text = readFileSync('/proc/stat', 'utf8');
    const cpu = text.match(/^cpu +(\d+) (\d+) (\d+)/m);
    const forks = text.match(/^processes (\d+)/m);
    if (!cpu || !forks) return null;
    return { processes: Number(forks[1]), ticks: Number(cpu[1]) + Number(cpu[2]) + Number(cpu[3]) };
  } catch {
    return null;
  }
}

/** What one run cost the whole machine: a count that does not depend on timing, and CPU (USER_HZ is 100 on Linux). */
async function machineWork<T>(run: () => Promise<T>): Promise<Work<T>> {
  const before = procStat();
  const result = await run();
  const after = procStat();
  if (!before || !after) return { result, processes: null, cpuS: null };
  return { result, processes: after.processes - before.processes, cpuS: (after.ticks - before.ticks) / 100 };
}

interface Ev {
  time: string;
  type: string;
  step?: string;
  host?: string;
  command?: string;
  message?: string;
  transferred?: number;
  total?: number;
}

interface Breakdown {
  startupMs: number;
  steps: { step: string; ms: number }[];
  packMs: number;
  uploadMs: number;
  commandsPerHost: number;
  runMs: number;
  exitMs: number;
  totalMs: number;
}

function breakdown(r: Timed): Breakdown {
  const events = r.stdout
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Ev);
  const at = (e: Ev | undefined) => (e ? Date.parse(e.time) : NaN);
  const first = (pred: (e: Ev) => boolean) => events.find(pred);
  const start = at(first((e) => e.type === 'run:start'));
  const end = at(first((e) => e.type === 'run:end'));
  const steps: { step: string; ms: number }[] = [];
  const open = new Map<string, number>();
  for (const e of events) {
    if (e.type === 'step:start') open.set(e.step!, at(e));
    if (e.type === 'step:end') {
      const prev = steps.at(-1);
      const ms = at(e) - (open.get(e.step!) ?? at(e));
      if (prev && prev.step === e.step) prev.ms += ms;
      else steps.push({ step: e.step!, ms });
    }
  }
  const artifact = first((e) => e.type === 'info' && /^artifact /.test(e.message ?? ''));
  const transferStart = first((e) => e.type === 'step:start' && e.step === 'transfer');
  const lastReleaseEnd = [...events].reverse().find((e) => e.type === 'step:end' && e.step === 'release' && at(e) <= at(artifact));
  const uploadStarts = new Map<string, number>();
  let uploadMs = 0;
  for (const e of events) {
    if (e.type === 'command' && e.command?.startsWith('upload ')) uploadStarts.set(e.host!, at(e));
    if (e.type === 'upload' && e.transferred === e.total && uploadStarts.has(e.host!))
      uploadMs = Math.max(uploadMs, at(e) - uploadStarts.get(e.host!)!);
  }
  const firstHost = first((e) => e.type === 'command')?.host;
  return {
    startupMs: start - r.startedAt,
    steps,
    packMs: at(transferStart) - at(lastReleaseEnd),
    uploadMs,
    commandsPerHost: events.filter((e) => e.type === 'command' && e.host === firstHost).length,
    runMs: end - start,
    exitMs: r.startedAt + r.ms - end,
    totalMs: r.ms,
  };
}

// ---------------------------------------------------------------- main

interface Row {
  hosts: number;
  ours_s: number;
  floor_s: number;
  mux_s: number;
  ratio: number;
}

async function main(): Promise<void> {
  buildIfStale();
  const o = resolveOptions({
    webs: Math.max(...SIZES),
    balancer: false,
    postgres: false,
    media: false,
    net: env.FLEET_NET || '127.0.4',
    stateDir: env.FLEET_STATE || '/var/tmp/deploy-fleet-bench',
    jsonPath: env.FLEET_JSON || join(repoRoot, '.fleet', 'bench.json'),
  });
  const reuse = env.FLEET_REUSE === '1' && fleetIsRunning(o.stateDir) && existsSync(o.jsonPath);
  const onSignal = (sig: NodeJS.Signals) => {
    if (running) process.kill(-running, 'SIGKILL');
    if (!reuse) killFleetSync(o.stateDir);
    process.exit(sig === 'SIGINT' ? 130 : 143);
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);

  mkdirSync('/var/tmp/deploy-bench', { recursive: true });
  const work = mkdtempSync('/var/tmp/deploy-bench/run-');
  chmodSync(work, 0o755);
  const art = join(work, 'art');
  makeArtifact(art);
  cli = snapshot(cli, join(work, 'ours'));
  if (altCli) altCli = snapshot(altCli, join(work, 'alt'));

  const t0 = Date.now();
  let fleet: Fleet | undefined;
  try {
    if (reuse) {
      fleet = readFleet(o.jsonPath);
      if (fleet.hosts.filter((h) => h.roles.includes('web')).length < o.webs)
        throw new Error(`the running fleet in ${o.stateDir} has fewer than ${o.webs} web hosts`);
      log(`reusing the fleet running from ${o.stateDir} (FLEET_REUSE=1)`);
    } else {
      log(`starting ${o.webs} hosts on ${o.net}.x (state ${o.stateDir})`);
      fleet = await fleetUp(o);
    }
    if (env.BENCH_SRV !== 'disk') await srvOnTmpfs(fleet, o.stateDir, o.webs);
    log(
      `fleet up in ${((Date.now() - t0) / 1000).toFixed(1)} s (/srv on ${env.BENCH_SRV === 'disk' ? 'disk' : 'tmpfs'}); ${REPS} repetitions of N = ${SIZES.join(', ')}; load average ${loadavg()[0]!.toFixed(2)} on ${cpus().length} cores`,
    );
    const rows: Row[] = [];
    const altMedians: number[] = [];
    const analyses: Analysis[] = [];
    // Our release ids have one-second resolution: never start two deploys into one deploy_to in the same second.
    const lastStart = new Map<string, number>();
    const ours = async (label: string, bin: string, n: number, dir: string, extra: string[] = []) => {
      const last = lastStart.get(bin) ?? 0;
      if (Math.floor(Date.now() / 1000) === Math.floor(last / 1000)) await new Promise((r) => setTimeout(r, 1005 - (Date.now() % 1000)));
      lastStart.set(bin, Date.now());
      // Run as `deploy` runs for a user: bin.js as an executable (our sh launcher included).
      return mustRun(`${label} N=${n}`, bin, ['bench', '-c', join(dir, label === 'ours' ? 'deploy.yml' : 'alt.yml'), ...extra], {
        cwd: dir,
      });
    };
    for (const n of SIZES) {
      const hosts = fleet.hosts.slice(0, n).map((h) => h.name);
      const dir = join(work, `n${n}`);
      mkdirSync(dir);
      writeFileSync(join(dir, 'deploy.yml'), ourConfig(fleet, n, art, '/srv/bench-ours'));
      if (altCli) writeFileSync(join(dir, 'alt.yml'), ourConfig(fleet, n, art, '/srv/bench-alt'));
      const alt = altCli;
      const script = (name: string, deployTo: string) => [
        join(repoRoot, 'bench', name),
        fleet!.sshConfig,
        deployTo,
        String(KEEP),
        art,
        ...hosts,
      ];
      const methods: Record<string, () => Promise<Timed>> = {
        ours: () => ours('ours', cli, n, dir),
        floor: () => mustRun(`floor N=${n}`, 'bash', script('floor.sh', '/srv/bench-floor')),
        mux: () => mustRun(`mux N=${n}`, 'bash', script('mux.sh', '/srv/bench-mux')),
        ...(alt ? { alt: () => ours('alt', alt, n, dir) } : {}),
      };
      const times: Record<string, number[]> = Object.fromEntries(Object.keys(methods).map((k) => [k, []]));
      // One untimed round first: the timed runs are then steady-state deploys (a current release, one to clean up).
      for (let i = -1; i < REPS; i++) {
        for (const [name, run] of Object.entries(methods)) {
          const r = await run();
          if (i >= 0) times[name]!.push(r.ms);
        }
      }
      const med = (k: string) => Number(sec(median(times[k]!)));
      const row: Row = { hosts: n, ours_s: med('ours'), floor_s: med('floor'), mux_s: med('mux'), ratio: 0 };
      row.ratio = Number((row.ours_s / row.floor_s).toFixed(2));
      rows.push(row);
      if (altCli) altMedians.push(med('alt'));
      const spread = (xs: number[]) => `${sec(Math.min(...xs))}–${sec(Math.max(...xs))}`;
      log(
        `N=${n}: ${Object.keys(methods)
          .map((k) => `${k} ${sec(median(times[k]!))} s (${spread(times[k]!)})`)
          .join(', ')}`,
      );
      const cost = await machineWork(() => ours('ours', cli, n, dir, ['--json']));
      const altCost = alt ? await machineWork(() => ours('alt', alt, n, dir)) : undefined;
      const floorCost = await machineWork(methods.floor!);
      analyses.push({ n, b: breakdown(cost.result), cost, altCost, floorCost });
    }

    // Where our time goes, measured from the outside.
    // As our launcher starts node: without reading NODE_EXTRA_CA_CERTS (scripts/build.mjs).
    const nodeBare = median(await repeat(() => mustRun('node -e 0', process.execPath, ['-e', '0'], { env: { NODE_EXTRA_CA_CERTS: '' } })));
    const version = median(await repeat(() => mustRun('deploy --version', cli, ['--version'])));
    const configOnly = median(
      await repeat(() => mustRun('deploy config', cli, ['config', 'bench', '-c', join(work, `n${SIZES[0]}`, 'deploy.yml')])),
    );
    const packOnly = median(await repeat(() => mustRun('tar -czf', 'tar', ['-czf', join(work, 'pack.tgz'), '-C', art, '.'])));
    const micro: MicroResult[] = [];
    for (const n of SIZES) micro.push(await sshMicro(fleet, n));
    const costs = await machineCosts(fleet);

    writeFileSync(join(repoRoot, 'bench', 'results.json'), `${JSON.stringify(rows, null, 2)}\n`);
    printTable(rows, altMedians);
    printAnalysis({ analyses, nodeBare, version, configOnly, packOnly, micro, costs });
    if (env.BENCH_INSTALL !== '0') printInstallTable(await benchInstall());
    log(`done in ${((Date.now() - t0) / 1000).toFixed(0)} s; load average now ${loadavg()[0]!.toFixed(2)}`);
  } finally {
    if (!reuse) {
      log('stopping the fleet');
      await fleetDown(o.stateDir);
    }
    rmSync(work, { recursive: true, force: true });
  }
}

/**
 * Every host gets its own tmpfs /srv. On disk, the hosts share one ext4 file system, and 20 parallel extracts into
 * it took 0.2 s or 2 s depending only on which directory they went to (block allocation, journal): noise larger
 * than the differences measured, and not what 20 real hosts with a disk each do. All three deploys write the same.
 */
async function srvOnTmpfs(fleet: Fleet, stateDir: string, webs: number): Promise<void> {
  const onDisk = new Set((fleetStatus(stateDir) ?? []).filter((h) => h.srvMb === null).map((h) => h.name));
  for (const h of fleet.hosts.slice(0, webs)) if (onDisk.has(h.name)) await smallSrv(fleet, h.name, SRV_MB);
}

async function repeat(fn: () => Promise<Timed>): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < REPS; i++) out.push((await fn()).ms);
  return out;
}

function printTable(rows: readonly Row[], alt: readonly number[]): void {
  // Issue 16's targets against the one-ssh floor.
  const target = (n: number) => ({ 1: 1.15, 5: 1.0, 20: 0.7 })[n];
  const altHead = alt.length ? '   alt (s)  alt/floor' : '';
  const lines = [
    '',
    `   N    ours (s)  floor (s)  mux (s)   ours/floor  target        ${altHead}`,
    ...rows.map((r, i) => {
      const t = target(r.hosts);
      const verdict = (t === undefined ? '' : `≤ ${t.toFixed(2)} ${r.ratio <= t ? 'met' : 'MISSED'}`).padEnd(13);
      const a = alt[i] === undefined ? '' : `  ${alt[i]!.toFixed(3).padStart(8)}  ${(alt[i]! / r.floor_s).toFixed(2).padStart(9)}`;
      return `${String(r.hosts).padStart(4)}  ${r.ours_s.toFixed(3).padStart(9)}  ${r.floor_s.toFixed(3).padStart(9)}  ${r.mux_s.toFixed(3).padStart(7)}  ${r.ratio.toFixed(2).padStart(11)}  ${verdict}${a}`;
    }),
    `(medians of ${REPS} runs each, interleaved; every run connects cold${alt.length ? `; alt = ${env.BENCH_ALT_CLI}` : ''})`,
    '',
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
}

function printAnalysis(a: {
  analyses: Analysis[];
  nodeBare: number;
  version: number;
  configOnly: number;
  packOnly: number;
  micro: MicroResult[];
  costs: MachineCosts;
}): void {
  const ms = (x: number) => `${Math.round(x)} ms`;
  const out: string[] = ['Where our time goes (one --json run per N; event times have 1 ms resolution):'];
  out.push(
    `  node alone (started as our launcher starts it) ${ms(a.nodeBare)}; \`deploy --version\` ${ms(a.version)} (so ~${ms(a.version - a.nodeBare)} importing the CLI's modules); ` +
      `\`deploy config\` ${ms(a.configOnly)} (+ config load and render); local \`tar -czf\` of the artifact ${ms(a.packOnly)}`,
  );
  for (const { n, b, cost, altCost, floorCost } of a.analyses) {
    const top = [...b.steps].sort((x, y) => y.ms - x.ms);
    const pct = (x: number) => `${Math.round((100 * x) / b.totalMs)}%`;
    out.push(
      `  N=${n}: total ${ms(b.totalMs)} = process start to run:start ${ms(b.startupMs)} (${pct(b.startupMs)}: node, imports, config) + run ${ms(b.runMs)} (${pct(b.runMs)}) + close/exit ${ms(b.exitMs)}; ` +
        `${b.commandsPerHost} remote commands per host; those that need no answer in between share a round trip (README, How a command runs on a host)`,
    );
    const between = b.runMs - b.steps.reduce((t, s) => t + s.ms, 0);
    out.push(`        steps: ${top.map((s) => `${s.step} ${ms(s.ms)}`).join(', ')}; outside steps (lock, unlock, packing) ${ms(between)}`);
    out.push(
      `        of transfer: local pack + sha256 ${ms(b.packMs)} (before any upload starts), upload ${ms(b.uploadMs)} (slowest host)`,
    );
    if (cost.processes !== null) {
      const work = (w: Work<Timed>) => `${w.processes} processes, ${w.cpuS!.toFixed(2)} s CPU`;
      const other = `${altCost?.processes != null ? `; alt ${work(altCost)}` : ''}; the floor ${work(floorCost)}`;
      out.push(
        `        machine-wide during the run (client and every host): ${cost.processes} processes started, ${cost.cpuS!.toFixed(2)} s CPU${other}`,
      );
    }
  }
  out.push('  The SSH backend alone (bench/ssh-micro.ts: src/backends/ssh.ts, no CLI):');
  for (const m of a.micro) {
    out.push(
      `  N=${m.hosts}: connect + first command ${ms(m.connectMs)}, then a command ${ms(m.execMs)} (median, per host, hosts in parallel), ` +
        `1 MB upload ${ms(m.uploadMs)}, close ${ms(m.closeMs)}`,
    );
  }
  const c = a.costs;
  out.push(
    `  Machine-wide CPU (client + sshd + shells, one host, one at a time; bench/ssh-micro.ts machineCosts): a connection ${c.connectionMs.toFixed(1)} ms ` +
      `(client ${c.clientConnectionMs.toFixed(1)} ms), a command on it ${c.commandMs.toFixed(1)} ms (client ${c.clientCommandMs.toFixed(1)} ms; the connection's runner runs it), ` +
      `a program started by a command ${c.programMs.toFixed(1)} ms; a command in an SSH session of its own (beside a busy runner) ${c.sessionCommandMs.toFixed(1)} ms`,
  );
  process.stdout.write(`${out.join('\n')}\n`);
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    log(err instanceof Error ? (err.stack ?? err.message) : String(err));
    process.exit(1);
  },
);
