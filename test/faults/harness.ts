/**
 * The failure-injection harness (docs/reliability.md): on a running fleet, deploys fixtures/app behind one
 * balancer, lists every remote operation of a deploy and of a rollback, then runs one real deploy (or rollback)
 * per injection with that one fault, checks the invariants, runs a plain deploy that must succeed with no manual
 * step, and checks again. Every run's output is kept under `dir`.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { appendFileSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FaultKind } from '../../src/backends/faults.js';
import { rollbackTarget } from '../../src/tasks/rollback.js';
import { demoConfigValues, dropConnections, hostExec, startHost, stopHost, type Fleet } from '../fleet/fleet.js';
import { appRepo, project, repoRoot, type AppRepo } from '../integration/support/project.js';
import {
  currents,
  firstLine,
  isBaseline,
  judge,
  readFleetState,
  type Broken,
  type FleetState,
  type RunOutcome,
  type Topology,
  type Traffic,
  watchTraffic,
} from './invariants.js';
import { divergence, parseFaultLog, pointId, type Balancer, type Listing, type Phase, type ScenarioKind, type Verb } from './points.js';

const CLI = join(repoRoot, 'dist', 'cli', 'bin.js');
const SLOW_RESTART = 'SLOW_RESTART';
/** What a drop-mid waits for: `running`, or the slow restart's own sleep before it (`sleep 4`, the whole command line). */
const runningPattern = (inj: Injection) => [...(inj.slowRestart ? [`^sleep ${inj.slowRestart} $`] : []), inj.running ?? ''].join('|');

export interface Event {
  readonly type: string;
  readonly time?: string;
  readonly step?: string;
  readonly host?: string;
  readonly message?: string;
  readonly release?: string;
  readonly index?: number;
  readonly role?: string;
  readonly outcome?: string;
  readonly exitCode?: number;
  readonly error?: string;
  readonly [k: string]: unknown;
}

/** A --json event to act on: the `nth` event (from 1) matching type, step and host. */
export interface EventMatch {
  readonly type: string;
  readonly step?: string;
  readonly host?: string;
  readonly index?: number;
  readonly nth?: number;
  /** For the table: `command restart web2`. */
  readonly label: string;
}

/** A failpoint (n set) or a client kill / host crash at a --json event (when set). */
export interface Injection {
  readonly verb: Verb;
  readonly kind: FaultKind | ScenarioKind;
  readonly host: string;
  readonly n?: number;
  readonly step: string;
  readonly description: string;
  readonly phase: Phase;
  readonly when?: EventMatch;
  /** drop-mid: the drop waits until a process whose command line matches this runs on the host. */
  readonly running?: string;
  /** The injected run's restart sleeps this long first (a wide window to lose the connection in). */
  readonly slowRestart?: number;
}

export const injectionId = (i: Injection): string =>
  i.n !== undefined
    ? pointId({ verb: i.verb, kind: i.kind as FaultKind, host: i.host, n: i.n })
    : `${i.verb}:${i.kind}@${i.host}[${i.when?.label ?? '?'}]`;

export interface CliRun {
  readonly traffic?: Traffic;
  readonly code: number | null;
  readonly hung: boolean;
  readonly stdout: string;
  readonly stderr: string;
  readonly events: readonly Event[];
  readonly durationMs: number;
  /** The event the harness acted on (kill or crash), if it came. */
  readonly actedAt?: Event;
}

export interface PointResult {
  readonly id: string;
  /** The balancer, and `/artifact` when the code went as an uploaded artifact. */
  readonly balancer: string;
  readonly injection: Injection;
  readonly held: boolean;
  /** After the injected run. */
  readonly broken: readonly Broken[];
  /** After the plain deploy that follows. */
  readonly brokenAfterRecovery: readonly Broken[];
  readonly exit: number | null;
  readonly recoveryExit: number | null;
  readonly notes: readonly string[];
  readonly dir: string;
  readonly durationMs: number;
  /** The run did not do what the listing said before the point: the point must be listed again. */
  readonly diverged?: string;
  /** Something outside the harness disturbed the fleet (a host died): not judged, run again. */
  readonly disturbed?: string;
}

export interface HarnessOptions {
  readonly fleet: Fleet;
  readonly balancer: Balancer;
  /** Per-run logs go here. */
  readonly dir: string;
  /** deploy.yml lock.ttl: how long a killed client's lock is held. Lock renewals (every ttl/3 s) are operations too, so keep it above a deploy's length. */
  readonly lockTtl?: number;
  /** A run that takes longer is killed and reported as hung. */
  readonly runTimeoutMs?: number;
  /** git (default): every host fetches the commit; artifact: the work tree is packed locally and uploaded over SFTP. */
  readonly source?: 'git' | 'artifact';
  readonly say?: (line: string) => void;
}

export class Harness {
  readonly t: Topology;
  readonly repo: AppRepo;
  readonly file: string;
  readonly dir: string;
  readonly lockTtl: number;
  readonly runTimeoutMs: number;
  readonly say: (line: string) => void;
  readonly source: 'git' | 'artifact';
  #version = 0;
  #runs = 0;

  constructor(readonly o: HarnessOptions) {
    const f = o.fleet;
    const v = demoConfigValues(f);
    const b = v.balancer as { kind: string; upstreamFile?: string; reload?: string; adminSocket?: string } | undefined;
    if (!b || b.kind !== o.balancer) throw new Error(`the fleet in ${f.stateDir} has ${b?.kind ?? 'no'} balancer, not ${o.balancer}`);
    if (!f.media) throw new Error('the fleet has no media host');
    this.dir = o.dir;
    this.lockTtl = o.lockTtl ?? 30;
    this.runTimeoutMs = o.runTimeoutMs ?? 150_000;
    this.say = o.say ?? (() => undefined);
    mkdirSync(this.dir, { recursive: true });
    this.repo = appRepo();
    this.source = o.source ?? 'git';
    // A few MB that do not compress: the upload lasts long enough for a drop to land in the middle of it.
    if (this.source === 'artifact') writeFileSync(join(this.repo.work, 'blob.bin'), randomBytes(8 * 1024 * 1024));
    const balancer =
      o.balancer === 'nginx'
        ? {
            kind: 'nginx',
            pool: 'web',
            port: 3000,
            upstream_file: b.upstreamFile,
            upstream_name: 'app',
            reload: b.reload,
            drain_timeout: 5,
          }
        : { kind: 'haproxy', pool: 'web', port: 3000, admin_socket: b.adminSocket, backend: 'app', drain_timeout: 5 };
    const p = project(f, {
      source: this.source === 'git' ? { repository: this.repo.url } : { artifact: { path: this.repo.work } },
      deployTo: f.media.deployTo,
      keepReleases: 3,
      extra: {
        roles: { web: { batch: 1 }, balancer: { balancer } },
        health: { path: '/health', port: 3000, retries: 20, interval: 0.25, log: 'log/app.log' },
        // Runs in the release dir: only a release committed with SLOW_RESTART waits, its switch-back target does not.
        restart: { command: `[ ! -f ${SLOW_RESTART} ] || sleep "$(cat ${SLOW_RESTART})"; ${v.app.restart}` },
        lock: { ttl: this.lockTtl },
      },
    });
    this.file = p.file;
    const role = (r: string) => f.hosts.filter((h) => h.roles.includes(r)).map((h) => h.name);
    this.t = {
      fleet: f,
      balancer: o.balancer,
      deployTo: p.deployTo,
      codeHosts: [...role('db'), ...role('media'), ...role('web')],
      pool: role('web'),
      lockHost: role('db')[0]!,
      lbHost: role('balancer')[0]!,
      mediaHost: role('media')[0]!,
      upstreamFile: b.upstreamFile ?? '/srv/lb/upstream.conf',
      adminSocket: b.adminSocket ?? '/srv/lb/haproxy.sock',
    };
  }

  /** Per host, every release the harness has seen it serve: a release that went live is never half-built. */
  readonly #seenLive = new Map<string, Set<string>>();

  async read(): Promise<FleetState> {
    const state = await readFleetState(this.t);
    for (const [name, h] of state.hosts) if (h.current) this.#seenLive.set(name, (this.#seenLive.get(name) ?? new Set()).add(h.current));
    return state;
  }

  /** A new commit; `slowRestart` seconds: that release's restart sleeps first (a window to lose the connection in). */
  commit(slowRestart?: number): string {
    this.#version++;
    rmSync(join(this.repo.work, SLOW_RESTART), { force: true });
    this.repo.commit(`v${this.#version}`, slowRestart ? { files: { [SLOW_RESTART]: `${slowRestart}\n` } } : {});
    return `v${this.#version}`;
  }

  /**
   * A few deploys, so that every later run takes the same branches: a previous release exists, install reuses
   * node_modules, migrations have run, cleanup removes one old release.
   */
  async warmUp(deploys = 3): Promise<void> {
    await this.clean();
    for (let i = 0; i < deploys; i++) {
      this.commit();
      const r = await this.cli(['staging', '-c', this.file, '--json'], { name: `warmup-${i + 1}` });
      if (r.code !== 0) throw new Error(`warm-up deploy ${i + 1} failed (exit ${r.code}): ${firstLine(outcomeOf(r).error)}`);
    }
    const state = await this.read();
    const why = isBaseline(this.t, state);
    if (why) throw new Error(`after the warm-up the fleet is not in a clean state: ${why}`);
  }

  /** A real deploy (or rollback) with DEPLOY_FAULTS_LOG: every operation per host. */
  async list(verb: Verb): Promise<Listing> {
    await this.ensureBaseline();
    if (verb === 'rollback') await this.ensureRollbackTarget();
    else this.commit();
    const name = `listing-${verb}-${++this.#runs}`;
    const log = join(this.dir, `${name}.faults.ndjson`);
    const r = await this.cli(
      verb === 'deploy' ? ['staging', '-c', this.file, '--json'] : ['rollback', 'staging', '-c', this.file, '--json'],
      { name, env: { DEPLOY_FAULTS_LOG: log } },
    );
    if (r.code !== 0) throw new Error(`the ${verb} listing run failed (exit ${r.code}): ${firstLine(outcomeOf(r).error)}`);
    const listing = parseFaultLog(readFileSync(log, 'utf8'), verb);
    if (verb === 'rollback') await this.recoverPlainly('after-rollback-listing');
    return listing;
  }

  /** One injection: the injected run, the invariants, a plain deploy, the invariants again. */
  async runPoint(inj: Injection, listing?: Listing): Promise<PointResult> {
    const id = injectionId(inj);
    const dir = join(this.dir, `${String(++this.#runs).padStart(3, '0')}-${id.replace(/[^\w@.:-]+/g, '_').replace(/:/g, '-')}`);
    mkdirSync(dir, { recursive: true });
    const started = Date.now();
    const notes: string[] = [];
    const repaired = await this.ensureBaseline();
    if (repaired) notes.push(`the fleet was repaired before this point: ${repaired}`);
    if (inj.verb === 'rollback') {
      const prep = await this.ensureRollbackTarget();
      if (prep) notes.push(prep);
    }
    const beforeState = await this.read();
    const before = currents(this.t, beforeState);
    if (inj.verb === 'deploy') this.commit(inj.slowRestart);

    const faultsLog = join(dir, 'faults.ndjson');
    const env: Record<string, string> = { DEPLOY_FAULTS_LOG: faultsLog };
    if (inj.n !== undefined) env.DEPLOY_FAULTS = `${inj.kind}@${inj.host}:${inj.n}`;
    const crashed: string[] = [];
    let crashing: Promise<void> | undefined;
    let missed = false;
    const args = inj.verb === 'deploy' ? ['staging', '-c', this.file, '--json'] : ['rollback', 'staging', '-c', this.file, '--json'];
    const run = await this.cli(args, {
      name: 'injected',
      dir,
      env,
      watch: true,
      ...(inj.when
        ? {
            when: inj.when,
            act: (child) => {
              if (inj.kind === 'kill-client') child.kill('SIGKILL');
              else if (inj.kind === 'crash') {
                crashed.push(inj.host);
                crashing = this.crash(inj.host, notes);
              } else if (inj.kind === 'drop-mid')
                crashing = this.dropWhileRunning(inj.host, runningPattern(inj), notes).then((hit) => void (missed = !hit));
            },
          }
        : {}),
    });
    await crashing;
    if (inj.when && !run.actedAt)
      return this.disturbed(inj, dir, started, notes, run.code, `the event ${inj.when.label} never came: nothing was injected`);
    if (missed)
      return this.disturbed(
        inj,
        dir,
        started,
        notes,
        run.code,
        `no process matching ${runningPattern(inj)} ran on ${inj.host} after ${inj.when?.label}: the drop did not land mid-command`,
      );

    if (inj.n !== undefined && listing) {
      const got = existsSync(faultsLog) ? parseFaultLog(readFileSync(faultsLog, 'utf8'), inj.verb) : { verb: inj.verb, ops: [], notes: [] };
      const diverged = divergence(listing, got, inj.host, inj.n);
      for (const note of got.notes) notes.push(`${note.host}:${note.n}: ${note.note}`);
      if (diverged) {
        await this.recoverPlainly(`${id}: after a diverged run`, dir);
        const result = this.result(inj, dir, started, {
          broken: [],
          brokenAfterRecovery: [],
          exit: run.code,
          recoveryExit: null,
          notes,
          diverged,
        });
        writeFileSync(join(dir, 'result.json'), JSON.stringify(result, null, 2));
        return result;
      }
    }
    const died = await this.deadHosts(crashed);
    if (died.length)
      return this.disturbed(inj, dir, started, notes, run.code, `${died.join(', ')} died during the run without the harness crashing it`);
    for (const h of crashed) await this.boot(h, notes);
    await this.settle(notes);

    const outcome = outcomeOf(run);
    const afterState = await this.read();
    const target = targetOf(inj.verb, run.events);
    const judged = judge(this.t, afterState, outcome, {
      verb: inj.verb,
      before,
      ...(target ? { target } : {}),
      ...(inj.verb === 'rollback' && target ? { rolledBackBefore: rolledBack(this.t, beforeState, target) } : {}),
      fault: { kind: inj.kind, host: inj.host, step: inj.step, phase: inj.phase },
      crashed,
      strict: false,
    });
    // A killed client can put nothing back: what it left half-switched is the next deploy's to repair (judged
    // strictly after it), not a broken promise of this run.
    // A crashed host can take the service down by itself (haproxy's health check asks /health, which needs db1):
    // requests that failed during a crash run are noted; during the next deploy they are judged.
    const observedOnly = new Set(
      inj.kind === 'kill-client' ? ['release', 'app', 'balancer', 'media'] : inj.kind === 'crash' ? ['outage'] : [],
    );
    const broken = judged.filter((b) => !observedOnly.has(b.invariant));
    const observed = judged.filter((b) => observedOnly.has(b.invariant));
    if (observed.length)
      notes.push(
        `noted, not judged (${inj.kind === 'crash' ? 'caused by the crash itself' : 'left by the killed client, for the next deploy to repair'}): ${observed.map((b) => `${b.invariant}: ${b.why}`).join('; ')}`,
      );
    writeFileSync(join(dir, 'after.json'), stateJson(afterState));

    // The next plain deploy must succeed with no manual step: a killed client's lock is taken over (its run, from
    // this project directory on this machine, is gone).
    this.commit();
    const rec = await this.cli(['staging', '-c', this.file, '--json'], { name: 'recovery', dir, watch: true });
    const diedLater = await this.deadHosts([]);
    if (diedLater.length)
      return this.disturbed(inj, dir, started, notes, run.code, `${diedLater.join(', ')} died during the recovery deploy`);
    const recState = await this.read();
    writeFileSync(join(dir, 'recovery.json'), stateJson(recState));
    const recTarget = targetOf('deploy', rec.events);
    const brokenAfterRecovery = judge(this.t, recState, outcomeOf(rec), {
      verb: 'deploy',
      before: currents(this.t, afterState),
      ...(recTarget ? { target: recTarget } : {}),
      strict: true,
      seenLive: this.#seenLive,
    });
    // The next point starts from a clean fleet; what it took to get there belongs to this one.
    const repairedAfter = await this.ensureBaseline(recState);
    if (repairedAfter) notes.push(`needed a repair by hand afterwards (the harness did it): ${repairedAfter}`);
    const result = this.result(inj, dir, started, { broken, brokenAfterRecovery, exit: run.code, recoveryExit: rec.code, notes });
    writeFileSync(join(dir, 'result.json'), JSON.stringify(result, null, 2));
    return result;
  }

  /**
   * Waits (at most 20 s) until no command of the run is still running on any host: a shell whose session is gone
   * (its parent is the host's init) goes on by itself after the run ended, and what it does later must be judged
   * too. Each one seen is noted: a lost connection's command should be killed or fenced.
   */
  async settle(notes: string[]): Promise<void> {
    const script = `for s in /proc/[0-9]*/status; do
  ppid=$(sed -n 's/^PPid:[[:space:]]*//p' "$s" 2>/dev/null); name=$(sed -n 's/^Name:[[:space:]]*//p' "$s" 2>/dev/null)
  case "$name" in sh|bash|dash) [ "$ppid" = 1 ] && printf '%s\\n' "$(tr '\\0' ' ' <"\${s%/status}/cmdline" | cut -c1-160)";; esac
done; exit 0`;
    const started = Date.now();
    const seen = new Map<string, string>();
    for (;;) {
      const busy: string[] = [];
      for (const h of this.t.fleet.hosts) {
        const r = await hostExec(this.t.fleet, h.name, ['sh', '-c', script]).catch(() => ({ code: -1, stdout: '' }));
        const lines = r.stdout.split('\n').filter((l) => l.trim());
        if (lines.length) {
          busy.push(h.name);
          if (!seen.has(h.name)) seen.set(h.name, lines[0]!);
        }
      }
      if (busy.length === 0 || Date.now() - started > 20_000) {
        for (const [h, cmd] of seen)
          notes.push(
            `${h}: a command of the run went on after its connection was gone${busy.includes(h) ? ' (still running after 20 s)' : ''}: ${cmd}`,
          );
        return;
      }
      await new Promise((r) => setTimeout(r, 200));
    }
  }

  /** Hosts that are down though the harness did not crash them (another fleet's teardown, the OOM killer…). */
  async deadHosts(crashed: readonly string[]): Promise<string[]> {
    const dead: string[] = [];
    for (const h of this.t.fleet.hosts) {
      if (crashed.includes(h.name)) continue;
      const r = await hostExec(this.t.fleet, h.name, ['true']).catch(() => ({ code: -1 }));
      if (r.code !== 0) dead.push(h.name);
    }
    return dead;
  }

  /** A point whose fleet was disturbed from outside is not judged: boot what died, get back to clean, say why. */
  async disturbed(inj: Injection, dir: string, started: number, notes: string[], exit: number | null, why: string): Promise<PointResult> {
    for (const h of this.t.fleet.hosts) {
      const r = await hostExec(this.t.fleet, h.name, ['true']).catch(() => ({ code: -1 }));
      if (r.code !== 0) await this.boot(h.name, notes);
    }
    await this.ensureBaseline();
    const result = this.result(inj, dir, started, { broken: [], brokenAfterRecovery: [], exit, recoveryExit: null, notes, disturbed: why });
    writeFileSync(join(dir, 'result.json'), JSON.stringify(result, null, 2));
    return result;
  }

  /**
   * The fleet's dropConnections (every sshd session of the host killed, the host up) while a command is running
   * there: waits, bounded, for a process whose command line matches `pattern`. False when none showed up.
   */
  async dropWhileRunning(host: string, pattern: string, notes: string[]): Promise<boolean> {
    const deadline = Date.now() + 5000;
    const probe = `for p in /proc/[0-9]*; do tr '\\0' ' ' <"$p/cmdline" 2>/dev/null; echo; done | grep -E -- ${shq(pattern)} | grep -v grep`;
    while (Date.now() < deadline) {
      const r = await hostExec(this.t.fleet, host, ['sh', '-c', probe]).catch(() => ({ code: -1, stdout: '' }));
      if (r.code === 0 && r.stdout.trim()) {
        const n = dropConnections(this.t.fleet, host);
        notes.push(`dropped ${n} sshd processes of ${host} while running: ${r.stdout.trim().split('\n')[0]!.slice(0, 120)}`);
        return true;
      }
    }
    return false;
  }

  /** stopHost at a moment of a run; the fleet's teardown check can be slow on a loaded machine, so wait for the host to be gone. */
  async crash(host: string, notes: string[]): Promise<void> {
    try {
      await stopHost(this.t.fleet, host);
    } catch (e) {
      notes.push(`stopHost(${host}) complained: ${e instanceof Error ? e.message : String(e)}`);
    }
  }

  async boot(host: string, notes: string[]): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        await startHost(this.t.fleet, host);
        return;
      } catch (e) {
        notes.push(`startHost(${host}) attempt ${attempt}: ${e instanceof Error ? e.message : String(e)}`);
        if (attempt >= 3) throw e;
      }
    }
  }

  /** Back to a clean fleet when a point left it broken; returns what was wrong, or undefined when nothing was. */
  async ensureBaseline(known?: FleetState): Promise<string | undefined> {
    const state = known ?? (await this.read());
    const why = isBaseline(this.t, state);
    if (!why) return undefined;
    await this.repair(why);
    return why;
  }

  /**
   * By hand, what an operator would do: start crashed hosts, release the lock, put every pool host back in the
   * balancer, then deploy. Fails the whole sweep when even that does not give a clean fleet.
   */
  async repair(why: string): Promise<void> {
    this.say(`  repairing: ${why}`);
    const dir = join(this.dir, `repair-${++this.#runs}`);
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'why.txt'), `${why}\n`);
    for (const h of this.t.fleet.hosts) {
      const r = await hostExec(this.t.fleet, h.name, ['true']).catch(() => ({ code: -1 }));
      if (r.code !== 0) await this.boot(h.name, []);
    }
    await hostExec(this.t.fleet, this.t.lockHost, ['rm', '-rf', `${this.t.deployTo}/deploy.lock`]);
    await this.restoreBalancer();
    this.commit();
    const r = await this.cli(['staging', '-c', this.file, '--json'], { name: 'repair-deploy', dir });
    const state = await this.read();
    const still = isBaseline(this.t, state);
    if (r.code !== 0 || still)
      throw new Error(
        `the fleet could not be repaired (deploy exit ${r.code}: ${firstLine(outcomeOf(r).error)}; ${still ?? ''}); logs in ${dir}`,
      );
  }

  async restoreBalancer(): Promise<void> {
    const f = this.t.fleet;
    const webs = this.t.pool.map((n) => f.hosts.find((h) => h.name === n)!);
    if (this.t.balancer === 'nginx') {
      const text = `upstream app {\n${webs.map((w) => `  server ${w.address}:3000 max_fails=1 fail_timeout=5s; # ${w.name}`).join('\n')}\n}\n`;
      await hostExec(f, this.t.lbHost, ['sh', '-c', `cat > ${this.t.upstreamFile}`], { user: 'deploy', input: text });
      await hostExec(f, this.t.lbHost, ['sh', '-c', `/usr/sbin/nginx -c /srv/lb/nginx.conf -s reload`], { user: 'deploy' });
    } else {
      const lines = webs.flatMap((w) => [`set server app/${w.name} weight 100%`, `set server app/${w.name} state ready`]).join('; ');
      await hostExec(f, this.t.lbHost, ['sh', '-c', `echo '${lines}' | socat stdio ${this.t.adminSocket}`]);
    }
  }

  /** A rollback needs an earlier release that every host agrees on; deploys until there is one. */
  async ensureRollbackTarget(): Promise<string | undefined> {
    for (let i = 0; i < 2; i++) {
      const state = await this.read();
      const targets = new Set(this.t.codeHosts.map((n) => targetFor(state, n)));
      if (targets.size === 1 && !targets.has(null))
        return i === 0 ? undefined : 'one more deploy first, so that every host has the same rollback target';
      await this.recoverPlainly('to have a rollback target');
    }
    throw new Error('no common rollback target even after two deploys');
  }

  /** A plain deploy of a new commit that must succeed. */
  async recoverPlainly(why: string, dir = this.dir): Promise<void> {
    this.commit();
    const r = await this.cli(['staging', '-c', this.file, '--json'], { name: `plain-${++this.#runs}`, dir });
    if (r.code !== 0) await this.repair(`a plain deploy (${why}) failed with exit ${r.code}: ${firstLine(outcomeOf(r).error)}`);
  }

  /**
   * Every host up, no app running, no deploy_to on any code host, every pool host in the balancer: what an earlier
   * suite on a shared fleet (or an interrupted sweep) left does not leak into the points.
   */
  async clean(): Promise<void> {
    for (const h of this.t.fleet.hosts) {
      const r = await hostExec(this.t.fleet, h.name, ['true']).catch(() => ({ code: -1 }));
      if (r.code !== 0) await this.boot(h.name, []);
    }
    await this.stopApps();
    for (const h of this.t.codeHosts) await hostExec(this.t.fleet, h, ['rm', '-rf', this.t.deployTo]);
    await this.restoreBalancer();
  }

  /** Stops the apps the runs started on the pool hosts. */
  async stopApps(): Promise<void> {
    for (const h of this.t.pool)
      await hostExec(this.t.fleet, h, ['sh', '-c', `'${this.t.deployTo}/current/bin/stop' >/dev/null 2>&1 || true`], {
        user: 'deploy',
      }).catch(() => undefined);
  }

  /** The built CLI with --json, events read as they come. */
  async cli(
    args: readonly string[],
    o: {
      name: string;
      dir?: string;
      env?: Record<string, string>;
      when?: EventMatch;
      act?: (child: { kill: (s: NodeJS.Signals) => void }) => void;
      watch?: boolean;
    },
  ): Promise<CliRun> {
    const dir = o.dir ?? this.dir;
    const base = join(dir, o.name);
    const env: NodeJS.ProcessEnv = { ...process.env, CI: 'true', ...o.env };
    if (!o.env?.DEPLOY_FAULTS) delete env.DEPLOY_FAULTS;
    if (!o.env?.DEPLOY_FAULTS_LOG) delete env.DEPLOY_FAULTS_LOG;
    const started = Date.now();
    // /slow?ms=0 answers without the database, so a crash of db1 is not counted as the balancer's outage.
    const traffic = o.watch ? watchTraffic(`${this.t.fleet.balancer!.url}/slow?ms=0`) : undefined;
    const child = spawn('node', [CLI, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    const events: Event[] = [];
    let stdout = '';
    let stderr = '';
    let buffer = '';
    let hung = false;
    let actedAt: Event | undefined;
    let matched = 0;
    child.stdout.on('data', (c: Buffer) => {
      const text = c.toString();
      stdout += text;
      buffer += text;
      const lines = buffer.split('\n');
      buffer = lines.pop() ?? '';
      for (const line of lines) {
        if (!line.trim()) continue;
        let e: Event;
        try {
          e = JSON.parse(line) as Event;
        } catch {
          continue;
        }
        events.push(e);
        if (o.when && !actedAt && matches(o.when, e) && ++matched === (o.when.nth ?? 1)) {
          actedAt = e;
          o.act?.(child);
        }
      }
    });
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    const timer = setTimeout(() => {
      hung = true;
      child.kill('SIGKILL');
    }, this.runTimeoutMs);
    const code = await new Promise<number | null>((resolve) => child.on('close', (c) => resolve(c)));
    clearTimeout(timer);
    const seen = await traffic?.stop();
    writeFileSync(`${base}.ndjson`, stdout);
    writeFileSync(`${base}.stderr`, stderr);
    const load = seen ? `; ${seen.failures} of ${seen.requests} requests through the balancer failed` : '';
    appendFileSync(
      join(dir, 'runs.txt'),
      `${o.name}: node dist/cli/bin.js ${args.join(' ')} ${JSON.stringify(o.env ?? {})} → exit ${code ?? 'killed'}${hung ? ' (hung: killed)' : ''} in ${Date.now() - started} ms${load}\n`,
    );
    return {
      code,
      hung,
      stdout,
      stderr,
      events,
      durationMs: Date.now() - started,
      ...(actedAt ? { actedAt } : {}),
      ...(seen ? { traffic: seen } : {}),
    };
  }

  result(
    inj: Injection,
    dir: string,
    started: number,
    r: Omit<PointResult, 'id' | 'balancer' | 'injection' | 'held' | 'dir' | 'durationMs'>,
  ): PointResult {
    const held = !r.diverged && !r.disturbed && r.broken.length === 0 && r.brokenAfterRecovery.length === 0;
    const variant = this.source === 'git' ? this.o.balancer : `${this.o.balancer}/artifact`;
    return { id: injectionId(inj), balancer: variant, injection: inj, held, dir, durationMs: Date.now() - started, ...r };
  }
}

const shq = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

function matches(m: EventMatch, e: Event): boolean {
  return (
    e.type === m.type &&
    (m.step === undefined || e.step === m.step) &&
    (m.host === undefined || e.host === m.host) &&
    (m.index === undefined || e.index === m.index)
  );
}

export function outcomeOf(r: CliRun): RunOutcome {
  const end = [...r.events].reverse().find((e) => e.type === 'run:end');
  // The failpoints' own warning ("DEPLOY_FAULTS: injecting …") says nothing about what happened.
  const warnings = r.events
    .filter((e) => e.type === 'warning' && !String(e.message ?? '').startsWith('DEPLOY_FAULTS:'))
    .map((e) => ({ ...(e.host ? { host: e.host } : {}), message: String(e.message ?? '') }));
  const error = end?.error ?? r.stderr;
  return {
    code: r.hung ? null : r.code,
    hung: r.hung,
    error,
    warnings,
    text: [r.stderr, ...warnings.map((w) => w.message)].join('\n'),
    ...(r.traffic ? { traffic: r.traffic } : {}),
    finished: new Set(r.events.filter((e) => e.type === 'host:end' && e.ok === true).map((e) => `${String(e.host)}:${String(e.step)}`)),
    failedAt: new Map(
      r.events
        .filter((e) => e.type === 'host:end' && e.ok === false)
        .reverse()
        .map((e) => [String(e.host), String(e.step)]),
    ),
  };
}

/** The release the run puts live: a deploy's new id (the last release:chosen), a rollback's target (its release events). */
export function targetOf(verb: Verb, events: readonly Event[]): string | undefined {
  if (verb === 'deploy') return events.filter((e) => e.type === 'release:chosen').at(-1)?.release;
  return events.find((e) => e.type === 'release')?.release;
}

function rolledBack(t: Topology, state: FleetState, target: string): Map<string, number> {
  return new Map(
    t.codeHosts.map((n) => [n, state.hosts.get(n)?.log.filter((l) => l.release === target && l.outcome === 'rolled-back').length ?? 0]),
  );
}

function targetFor(state: FleetState, host: string): string | null {
  const h = state.hosts.get(host);
  if (!h) return null;
  return rollbackTarget({
    current: h.current,
    releases: h.releases.map((r) => r.id),
    bad: h.releases.filter((r) => r.bad).map((r) => r.id),
    log: h.log.map((l) => ({ release: l.release, outcome: l.outcome as 'deployed', revision: '', user: '', time: '', stage: '' })),
  });
}

function stateJson(s: FleetState): string {
  return JSON.stringify(
    { ...s, hosts: Object.fromEntries(s.hosts), rotation: Object.fromEntries(s.rotation), direct: Object.fromEntries(s.direct) },
    null,
    2,
  );
}
