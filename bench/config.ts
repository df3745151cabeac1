/**
 * `npm run bench:config`: reading a large deploy.yml (issue 11, item 11: any config under 1 s). A deploy.yml with an
 * `env` of N keys (N = 7,500, 60,000 and 240,000), read in this process by the two paths from text to values with
 * positions, interleaved so that load from elsewhere hits both alike:
 *
 * - library: the yaml library (lexer, parser, composer) and the conversion of its document (src/config/yaml-library.ts),
 *   then toPlain — the path every file took before the block reader, and still takes for what that does not read;
 * - block: the block reader (src/config/yaml-block.ts), then toPlain.
 *
 * Then, for the block path, the other phases of `deploy config`: validation and building the Config (loadConfig
 * minus reading), masking (printableConfig), printing as YAML (src/output/config-yaml.ts, as `deploy config` does,
 * and the yaml library's stringify it replaces) and as JSON (`--json`), and the garbage collector's share of all that. Finally `deploy config` and
 * `deploy plan` as whole processes (the built CLI, dist/cli/bin.js: run `npm run build` first) on the 60,000-key file.
 * Times are CPU milliseconds (user + system), medians of BENCH_CONFIG_REPS runs (default 5; 3 at 240,000 keys).
 * Writes bench/config-results.json.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { PerformanceObserver } from 'node:perf_hooks';
import { stringify } from 'yaml';
import { loadConfig, printableConfig } from '../src/config/load.js';
import { readBlockYaml } from '../src/config/yaml-block.js';
import { parseYaml } from '../src/config/yaml-library.js';
import { toPlain } from '../src/config/yaml-plain.js';
import { configYaml } from '../src/output/config-yaml.js';
import { LineIndex, type ParsedYaml } from '../src/config/yaml.js';

const repoRoot = resolve(import.meta.dirname, '..');
const REPS = Number(process.env.BENCH_CONFIG_REPS ?? 5);
const SIZES = [7_500, 60_000, 240_000];
const log = (msg: string) => process.stderr.write(`[bench:config] ${msg}\n`);

const deployYml = (n: number) =>
  `app: big\ndeploy_to: /srv/big\nrepository: https://example.com/big.git\nenv:\n${Array.from({ length: n }, (_, i) => `  KEY_${i}: value-${i}\n`).join('')}stages:\n  staging:\n    hosts:\n      - { name: web1, address: 10.0.0.1, roles: [web] }\n`;

/** CPU milliseconds of `run`, and of garbage collection while it ran (the gc entries arrive after it). */
async function measure(run: () => unknown): Promise<{ cpu: number; gc: number }> {
  let gc = 0;
  const observer = new PerformanceObserver((list) => {
    for (const e of list.getEntries()) gc += e.duration;
  });
  observer.observe({ entryTypes: ['gc'] });
  const before = process.cpuUsage();
  run();
  const used = process.cpuUsage(before);
  await new Promise((done) => setTimeout(done, 20));
  for (const e of observer.takeRecords()) gc += e.duration;
  observer.disconnect();
  return { cpu: (used.user + used.system) / 1000, gc };
}

const median = (xs: readonly number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

const values = (parsed: ParsedYaml) => toPlain(parsed, (n) => n.value).value;

function libraryPath(text: string): unknown {
  const { root, syntaxErrors } = parseYaml(text);
  if (syntaxErrors.length > 0) throw new Error(syntaxErrors[0]!.message);
  return values({ root, lines: new LineIndex(text), syntaxErrors, reader: 'library' });
}

function blockPath(text: string): unknown {
  const block = readBlockYaml(text);
  if (!block) throw new Error('the block reader gave up on the bench file');
  return values({ root: block.root, lines: new LineIndex(text), syntaxErrors: [], reader: 'block' });
}

/** CPU milliseconds of a whole process (bash's `times` for its children), with its output thrown away. */
function processCpu(args: readonly string[]): Promise<number> {
  return new Promise((done, fail) => {
    const child = spawn('bash', ['-c', 'node "$@" >/dev/null || exit $?; times >&2', 'bash', ...args], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let err = '';
    child.stderr.on('data', (b: Buffer) => (err += b.toString()));
    child.on('error', fail);
    child.on('close', (code) => {
      const times = err.trim().split('\n').at(-1)?.trim().split(/\s+/) ?? [];
      const seconds = times.map((t) => /^(\d+)m([\d.]+)s$/.exec(t)).map((m) => (m ? Number(m[1]) * 60 + Number(m[2]) : Number.NaN));
      if (code !== 0 || seconds.length !== 2 || seconds.some(Number.isNaN))
        return fail(new Error(`node ${args.join(' ')}: exit ${code}\n${err}`));
      done((seconds[0]! + seconds[1]!) * 1000);
    });
  });
}

async function main(): Promise<void> {
  const tmp = mkdtempSync(join(tmpdir(), 'deploy-bench-config-'));
  try {
    const rows: Record<string, number | string>[] = [];
    for (const n of SIZES) {
      const text = deployYml(n);
      const file = join(tmp, `deploy-${n}.yml`);
      writeFileSync(file, text);
      const reps = n > 100_000 ? Math.min(REPS, 3) : REPS;
      const lib: number[] = [];
      const block: number[] = [];
      const load: number[] = [];
      const print: number[] = [];
      const yaml: number[] = [];
      const library: number[] = [];
      const json: number[] = [];
      const gc: number[] = [];
      const blockGc: number[] = [];
      const libraryGc: number[] = [];
      // One untimed round first: the code is compiled and warm in both paths alike.
      for (let rep = 0; rep <= reps; rep++) {
        const l = await measure(() => libraryPath(text));
        const b = await measure(() => blockPath(text));
        let config!: ReturnType<typeof loadConfig>;
        const c = await measure(() => (config = loadConfig({ file, stage: 'staging', cwd: tmp, env: {} })));
        let printable!: Record<string, unknown>;
        const p = await measure(() => (printable = printableConfig(config)));
        const y = await measure(() => configYaml(printable));
        const s = await measure(() => stringify(printable));
        const j = await measure(() => JSON.stringify(printable, null, 2));
        if (rep === 0) continue;
        lib.push(l.cpu);
        block.push(b.cpu);
        load.push(c.cpu);
        print.push(p.cpu);
        yaml.push(y.cpu);
        library.push(s.cpu);
        json.push(j.cpu);
        gc.push(c.gc + p.gc + y.gc);
        blockGc.push(b.gc);
        libraryGc.push(l.gc);
      }
      const row = {
        keys: n,
        library_ms: Math.round(median(lib)),
        block_ms: Math.round(median(block)),
        ratio: +(median(block) / median(lib)).toFixed(3),
        library_gc_ms: Math.round(median(libraryGc)),
        block_gc_ms: Math.round(median(blockGc)),
        load_config_ms: Math.round(median(load)),
        validate_build_ms: Math.round(median(load) - median(block)),
        printable_ms: Math.round(median(print)),
        print_yaml_ms: Math.round(median(yaml)),
        stringify_ms: Math.round(median(library)),
        print_json_ms: Math.round(median(json)),
        gc_ms: Math.round(median(gc)),
      };
      rows.push(row);
      log(`${n} keys done`);
    }

    const cli = join(repoRoot, 'dist', 'cli', 'bin.js');
    const processes: Record<string, number | string>[] = [];
    if (existsSync(cli)) {
      const file = join(tmp, 'deploy-60000.yml');
      const commands: [string, string[]][] = [
        ['deploy config (YAML)', [cli, 'config', 'staging', '-c', file]],
        ['deploy config --json', [cli, 'config', 'staging', '--json', '-c', file]],
        ['deploy plan', [cli, 'plan', 'staging', '-c', file]],
        ['node -e 0', ['-e', '0']],
      ];
      const samples = new Map<string, number[]>();
      for (let rep = 0; rep <= REPS; rep++) {
        for (const [name, args] of commands) {
          const ms = await processCpu(args);
          if (rep > 0) samples.set(name, [...(samples.get(name) ?? []), ms]);
        }
      }
      for (const [name] of commands) processes.push({ command: name, cpu_ms: Math.round(median(samples.get(name)!)) });
    } else {
      log('no dist/cli/bin.js: run `npm run build` for the whole-process rows');
    }

    const pad = (s: string | number, w: number) => String(s).padStart(w);
    console.log(`\nText to values with positions, CPU ms, medians of ${REPS} interleaved runs (3 at 240,000 keys)`);
    console.log(
      `${'env keys'.padEnd(10)}${pad('library', 9)}${pad('block', 8)}${pad('block/lib', 11)}${pad('GC in library', 15)}${pad('GC in block', 13)}`,
    );
    for (const r of rows) {
      console.log(
        `${String(r.keys).padEnd(10)}${pad(r.library_ms, 9)}${pad(r.block_ms, 8)}${pad(r.ratio, 11)}${pad(r.library_gc_ms, 15)}${pad(r.block_gc_ms, 13)}`,
      );
    }
    const [a, b] = [rows[1]!, rows[2]!];
    console.log(
      `240,000 / 60,000 keys: library ×${(Number(b.library_ms) / Number(a.library_ms)).toFixed(2)}, block ×${(Number(b.block_ms) / Number(a.block_ms)).toFixed(2)} (linear: ×4)`,
    );
    console.log('\nThe rest of `deploy config` on the block path, CPU ms');
    console.log(
      `${'env keys'.padEnd(10)}${pad('loadConfig', 11)}${pad('of which validate+build', 25)}${pad('mask', 7)}${pad('print YAML', 12)}${pad('(stringify)', 13)}${pad('print JSON', 12)}${pad('GC (load+mask+YAML)', 21)}`,
    );
    for (const r of rows) {
      console.log(
        `${String(r.keys).padEnd(10)}${pad(r.load_config_ms, 11)}${pad(r.validate_build_ms, 25)}${pad(r.printable_ms, 7)}${pad(r.print_yaml_ms, 12)}${pad(r.stringify_ms, 13)}${pad(r.print_json_ms, 12)}${pad(r.gc_ms, 21)}`,
      );
    }
    if (processes.length > 0) {
      console.log('\nWhole processes on the 60,000-key file (dist/cli/bin.js), CPU ms');
      for (const p of processes) console.log(`${String(p.command).padEnd(24)}${pad(p.cpu_ms, 7)}`);
    }
    const load = loadavg()
      .map((l) => l.toFixed(2))
      .join(' ');
    console.log(`\nLoad average ${load} on ${cpus().length} cores.`);
    writeFileSync(
      join(repoRoot, 'bench', 'config-results.json'),
      `${JSON.stringify({ reps: REPS, load: loadavg(), rows, processes }, null, 2)}\n`,
    );
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

await main();
