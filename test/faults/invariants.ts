/**
 * The transactional promise, checked from outside: what each host has on disk and runs, what the balancer really
 * routes to, and what the run said. Reading goes around SSH (hostExec: straight into the host's namespaces) and
 * through HTTP, so it works whatever state the run left sshd in. Judging is pure.
 */
import { hostExec, type Fleet } from '../fleet/fleet.js';
import type { FaultKind } from '../../src/backends/faults.js';
import { expectedExit, namesStep, PHASES, phaseOfStep, stepsFrom, type Balancer, type Phase, type ScenarioKind } from './points.js';

export interface LogLine {
  readonly release: string;
  readonly outcome: string;
}

export interface HostState {
  readonly name: string;
  readonly alive: boolean;
  readonly current: string | null;
  /** `current` points to a directory that exists. */
  readonly currentValid: boolean;
  readonly releases: readonly { id: string; bad: boolean; failed: boolean }[];
  readonly uploads: readonly string[];
  readonly log: readonly LogLine[];
  readonly badLogLines: readonly string[];
  /** The release id in deploy.lock, '' for a lock without one; undefined when there is no lock. */
  readonly lock?: string;
  /** Running app processes (server.js) and their working directories. */
  readonly apps: readonly string[];
}

export interface Answer {
  readonly status: number;
  readonly host?: string;
  readonly release?: string;
  readonly error?: string;
}

export interface FleetState {
  readonly hosts: ReadonlyMap<string, HostState>;
  /** Per pool host: in rotation in the balancer's own state, or why not. */
  readonly rotation: ReadonlyMap<string, string | true>;
  readonly rotationError?: string;
  /** Requests through the balancer. */
  readonly through: readonly Answer[];
  /** Per pool host: its app on its own address. */
  readonly direct: ReadonlyMap<string, Answer>;
  /** The media host's answer for the live release's asset, per release asked. */
  readonly media?: { readonly release: string; readonly status: number };
}

export interface Topology {
  readonly fleet: Fleet;
  readonly balancer: Balancer;
  readonly deployTo: string;
  /** Hosts that receive code. */
  readonly codeHosts: readonly string[];
  /** The balancer's pool (the app hosts). */
  readonly pool: readonly string[];
  readonly lockHost: string;
  readonly lbHost: string;
  readonly mediaHost?: string;
  readonly upstreamFile: string;
  readonly adminSocket: string;
}

const STATE_SCRIPT = `D="$1"
cur=$(readlink "$D/current" 2>/dev/null) && echo "current $cur"
[ -d "$D/current/" ] && echo "valid"
for r in "$D"/releases/*/; do
  [ -d "$r" ] || continue
  m=""; [ -e "$r.deploy-bad" ] && m="$m bad"; [ -e "$r.deploy-failed" ] && m="$m failed"
  echo "release $(basename "$r")$m"
done
for u in "$D"/uploads/* "$D"/uploads/.[!.]*; do [ -e "$u" ] && echo "upload $(basename "$u")"; done
[ -d "$D/deploy.lock" ] && echo "lock $(cat "$D/deploy.lock/release" 2>/dev/null)"
for p in /proc/[0-9]*; do
  case "$(tr '\\0' ' ' <"$p/cmdline" 2>/dev/null)" in *server.js*) echo "app \${p#/proc/} $(readlink "$p/cwd")";; esac
done
echo "--- revisions.log"
cat "$D/revisions.log" 2>/dev/null
exit 0
`;

export async function readHost(t: Topology, name: string, alive = true): Promise<HostState> {
  const empty: HostState = {
    name,
    alive: false,
    current: null,
    currentValid: false,
    releases: [],
    uploads: [],
    log: [],
    badLogLines: [],
    apps: [],
  };
  if (!alive) return empty;
  const r = await hostExec(t.fleet, name, ['sh', '-c', STATE_SCRIPT, 'state', t.deployTo]).catch((e: unknown) => ({
    code: -1,
    stdout: '',
    stderr: String(e),
  }));
  if (r.code !== 0) return empty;
  const [head = '', logText = ''] = r.stdout.split('--- revisions.log\n');
  let current: string | null = null;
  let currentValid = false;
  let lock: string | undefined;
  const releases: { id: string; bad: boolean; failed: boolean }[] = [];
  const uploads: string[] = [];
  const apps: string[] = [];
  for (const line of head.split('\n')) {
    const [word, ...rest] = line.split(' ');
    const value = rest.join(' ');
    if (word === 'current') current = value.replace(/\/+$/, '').split('/').pop() ?? value;
    else if (word === 'valid') currentValid = true;
    else if (word === 'release') releases.push({ id: rest[0]!, bad: rest.includes('bad'), failed: rest.includes('failed') });
    else if (word === 'upload') uploads.push(value);
    else if (word === 'lock') lock = value;
    else if (word === 'app') apps.push(value);
  }
  const log: LogLine[] = [];
  const badLogLines: string[] = [];
  for (const line of logText.split('\n')) {
    if (!line.trim()) continue;
    try {
      const e = JSON.parse(line) as Partial<LogLine>;
      if (typeof e.release !== 'string' || typeof e.outcome !== 'string') throw new Error('fields');
      log.push({ release: e.release, outcome: e.outcome });
    } catch {
      badLogLines.push(line);
    }
  }
  return { name, alive: true, current, currentValid, releases, uploads, log, badLogLines, ...(lock !== undefined ? { lock } : {}), apps };
}

async function get(url: string): Promise<Answer> {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(3000), headers: { connection: 'close' } });
    const text = await res.text();
    try {
      const body = JSON.parse(text) as { host?: string; release?: string };
      return { status: res.status, ...(body.host ? { host: body.host } : {}), ...(body.release ? { release: body.release } : {}) };
    } catch {
      return { status: res.status };
    }
  } catch (e) {
    const err = e as Error & { cause?: { code?: string } };
    return { status: 0, error: err.cause?.code ?? err.message };
  }
}

/** haproxy has the server in rotation, but its own health check finds it down: the app's problem, when it is down. */
const HEALTH_CHECK_DOWN = "haproxy's health check has it down";

/** nginx: the upstream file; haproxy: `show servers state`. Each pool host in rotation, or why not. */
async function readRotation(t: Topology): Promise<{ rotation: Map<string, string | true>; error?: string }> {
  const rotation = new Map<string, string | true>();
  if (t.balancer === 'nginx') {
    const r = await hostExec(t.fleet, t.lbHost, ['cat', t.upstreamFile]).catch((e: unknown) => ({
      code: -1,
      stdout: '',
      stderr: String(e),
    }));
    if (r.code !== 0) return { rotation, error: `cannot read ${t.upstreamFile}: ${r.stderr.trim()}` };
    for (const host of t.pool) {
      const line = r.stdout.split('\n').find((l) => new RegExp(`#\\s*${host}\\s*$`).test(l));
      rotation.set(host, !line ? `not in ${t.upstreamFile}` : /\bdown\b/.test(line) ? `marked down in ${t.upstreamFile}` : true);
    }
    return { rotation };
  }
  const r = await hostExec(t.fleet, t.lbHost, ['sh', '-c', `echo 'show servers state app' | socat stdio ${t.adminSocket}`]).catch(
    (e: unknown) => ({ code: -1, stdout: '', stderr: String(e) }),
  );
  if (r.code !== 0) return { rotation, error: `cannot ask haproxy: ${r.stderr.trim()}` };
  const lines = r.stdout.split('\n').filter((l) => l.trim());
  const header =
    lines
      .find((l) => l.startsWith('#'))
      ?.replace(/^#\s*/, '')
      .split(/\s+/) ?? [];
  const col = (name: string) => header.indexOf(name);
  for (const host of t.pool) {
    const row = lines.map((l) => l.trim().split(/\s+/)).find((c) => c[col('srv_name')] === host);
    if (!row) {
      rotation.set(host, 'not a server of backend app');
      continue;
    }
    const admin = Number(row[col('srv_admin_state')]);
    const op = Number(row[col('srv_op_state')]);
    const weight = Number(row[col('srv_uweight')]);
    const adminWord = admin & 0x67 ? 'maint' : admin & 0x18 ? 'drain' : 'ready';
    const why = [admin !== 0 ? `${adminWord} (admin state ${admin})` : '', weight === 0 ? 'weight 0' : ''].filter(Boolean).join(', ');
    rotation.set(host, why || (op !== 2 ? `${HEALTH_CHECK_DOWN} (operational state ${op}, 2 = running)` : true));
  }
  return { rotation };
}

/** Reads everything the invariants look at. Hosts in `down` are crashed: not read. */
export async function readFleetState(t: Topology, o: { down?: readonly string[]; waitRotationMs?: number } = {}): Promise<FleetState> {
  const down = new Set(o.down ?? []);
  const names = [...new Set([...t.codeHosts, t.lockHost])];
  const hosts = new Map(await Promise.all(names.map(async (n) => [n, await readHost(t, n, !down.has(n))] as const)));
  const live = t.pool.filter((h) => !down.has(h));
  const direct = new Map<string, Answer>();
  for (const h of live) {
    const addr = t.fleet.hosts.find((x) => x.name === h)!.address;
    direct.set(h, await get(`http://${addr}:3000/health`));
  }
  // nginx takes a host out for fail_timeout (5 s) after one refused connection, so a host that restarted a
  // moment ago may be skipped for a while: ask until every serving pool host answered, at most waitRotationMs.
  const through: Answer[] = [];
  const url = `${t.fleet.balancer!.url}/health`;
  const deadline = Date.now() + (o.waitRotationMs ?? 8000);
  const serving = live.filter((h) => direct.get(h)?.status === 200);
  for (;;) {
    const batch: Answer[] = [];
    for (let i = 0; i < 2 * Math.max(1, live.length); i++) batch.push(await get(url));
    through.splice(0, through.length, ...batch);
    const seen = new Set(batch.map((a) => a.host));
    if (serving.every((h) => seen.has(h)) || Date.now() >= deadline) break;
    await new Promise((r) => setTimeout(r, 250));
  }
  // Read after the requests: haproxy's health check (every second) has caught up with the apps by then.
  const { rotation, error } = down.has(t.lbHost)
    ? { rotation: new Map<string, string | true>(), error: `${t.lbHost} is down` }
    : await readRotation(t);
  let media: FleetState['media'];
  const liveRelease = [...hosts.values()].find((h) => h.current)?.current;
  if (t.mediaHost && !down.has(t.mediaHost) && t.fleet.media && liveRelease) {
    const res = await fetch(`${t.fleet.media.url}/assets/${liveRelease}/style.css`, { signal: AbortSignal.timeout(3000) }).catch(
      () => undefined,
    );
    media = { release: liveRelease, status: res?.status ?? 0 };
    await res?.text().catch(() => undefined);
  }
  return { hosts, rotation, ...(error ? { rotationError: error } : {}), through, direct, ...(media ? { media } : {}) };
}

// ---------------------------------------------------------------- judging

export type Invariant =
  | 'current'
  | 'release'
  | 'app'
  | 'balancer'
  | 'outage'
  | 'media'
  | 'lock'
  | 'leftovers'
  | 'log'
  | 'exit'
  | 'message'
  | 'recovery'
  | 'hang';

export interface Broken {
  readonly invariant: Invariant;
  readonly why: string;
}

/** What a run printed, as far as the invariants care. */
export interface RunOutcome {
  /** null: killed (by the harness). */
  readonly code: number | null;
  readonly hung: boolean;
  /** run:end's error, else stderr. */
  readonly error: string;
  readonly warnings: readonly { host?: string; message: string }[];
  /** Everything the run printed for people (stderr and warnings): where a left lock must be named. */
  readonly text: string;
  /** Requests through the balancer while the run ran. */
  readonly traffic?: Traffic;
  /** `host:step` of each host's step that ended well (its `host:end` ok). */
  readonly finished?: ReadonlySet<string>;
  /** Per host, the step of its first `host:end` that was not ok. */
  readonly failedAt?: ReadonlyMap<string, string>;
}

export interface Traffic {
  readonly requests: number;
  readonly failures: number;
  /** The first few failures: when (ms into the run) and what. */
  readonly errors: readonly string[];
}

/**
 * A light, steady stream of requests through the balancer (one client, one request after another) until stop():
 * a correct rollout or switch-back never leaves the pool without a serving host, so none of them may fail.
 */
export function watchTraffic(url: string): { stop(): Promise<Traffic> } {
  let stopped = false;
  let requests = 0;
  let failures = 0;
  const errors: string[] = [];
  const t0 = Date.now();
  const loop = (async () => {
    while (!stopped) {
      const a = await get(url);
      requests++;
      if (a.status !== 200) {
        failures++;
        if (errors.length < 5) errors.push(`${((Date.now() - t0) / 1000).toFixed(1)} s: ${a.error ?? `HTTP ${a.status}`}`);
      }
      await new Promise((r) => setTimeout(r, 50));
    }
  })();
  return {
    async stop() {
      stopped = true;
      await loop;
      return { requests, failures, errors };
    },
  };
}

export interface Expectation {
  readonly verb: 'deploy' | 'rollback';
  /** Per code host, the release it served before the run. */
  readonly before: ReadonlyMap<string, string | null>;
  /** The release the run puts live (a deploy's new id, a rollback's target); undefined if it never said. */
  readonly target?: string;
  /** How many `rolled-back` lines for the target each host had before (a rollback may go to a release twice). */
  readonly rolledBackBefore?: ReadonlyMap<string, number>;
  readonly fault?: { readonly kind: FaultKind | ScenarioKind; readonly host: string; readonly step: string; readonly phase: Phase };
  /** Crashed hosts (started again before reading, apps not running): only their disk state is judged. */
  readonly crashed?: readonly string[];
  /** The recovery run: everything strict. */
  readonly strict: boolean;
  /** Per host, releases seen live there (as `current`) around this run: never counted as half-built. */
  readonly seenLive?: ReadonlyMap<string, ReadonlySet<string>>;
}

const LOCK_COMMAND = /deploy (un)?lock\b/;

/** Which invariants the state and the run break. */
export function judge(t: Topology, state: FleetState, run: RunOutcome, x: Expectation): Broken[] {
  const broken: Broken[] = [];
  const add = (invariant: Invariant, why: string) => broken.push({ invariant, why });
  const crashed = new Set(x.crashed ?? []);
  const killed = x.fault?.kind === 'kill-client';
  const hosts = t.codeHosts.map((n) => state.hosts.get(n)!).filter(Boolean);

  if (run.hung) add('hang', `the run did not end within its time limit and was killed; last error: ${firstLine(run.error) || '(none)'}`);

  // current: valid everywhere, one release
  for (const h of hosts) {
    if (!h.alive) add('current', `${h.name}: cannot read the host`);
    else if (!h.current) add('current', `${h.name}: no current`);
    else if (!h.currentValid) add('current', `${h.name}: current points to ${h.current}, which does not exist`);
  }
  const releases = new Map<string, string[]>();
  for (const h of hosts.filter((h) => h.current)) releases.set(h.current!, [...(releases.get(h.current!) ?? []), h.name]);
  const fleetRelease = releases.size === 1 ? [...releases.keys()][0] : undefined;
  if (releases.size > 1) {
    const where = [...releases].map(([r, hs]) => `${hs.join(',')} on ${r}`).join('; ');
    if (!killed || x.strict) add('release', `mixed releases: ${where}`);
  }

  // release: the one the exit code says
  const succeeded = run.code === 0;
  const before = new Set([...x.before.values()]);
  const was = before.size === 1 ? [...before][0] : undefined;
  if (fleetRelease && run.code !== null) {
    if (succeeded && x.target && fleetRelease !== x.target) add('release', `exit 0 but the fleet is on ${fleetRelease}, not ${x.target}`);
    // A pool host a balancer served alone could not go back (every request would fail): the fleet stays on the new
    // release, every tier with it, and the error says so.
    const keptNew = fleetRelease === x.target && KEPT_NEW.test(run.error);
    if (!succeeded && was && fleetRelease !== was && !keptNew)
      add('release', `exit ${run.code} but the fleet is on ${fleetRelease}, not back on ${was}`);
  }

  // app: every pool host runs the live release
  for (const h of t.pool) {
    if (crashed.has(h) && !x.strict) continue;
    const a = state.direct.get(h);
    const cur = state.hosts.get(h)?.current;
    if (a?.status !== 200)
      add('app', `${h}: the app does not answer on its own address (${a ? (a.error ?? `HTTP ${a.status}`) : 'not asked'})`);
    else if (cur && a.release !== cur) add('app', `${h}: the app serves ${a.release} but current is ${cur}`);
  }

  // balancer: every pool host in rotation, and requests through it reach them all, on the live release
  if (state.rotationError) add('balancer', state.rotationError);
  for (const [h, r] of state.rotation) {
    // A crashed host out of rotation is what it should be until it is back (the next deploy is judged strictly).
    if (r === true || (crashed.has(h) && !x.strict) || (r.startsWith(HEALTH_CHECK_DOWN) && state.direct.get(h)?.status !== 200)) continue;
    add('balancer', `${h}: ${r}`);
  }
  const failed = state.through.filter((a) => a.status !== 200);
  if (failed.length > 0)
    add(
      'balancer',
      `${failed.length} of ${state.through.length} requests through ${t.lbHost} failed (${[...new Set(failed.map((a) => a.error ?? `HTTP ${a.status}`))].join(', ')})`,
    );
  const seen = new Set(state.through.filter((a) => a.status === 200).map((a) => a.host));
  const shouldServe = t.pool.filter((h) => !(crashed.has(h) && !x.strict) && state.direct.get(h)?.status === 200);
  const unseen = shouldServe.filter((h) => !seen.has(h));
  if (unseen.length > 0) add('balancer', `requests through ${t.lbHost} never reached ${unseen.join(', ')} (running, but not served)`);
  const wrong = state.through.filter((a) => a.status === 200 && fleetRelease && a.release !== fleetRelease);
  if (wrong.length > 0)
    add(
      'balancer',
      `${t.lbHost} served ${[...new Set(wrong.map((a) => `${a.release} from ${a.host}`))].join(', ')} while the fleet is on ${fleetRelease}`,
    );

  if (run.traffic && run.traffic.failures > 0) {
    add(
      'outage',
      `${run.traffic.failures} of ${run.traffic.requests} requests through ${t.lbHost} failed while the run ran (${run.traffic.errors.join('; ')})`,
    );
  }

  if (state.media && state.media.status !== 200)
    add('media', `${t.mediaHost} answers HTTP ${state.media.status} for the assets of ${state.media.release}`);

  // lock
  const lock = state.hosts.get(t.lockHost)?.lock;
  if (lock !== undefined) {
    const named = /lock/i.test(run.text) && LOCK_COMMAND.test(run.text);
    if (x.strict) add('lock', `the lock on ${t.lockHost} is still held (release ${lock || '?'}) after the recovery deploy`);
    else if (!killed && !named)
      add('lock', `the lock on ${t.lockHost} is left (release ${lock || '?'}) and the output does not name the command that releases it`);
  }

  // leftovers: uploads and releases that never went live (after the recovery: none at all)
  if (x.strict) {
    for (const h of hosts.filter((h) => h.alive)) {
      const live = new Set([
        ...h.log.filter((l) => l.outcome === 'deployed' || l.outcome === 'rolled-back').map((l) => l.release),
        ...(x.seenLive?.get(h.name) ?? []),
      ]);
      const halfBuilt = h.releases.filter((r) => r.id !== h.current && !r.bad && !live.has(r.id)).map((r) => r.id);
      if (h.uploads.length > 0) add('leftovers', `${h.name}: uploads left: ${h.uploads.join(', ')}`);
      if (halfBuilt.length > 0) add('leftovers', `${h.name}: releases that never went live left: ${halfBuilt.join(', ')}`);
    }
  }

  // revisions.log: valid JSON lines that tell the truth
  for (const h of hosts.filter((h) => h.alive)) {
    if (h.badLogLines.length > 0) add('log', `${h.name}: revisions.log has lines that are not JSON: ${h.badLogLines[0]!.slice(0, 80)}`);
    if (!x.target || run.code === null) continue;
    const mine = h.log.filter((l) => l.release === x.target);
    if (x.verb === 'deploy') {
      const deployed = mine.some((l) => l.outcome === 'deployed');
      if (succeeded && !deployed) {
        const warned = run.warnings.some((w) => (w.host === h.name || w.message.includes(h.name)) && /log/i.test(w.message));
        if (x.strict || !warned)
          add(
            'log',
            `${h.name}: ${x.target} went live but revisions.log does not say so${x.strict ? '' : ', and no warning says the log failed there'}`,
          );
      }
      if (!succeeded && deployed && fleetRelease !== x.target)
        add('log', `${h.name}: revisions.log says ${x.target} was deployed, but the host is on ${h.current}`);
    } else {
      const now = mine.filter((l) => l.outcome === 'rolled-back').length;
      const then = x.rolledBackBefore?.get(h.name) ?? 0;
      if (
        succeeded &&
        now <= then &&
        !run.warnings.some((w) => (w.host === h.name || w.message.includes(h.name)) && /log/i.test(w.message))
      ) {
        add('log', `${h.name}: rolled back to ${x.target} but revisions.log does not say so`);
      }
      if (!succeeded && now > then && fleetRelease !== x.target)
        add('log', `${h.name}: revisions.log says rolled back to ${x.target}, but the host is on ${h.current}`);
    }
  }

  // exit code and message
  const f = landedIn(x.fault, run);
  if (f && f.kind !== 'kill-client' && !x.strict && run.code !== null) {
    const want = expectedExit(f.phase, f.kind === 'crash' || f.kind === 'drop-mid' ? 'drop' : f.kind);
    const absorbed = run.code === 0 && fleetRelease !== undefined && fleetRelease === x.target && f.phase !== 'after';
    if (run.code !== want && !absorbed)
      add(
        'exit',
        `exit ${run.code}, expected ${want} for a ${f.kind} in ${f.step} (${f.phase === 'before' ? 'before any switch' : f.phase === 'switch' ? 'during the switch' : 'after it went live everywhere'})`,
      );
    if (run.code !== 0) {
      // A crash lands a moment after its event: the host may have gone on to the next step of the same phase by then.
      const steps = f.kind === 'crash' ? stepsFrom(f.step, f.phase) : [f.step];
      if (!run.error.includes(f.host) || !steps.some((s) => namesStep(run.error, s)))
        add('message', `the error does not name ${f.host} and ${steps.join(' or ')}: ${firstLine(run.error)}`);
    } else if (f.phase === 'after' && !(f.kind === 'crash' && run.finished?.has(`${f.host}:${f.step}`))) {
      // (A crash that landed after the host's step had ended well left nothing to warn about.)
      const named = run.warnings.some((w) => (w.host === f.host || w.message.includes(f.host)) && namesStep(w.message, f.step));
      if (!named) add('message', `exit 0 without a warning that names ${f.host} and ${f.step}`);
    }
  }
  if (x.strict && run.code !== 0) add('recovery', `the next deploy exited ${run.code ?? 'killed'}: ${firstLine(run.error)}`);
  return broken;
}

/**
 * A crash lands a moment after its event: when the host's first failed step belongs to a later phase (the install
 * ended well, the host went down during its switch), the fault is judged as a crash in that step.
 */
function landedIn<F extends NonNullable<Expectation['fault']>>(f: F | undefined, run: RunOutcome): F | undefined {
  const step = f?.kind === 'crash' ? run.failedAt?.get(f.host) : undefined;
  const phase = step ? phaseOfStep(step) : undefined;
  if (!f || !step || !phase || PHASES.indexOf(phase) <= PHASES.indexOf(f.phase)) return f;
  return { ...f, step, phase };
}

/** The switch-back's line for a pool host it left on the new release (src/tasks/switch.ts describe). */
const KEPT_NEW = /\n {2}\S+ +still on \S+, the failed release: not switched back: /;

export const firstLine = (s: string): string =>
  s
    .trim()
    .split('\n')
    .find((l) => l.trim())
    ?.trim()
    .slice(0, 200) ?? '';

/** The release each code host serves. */
export function currents(t: Topology, state: FleetState): Map<string, string | null> {
  return new Map(t.codeHosts.map((n) => [n, state.hosts.get(n)?.current ?? null]));
}

/** A fleet fit to start a point from: one release everywhere, valid, served, no lock, nothing drained. */
export function isBaseline(t: Topology, state: FleetState): string | undefined {
  const broken = judge(
    t,
    state,
    { code: 0, hung: false, error: '', warnings: [], text: '' },
    { verb: 'deploy', before: new Map(), strict: false },
  );
  const lock = state.hosts.get(t.lockHost)?.lock;
  const why = [...broken.map((b) => `${b.invariant}: ${b.why}`), ...(lock !== undefined ? [`lock held (${lock})`] : [])];
  return why.length ? why.join('; ') : undefined;
}
