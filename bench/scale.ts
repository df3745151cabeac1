/**
 * `npm run bench:scale`: start-up, clean-up off the critical path and large fleets (issue 16, items 2, 3, 5), in one
 * run on its own fleet (web hosts + bastion1; no balancer, db or media), printed as tables and written to
 * bench/scale-results.json.
 *
 * - start-up: `deploy --help` and `deploy plan -c deploy.example.yml staging` against `node -e 0` (fastest of
 *   BENCH_STARTUP_REPS), and the start-up's share of a 1-host deploy.
 * - clean-up: a 1-host deploy whose clean-up removes a 20,000-file release against one that removes an empty one,
 *   interleaved, medians of BENCH_REPS; each run waits (bounded) for the previous background removal to end.
 * - scale: one deploy per host count (BENCH_SCALE_HOSTS, default 1,20,100,200), direct and through bastion1
 *   (ssh.jump), with the default ssh.parallel: wall time, peak client RSS (/usr/bin/time), connection retries.
 *
 * Environment: BENCH_REPS (5), BENCH_STARTUP_REPS (15), BENCH_SCALE_HOSTS, FLEET_NET (127.0.35), FLEET_STATE
 * (/var/tmp/deploy-fleet-scale), FLEET_JSON (.fleet/scale.json); FLEET_REUSE=1 uses a running fleet and leaves it.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import { stringify } from 'yaml';
import { fleetDown, fleetIsRunning, fleetUp, readFleet, resolveOptions, sshRun, type Fleet } from '../test/fleet/fleet.js';

const repoRoot = resolve(import.meta.dirname, '..');
const env = process.env;
const cli = join(repoRoot, 'dist', 'cli', 'bin.js');
const REPS = Number(env.BENCH_REPS ?? 5);
const STARTUP_REPS = Number(env.BENCH_STARTUP_REPS ?? 15);
const SIZES = (env.BENCH_SCALE_HOSTS ?? '1,20,100,200').split(',').map(Number);
const log = (m: string) => process.stderr.write(`[bench:scale] ${m}\n`);
const median = (xs: readonly number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

interface Run {
  ms: number;
  code: number;
  stdout: string;
  stderr: string;
  rssMb: number;
}

/** Runs the program under /usr/bin/time for its peak RSS; wall time from spawn to exit. */
function run(args: readonly string[], o: { cwd?: string } = {}): Promise<Run> {
  const rssFile = join(tmp, `rss-${process.hrtime.bigint()}`);
  return new Promise((done, fail) => {
    const t0 = performance.now();
    const child = spawn('/usr/bin/time', ['-f', '%M', '-o', rssFile, ...args], {
      cwd: o.cwd,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...env, CI: 'true' },
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => err.push(b));
    child.on('error', fail);
    child.on('close', (code) => {
      const ms = performance.now() - t0;
      const kb = Number(/(\d+)\s*$/.exec(readFileSync(rssFile, 'utf8'))?.[1] ?? NaN);
      done({ ms, code: code ?? -1, stdout: Buffer.concat(out).toString(), stderr: Buffer.concat(err).toString(), rssMb: kb / 1024 });
    });
  });
}

async function must(args: readonly string[], o: { cwd?: string } = {}): Promise<Run> {
  const r = await run(args, o);
  if (r.code !== 0) throw new Error(`${args.join(' ')}: exit ${r.code}\n${(r.stderr || r.stdout).split('\n').slice(-20).join('\n')}`);
  return r;
}

const tmp = mkdtempSync('/var/tmp/deploy-bench-scale-');
const artifact = join(tmp, 'artifact');

function config(f: Fleet, n: number, deployTo: string, o: { jump?: boolean; keep?: number } = {}): string {
  const bastion = f.hosts.find((h) => h.name === 'bastion1')!;
  const webs = f.hosts.filter((h) => h.roles.includes('web')).slice(0, n);
  const file = join(tmp, `deploy-${n}-${o.jump ? 'jump' : 'direct'}-${deployTo.split('/').pop()}.yml`);
  writeFileSync(
    file,
    stringify({
      app: 'bench',
      deploy_to: deployTo,
      keep_releases: o.keep ?? 2,
      artifact: { path: artifact },
      shared: { dirs: ['log'] },
      ssh: {
        user: 'deploy',
        identity_file: f.key,
        known_hosts: f.knownHosts,
        connect_timeout: 20,
        ...(o.jump ? { jump: `deploy@${bastion.address}` } : {}),
      },
      tasks: { t1: 'true', t2: 'date' },
      hooks: { after: { shared: ['t1', 't2'] } },
      restart: 'hostname',
      roles: { web: { batch: '100%' } },
      stages: { bench: { hosts: webs.map((h) => ({ name: h.name, address: h.address, roles: ['web'] })) } },
    }),
  );
  return file;
}

function makeArtifact(): void {
  for (let i = 0; i < 200; i++) {
    const dir = join(artifact, `d${i % 10}`);
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, `f${i}.txt`), `${i}\n`.repeat(500));
  }
}

async function startup(): Promise<Record<string, number>> {
  const fastest = async (args: string[]) => {
    const ms: number[] = [];
    for (let i = 0; i < STARTUP_REPS; i++) ms.push((await must(args, { cwd: repoRoot })).ms);
    return Math.min(...ms);
  };
  const node = await fastest(['node', '-e', '0']);
  const help = await fastest(['node', cli, '--help']);
  const plan = await fastest(['node', cli, 'plan', '-c', 'deploy.example.yml', 'staging']);
  return { node_ms: node, help_ms: help, plan_ms: plan };
}

async function cleanup(f: Fleet): Promise<{ empty_s: number; full_s: number; ratio: number }> {
  const deployTo = '/srv/bench-cleanup';
  const file = config(f, 1, deployTo, { keep: 1 });
  const host = f.hosts.find((h) => h.roles.includes('web'))!.name;
  const sh = async (c: string) => {
    const r = await sshRun(f, host, c, { timeoutMs: 120_000 });
    if (r.code !== 0) throw new Error(`${host}: ${c}: ${r.stderr}`);
    return r.stdout.trim();
  };
  const trashEmpty = async () => {
    const deadline = Date.now() + 120_000;
    while ((await sh(`ls -A ${deployTo}/.trash 2>/dev/null || true`)) !== '') {
      if (Date.now() > deadline) throw new Error('the background removal did not end within 120 s');
      await new Promise((r) => setTimeout(r, 100));
    }
  };
  for (let i = 0; i < 2; i++) await must(['node', cli, 'bench', '-c', file]);
  const empty: number[] = [];
  const full: number[] = [];
  for (let i = 0; i < REPS; i++) {
    for (const big of [false, true]) {
      await trashEmpty();
      if (big)
        await sh(`d=${deployTo}/releases/$(ls ${deployTo}/releases | head -n 1)/big; mkdir -p "$d" && cd "$d" && seq 20000 | xargs touch`);
      const r = await must(['node', cli, 'bench', '-c', file]);
      (big ? full : empty).push(r.ms / 1000);
    }
  }
  await trashEmpty();
  const e = median(empty);
  const b = median(full);
  return { empty_s: e, full_s: b, ratio: b / e };
}

interface ScaleRow {
  hosts: number;
  via: 'direct' | 'bastion';
  s: number;
  rss_mb: number;
  retries: number;
  code: number;
}

async function scale(f: Fleet): Promise<ScaleRow[]> {
  const rows: ScaleRow[] = [];
  for (const n of SIZES) {
    for (const via of ['direct', 'bastion'] as const) {
      const file = config(f, n, `/srv/bench-scale-${via}`, { jump: via === 'bastion' });
      const r = await run(['node', cli, 'bench', '-c', file]);
      const retries = (r.stdout.match(/before the SSH banner/g) ?? []).length;
      rows.push({ hosts: n, via, s: r.ms / 1000, rss_mb: r.rssMb, retries, code: r.code });
      log(`${n} hosts ${via}: ${(r.ms / 1000).toFixed(2)} s, ${r.rssMb.toFixed(0)} MB, ${retries} retries, exit ${r.code}`);
      if (r.code !== 0) log(r.stderr.split('\n').slice(-10).join('\n'));
    }
  }
  return rows;
}

async function main(): Promise<void> {
  const o = resolveOptions({
    net: env.FLEET_NET || '127.0.35',
    stateDir: env.FLEET_STATE || '/var/tmp/deploy-fleet-scale',
    jsonPath: env.FLEET_JSON || join(repoRoot, '.fleet', 'scale.json'),
    webs: Math.max(...SIZES),
    bastion: true,
    balancer: false,
    postgres: false,
    media: false,
  });
  const reuse = env.FLEET_REUSE === '1' && fleetIsRunning(o.stateDir);
  makeArtifact();
  log(
    `load ${loadavg()
      .map((l) => l.toFixed(1))
      .join(' ')}; ${reuse ? 'reusing the fleet' : `starting ${o.webs} web hosts + bastion1`}`,
  );
  const t0 = Date.now();
  const f = reuse ? readFleet(o.jsonPath) : await fleetUp(o);
  log(`fleet ready in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  try {
    const s = await startup();
    const one = await must(['node', cli, 'bench', '-c', config(f, 1, '/srv/bench-one')]);
    const c = await cleanup(f);
    const rows = await scale(f);
    const share = (s.help_ms - s.node_ms) / one.ms;
    const out = { load: loadavg(), startup: { ...s, deploy_1_host_ms: one.ms, startup_share: share }, cleanup: c, scale: rows };
    writeFileSync(join(repoRoot, 'bench', 'scale-results.json'), `${JSON.stringify(out, null, 2)}\n`);
    const ms = (x: number) => `${x.toFixed(0)} ms`;
    console.log(
      `\nstart-up (fastest of ${STARTUP_REPS}): node -e 0 ${ms(s.node_ms)}, deploy --help ${ms(s.help_ms)} (+${ms(s.help_ms - s.node_ms)}), deploy plan ${ms(s.plan_ms)} (+${ms(s.plan_ms - s.node_ms)}); a 1-host deploy ${ms(one.ms)}, start-up beyond node ${(share * 100).toFixed(0)} % of it`,
    );
    console.log(
      `clean-up (medians of ${REPS}): removing an empty release ${c.empty_s.toFixed(3)} s, a 20,000-file release ${c.full_s.toFixed(3)} s: ratio ${c.ratio.toFixed(3)} (target ≤ 1.10)`,
    );
    console.log('\n| hosts | via | time (s) | peak RSS (MB) | retries | exit |\n| ---: | --- | ---: | ---: | ---: | ---: |');
    for (const r of rows) console.log(`| ${r.hosts} | ${r.via} | ${r.s.toFixed(2)} | ${r.rss_mb.toFixed(0)} | ${r.retries} | ${r.code} |`);
  } finally {
    if (!reuse) await fleetDown(o.stateDir);
  }
}

main().catch((e: unknown) => {
  log(e instanceof Error ? (e.stack ?? e.message) : String(e));
  process.exitCode = 1;
});
