/**
 * Which injections a sweep runs: every listed operation × kind (the full sweep), the CI subset (one operation of
 * every kind of step, chosen by step and description so that it does not move when an index does), and the
 * handful of client kills and host crashes at chosen --json events.
 */
import type { FaultKind } from '../../src/backends/faults.js';
import type { EventMatch, Injection } from './harness.js';
import { dropAfterWorthIt, pick, pointsOf, type Balancer, type Listing, type Phase, type ScenarioKind, type SubsetPick } from './points.js';

export type { ScenarioKind };

/** Every operation with fail and drop; drop-after on the writes of the lock host, the last batch and the balancer. */
export function fullSweep(listing: Listing, kinds: readonly FaultKind[]): Injection[] {
  const base = kinds.filter((k) => k !== 'drop-after');
  const points = pointsOf(listing, base);
  if (kinds.includes('drop-after')) {
    const hosts = new Set(['db1', 'web2', 'lb1']);
    points.push(...pointsOf(listing, ['drop-after'], (op) => hosts.has(op.host) && dropAfterWorthIt(op)));
  }
  return points.map((p) => ({
    verb: p.verb,
    kind: p.kind,
    host: p.host,
    n: p.n,
    step: p.step,
    description: p.description,
    phase: p.phase,
  }));
}

/** The CI subset of a deploy: every kind of step, fail and drop, each phase. */
export const DEPLOY_SUBSET: readonly SubsetPick[] = [
  { verb: 'deploy', step: 'check', host: 'web1', kinds: ['fail'] },
  // The lock's first try goes in the same command as the check.
  { verb: 'deploy', step: 'check', host: 'db1', match: /then lock /, kinds: ['drop'] },
  { verb: 'deploy', step: 'check', host: 'web2', match: /then lock /, kinds: ['drop-after'] },
  { verb: 'deploy', step: 'release', host: 'web2', match: /^create release/, kinds: ['fail'] },
  { verb: 'deploy', step: 'transfer', host: 'media1', match: /unpack/, kinds: ['drop'] },
  { verb: 'deploy', step: 'shared', host: 'web1', kinds: ['fail'] },
  { verb: 'deploy', step: 'install', host: 'web2', kinds: ['drop'] },
  { verb: 'deploy', step: 'migrate', host: 'db1', kinds: ['fail'] },
  { verb: 'deploy', step: 'switch', host: 'media1', kinds: ['drop'] },
  { verb: 'deploy', step: 'restart', host: 'web2', kinds: ['fail'] },
  // The 1st is the check before the first drain (src/tasks/switch.ts outOfService); the 2nd follows web1's restart.
  { verb: 'deploy', step: 'health', host: 'web1', nth: 2, kinds: ['drop'] },
  { verb: 'deploy', step: 'cleanup', host: 'web1', match: /^remove/, kinds: ['fail'] },
  { verb: 'deploy', step: 'cleanup', host: 'web2', match: /then unlock/, kinds: ['drop'] },
  { verb: 'deploy', step: 'lock', host: 'lb1', match: /^unlock/, kinds: ['fail'] },
];

/** The balancer's own operations differ per balancer. */
export const BALANCER_SUBSET: Readonly<Record<Balancer, readonly SubsetPick[]>> = {
  nginx: [
    { verb: 'deploy', step: 'balancer', host: 'lb1', match: /reload/, nth: 2, kinds: ['fail'] },
    { verb: 'deploy', step: 'balancer', host: 'lb1', match: /^read the upstream/, kinds: ['drop'] },
  ],
  haproxy: [
    { verb: 'deploy', step: 'balancer', host: 'lb1', match: /web1 in, web2 out/, kinds: ['fail'] },
    { verb: 'deploy', step: 'balancer', host: 'lb1', match: /set app\/web2 to ready/, kinds: ['drop'] },
  ],
};

export const ROLLBACK_SUBSET: readonly SubsetPick[] = [
  { verb: 'rollback', step: 'rollback', host: 'db1', match: /^mark release/, kinds: ['fail'] },
];

export function subset(listing: Listing, picks: readonly SubsetPick[]): Injection[] {
  return picks
    .filter((p) => p.verb === listing.verb)
    .flatMap((p) => pick(listing, p))
    .map((p) => ({ verb: p.verb, kind: p.kind, host: p.host, n: p.n, step: p.step, description: p.description, phase: p.phase }));
}

interface Moment {
  readonly step: string;
  readonly phase: Phase;
  readonly when: EventMatch;
  /** The host a crash takes down at that moment. */
  readonly crash: string;
  /** For drop-mid: the command that must be running when the connection drops (none: no drop-mid here). */
  readonly running?: string;
  /** For drop-mid: the injected run's restart sleeps this long first; the drop lands in that sleep or in `running`. */
  readonly slowRestart?: number;
}

const command = (step: string, host: string, nth = 1): EventMatch => ({
  type: 'command',
  step,
  host,
  nth,
  label: `command ${step} ${host}${nth > 1 ? ` #${nth}` : ''}`,
});

/**
 * The handful of moments for a client SIGKILL and a host crash: transfer, install, migrate, switch of batch 2,
 * cleanup; and for a connection lost while the command runs (the two commands long enough to be caught running).
 */
export const MOMENTS: readonly Moment[] = [
  { step: 'transfer', phase: 'before', when: command('transfer', 'media1', 2), crash: 'media1' },
  { step: 'install', phase: 'before', when: command('install', 'web1'), crash: 'web1' },
  { step: 'migrate', phase: 'before', when: command('migrate', 'db1'), crash: 'db1', running: 'node migrate\\.js' },
  { step: 'restart', phase: 'switch', when: command('restart', 'web2'), crash: 'web2', running: 'bin/restart', slowRestart: 4 },
  // Clean-up, revision log and unlock are one command per host.
  { step: 'cleanup', phase: 'after', when: command('cleanup', 'web2'), crash: 'web2' },
];

export function moments(kinds: readonly ScenarioKind[], which: readonly string[] = MOMENTS.map((m) => m.step)): Injection[] {
  return kinds.flatMap((kind) =>
    MOMENTS.filter((m) => which.includes(m.step) && (kind !== 'drop-mid' || m.running)).map((m) => ({
      verb: 'deploy' as const,
      kind,
      host: kind === 'crash' ? m.crash : (m.when.host ?? '?'),
      step: m.step,
      description:
        kind === 'crash'
          ? `stopHost(${m.crash}) at ${m.when.label}`
          : kind === 'drop-mid'
            ? `drop ${m.when.host}'s connections while ${m.slowRestart ? `the restart (its ${m.slowRestart} s sleep, then ${m.running})` : m.running} runs`
            : `SIGKILL the client at ${m.when.label}`,
      phase: m.phase,
      when: m.when,
      ...(kind === 'drop-mid' && m.running ? { running: m.running } : {}),
      ...(kind === 'drop-mid' && m.slowRestart ? { slowRestart: m.slowRestart } : {}),
    })),
  );
}
