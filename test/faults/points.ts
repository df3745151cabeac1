/**
 * Injection points: what a listing run (DEPLOY_FAULTS_LOG) says a deploy or rollback does on each host, and which
 * exit code and message a fault at each operation must produce. Pure: no fleet, no processes.
 */
import type { FaultKind, FaultLogEntry, FaultNote } from '../../src/backends/faults.js';

export type Verb = 'deploy' | 'rollback';
/** Where in the run an operation happens, which decides the documented exit code of a failure there. */
export type Phase = 'before' | 'switch' | 'after';
export type Balancer = 'nginx' | 'haproxy';
/** Injections at a --json event: a client SIGKILL, a host crash, a connection drop while a command runs. */
export type ScenarioKind = 'kill-client' | 'crash' | 'drop-mid';

export interface Op {
  readonly host: string;
  readonly n: number;
  readonly op: 'exec' | 'upload';
  readonly step: string;
  readonly description: string;
  readonly effect: 'read' | 'write';
  readonly injected?: FaultKind;
  /** Milliseconds since the run's first operation. */
  readonly at: number;
}

export interface Listing {
  readonly verb: Verb;
  /** Every operation in the order they started. */
  readonly ops: readonly Op[];
  readonly notes: readonly FaultNote[];
}

export function parseFaultLog(text: string, verb: Verb): Listing {
  const ops: Op[] = [];
  const notes: FaultNote[] = [];
  let t0: number | undefined;
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    const e = JSON.parse(line) as FaultLogEntry | FaultNote;
    if ('note' in e) {
      notes.push(e);
      continue;
    }
    const t = Date.parse(e.time);
    t0 ??= t;
    ops.push({
      host: e.host,
      n: e.n,
      op: e.op,
      step: e.step ?? '?',
      description: e.description,
      effect: e.effect,
      ...(e.injected ? { injected: e.injected } : {}),
      at: t - t0,
    });
  }
  return { verb, ops, notes };
}

/** Operations of one host, in order (n = 1, 2, …). */
export function opsOf(listing: Listing, host: string): Op[] {
  return listing.ops.filter((o) => o.host === host).sort((a, b) => a.n - b.n);
}

/** What an operation is, without this run's ids: release ids, commit shas and scratch paths vary between runs. */
export function signature(op: Pick<Op, 'op' | 'step' | 'description'>): string {
  const d = op.description
    .replace(/\d{14}/g, '<release>')
    .replace(/\b[0-9a-f]{12,64}\b/g, '<sha>')
    .replace(/\/var\/tmp\/deploy-tests\/[^\s/]+/g, '<scratch>')
    .replace(/\/tmp\/deploy-artifact-[^\s/]+/g, '<artifact>')
    .replace(/remove \d+ old releases?/, 'remove old releases');
  return `${op.op} ${op.step}: ${d}`;
}

/**
 * The first operation on `host` before `n` whose signature differs from the listing's, or the listing's operation
 * at n differing: then an injected run did not do what the listing did, and the point must be listed again.
 */
export function divergence(listing: Listing, run: Listing, host: string, n: number): string | undefined {
  const want = opsOf(listing, host);
  const got = opsOf(run, host);
  for (let i = 0; i < n; i++) {
    const w = want[i];
    const g = got[i];
    if (!w) return `the listing has no operation ${host}:${i + 1}`;
    if (!g) return i === n - 1 ? `the run never reached ${host}:${n}` : `the run stopped at ${host}:${i} before reaching ${host}:${n}`;
    if (signature(w) !== signature(g)) return `${host}:${i + 1} was "${signature(g)}", the listing has "${signature(w)}"`;
  }
  return undefined;
}

/** The deploy's steps in the order they run, by phase. */
const PHASE_STEPS: Readonly<Record<Phase, readonly string[]>> = {
  before: ['check', 'lock', 'release', 'transfer', 'shared', 'install', 'migrate'],
  switch: ['switch', 'restart', 'health', 'balancer'],
  after: ['cleanup', 'log'],
};
export const PHASES = Object.keys(PHASE_STEPS) as readonly Phase[];
const STEP_ORDER = Object.values(PHASE_STEPS).flat();

/** The phase of an operation: before any host switched, during the switch, or after it went live everywhere. */
export function phaseOf(op: Op): Phase {
  if (op.step === 'lock') return /^unlock\b/.test(op.description) ? 'after' : 'before';
  // rollback reads what each host has first, and marks and logs after the switch.
  if (op.step === 'rollback') return op.effect === 'read' ? 'before' : 'after';
  return phaseOfStep(op.step) ?? (op.step.startsWith('task:') ? 'before' : 'switch');
}

/** README "Exit codes" for a fault of this kind in this phase; `0` means: the run succeeds with a warning. */
export function expectedExit(phase: Phase, kind: FaultKind): number {
  if (phase === 'after') return 0;
  if (phase === 'switch') return 6;
  return kind === 'fail' ? 5 : 4;
}

/** Words by which an error or warning names a step (a step is named by its name or what it does). */
export const STEP_WORDS: Record<string, RegExp> = {
  check: /check|preflight/i,
  lock: /lock/i,
  release: /release/i,
  transfer: /transfer|upload|mirror|unpack/i,
  shared: /shared/i,
  install: /install/i,
  migrate: /migrat/i,
  switch: /switch/i,
  restart: /restart/i,
  health: /health/i,
  balancer: /balancer|nginx|haproxy|upstream/i,
  cleanup: /clean/i,
  log: /revision|log\b/i,
  rollback: /rollback|roll back|mark/i,
};

/** The phase a deploy step belongs to; undefined for a step outside the three (switchback, mark-bad, …). */
export function phaseOfStep(step: string): Phase | undefined {
  return PHASES.find((p) => PHASE_STEPS[p].includes(step));
}

/** `step` and the steps after it in the same phase (a step not in the order: itself). */
export function stepsFrom(step: string, phase: Phase): string[] {
  const i = STEP_ORDER.indexOf(step);
  if (i < 0) return [step];
  return STEP_ORDER.slice(i).filter((s) => phaseOfStep(s) === phase);
}

export const namesStep = (text: string, step: string): boolean =>
  (STEP_WORDS[step] ?? new RegExp(step.replace(/[^\w]/g, '.'), 'i')).test(text);

export interface Point {
  readonly verb: Verb;
  readonly kind: FaultKind;
  readonly host: string;
  readonly n: number;
  readonly step: string;
  readonly description: string;
  readonly phase: Phase;
}

export const pointId = (p: Pick<Point, 'verb' | 'kind' | 'host' | 'n'>): string => `${p.verb}:${p.kind}@${p.host}:${p.n}`;

export function pointsOf(listing: Listing, kinds: readonly FaultKind[], filter: (op: Op) => boolean = () => true): Point[] {
  const byHostThenN = [...listing.ops].sort((a, b) => a.at - b.at || a.n - b.n);
  return byHostThenN.filter(filter).flatMap((op) =>
    kinds.map((kind) => ({
      verb: listing.verb,
      kind,
      host: op.host,
      n: op.n,
      step: op.step,
      description: op.description,
      phase: phaseOf(op),
    })),
  );
}

/** drop-after matters where an effect the client never hears of changes what the next run finds. */
export const dropAfterWorthIt = (op: Op): boolean => op.effect === 'write';

/**
 * The CI subset: for every kind of step, one operation, alternating fail and drop so both kinds meet every phase.
 * Chosen by step and description (not by index), so it does not move when a step gains an operation.
 */
export interface SubsetPick {
  readonly verb: Verb;
  readonly step: string;
  readonly host: string;
  /** Matches the description; the first matching operation of the host and step. */
  readonly match?: RegExp;
  readonly kinds: readonly FaultKind[];
  /** Which occurrence of matching operations (1 = first). */
  readonly nth?: number;
}

export function pick(listing: Listing, p: SubsetPick): Point[] {
  const found = opsOf(listing, p.host).filter((o) => o.step === p.step && (!p.match || p.match.test(o.description)));
  const op = found[(p.nth ?? 1) - 1];
  if (!op) throw new Error(`no operation ${p.step}${p.match ? ` matching ${p.match}` : ''} on ${p.host} in the ${listing.verb} listing`);
  return p.kinds.map((kind) => ({
    verb: listing.verb,
    kind,
    host: op.host,
    n: op.n,
    step: op.step,
    description: op.description,
    phase: phaseOf(op),
  }));
}

/** Per host, how many operations; for the summary line of a listing. */
export function countsOf(listing: Listing): string {
  const counts = new Map<string, number>();
  for (const o of listing.ops) counts.set(o.host, Math.max(counts.get(o.host) ?? 0, o.n));
  return [...counts].map(([h, n]) => `${h} ${n}`).join(', ');
}
