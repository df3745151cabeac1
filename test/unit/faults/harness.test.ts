/**
 * The failure-injection harness's pure parts (test/faults/): a judge that cannot see a broken promise, or a point
 * table that puts a fault in the wrong phase, would make every point "hold".
 */
import { describe, expect, it } from 'vitest';
import type { Fleet } from '../../fleet/fleet.js';
import { judge, type Expectation, type FleetState, type HostState, type RunOutcome, type Topology } from '../../faults/invariants.js';
import { divergence, expectedExit, namesStep, parseFaultLog, phaseOf, signature, type Op } from '../../faults/points.js';

const t: Topology = {
  fleet: { hosts: [], key: '', knownHosts: '', sshConfig: '', stateDir: '' } as unknown as Fleet,
  balancer: 'nginx',
  deployTo: '/srv/demo',
  codeHosts: ['db1', 'media1', 'web1', 'web2'],
  pool: ['web1', 'web2'],
  lockHost: 'db1',
  lbHost: 'lb1',
  mediaHost: 'media1',
  upstreamFile: '/srv/lb/upstream.conf',
  adminSocket: '/srv/lb/haproxy.sock',
};

const OLD = '20250101000000';
const NEW = '20250101000100';

function host(name: string, over: Partial<HostState> = {}): HostState {
  return {
    name,
    alive: true,
    current: NEW,
    currentValid: true,
    releases: [
      { id: OLD, bad: false, failed: false },
      { id: NEW, bad: false, failed: false },
    ],
    uploads: [],
    log: [
      { release: OLD, outcome: 'deployed' },
      { release: NEW, outcome: 'deployed' },
    ],
    badLogLines: [],
    apps: [],
    ...over,
  };
}

function state(
  over: { hosts?: Partial<Record<string, Partial<HostState>>>; rotation?: [string, string | true][]; through?: FleetState['through'] } = {},
): FleetState {
  return {
    hosts: new Map(t.codeHosts.map((n) => [n, host(n, over.hosts?.[n] ?? {})])),
    rotation: new Map(
      over.rotation ?? [
        ['web1', true],
        ['web2', true],
      ],
    ),
    through: over.through ?? [
      { status: 200, host: 'web1', release: NEW },
      { status: 200, host: 'web2', release: NEW },
    ],
    direct: new Map([
      ['web1', { status: 200, host: 'web1', release: NEW }],
      ['web2', { status: 200, host: 'web2', release: NEW }],
    ]),
    media: { release: NEW, status: 200 },
  };
}

const ok: RunOutcome = { code: 0, hung: false, error: '', warnings: [], text: '' };
const failed = (code: number, error: string): RunOutcome => ({ code, hung: false, error, warnings: [], text: error });
const before = new Map(t.codeHosts.map((n) => [n, OLD]));
const expect0: Expectation = { verb: 'deploy', before, target: NEW, strict: false };
const invariants = (s: FleetState, r: RunOutcome, x: Expectation) => judge(t, s, r, x).map((b) => b.invariant);

/** Every code host back on OLD, serving it directly, through lb1 and on the media host. */
function backOnOld(): FleetState {
  const back = state({
    hosts: Object.fromEntries(t.codeHosts.map((n) => [n, { current: OLD, log: [{ release: OLD, outcome: 'deployed' }] }])),
  });
  return {
    ...back,
    through: back.through.map((a) => ({ ...a, release: OLD })),
    direct: new Map([...back.direct].map(([k, a]) => [k, { ...a, release: OLD }])),
    media: { release: OLD, status: 200 },
  };
}

describe('judge', () => {
  it('a deploy that went live everywhere breaks nothing', () => {
    expect(judge(t, state(), ok, expect0)).toEqual([]);
    expect(judge(t, state(), ok, { ...expect0, strict: true })).toEqual([]);
  });

  it('a failure before the switch that left every host on the old release, with the right exit and message, breaks nothing', () => {
    const s = backOnOld();
    const fault = { kind: 'fail' as const, host: 'web2', step: 'install', phase: 'before' as const };
    expect(judge(t, s, failed(5, 'install failed on 1 host(s):\n  web2: install: command failed'), { ...expect0, fault })).toEqual([]);
    expect(invariants(s, failed(4, 'web2: connection lost while running install dependencies'), { ...expect0, fault })).toEqual(['exit']);
    expect(invariants(s, failed(5, 'db1: log failed'), { ...expect0, fault })).toEqual(['message']);
  });

  it('a host crashed at an event may have gone on to the next step of the phase: the error may name that one, not a later phase', () => {
    const s = backOnOld();
    const crash = { kind: 'crash' as const, host: 'media1', step: 'transfer', phase: 'before' as const };
    const lost = (step: string) => failed(4, `${step} failed on 1 host(s):\n  media1: ${step}: connection lost while running it`);
    expect(invariants(s, lost('shared'), { ...expect0, fault: crash })).toEqual([]);
    expect(invariants(s, lost('switch'), { ...expect0, fault: crash })).toEqual(['message']);
    // A fault injected at an operation names exactly its step.
    expect(invariants(s, lost('shared'), { ...expect0, fault: { ...crash, kind: 'drop' } })).toEqual(['message']);
  });

  it('a crash at an event that landed in a later phase (the host went down during its switch) is judged as a crash there', () => {
    const s = backOnOld();
    const down: FleetState = {
      ...s,
      rotation: new Map<string, string | true>([...s.rotation, ['web1', 'marked down in /srv/lb/upstream.conf']]),
    };
    const crash = { kind: 'crash' as const, host: 'web1', step: 'install', phase: 'before' as const };
    const run = failed(6, 'release failed while switching: switch failed on 1 host(s):\n  web1: switch: connection refused');
    const x = { ...expect0, fault: crash, crashed: ['web1'] };
    expect(invariants(down, { ...run, failedAt: new Map([['web1', 'switch']]) }, x)).toEqual([]);
    expect(invariants(down, run, x)).toEqual(['exit', 'message']);
    // Once it is back, the next deploy must have brought it into rotation.
    expect(invariants(down, ok, { ...expect0, target: OLD, strict: true })).toContain('balancer');
  });

  it('a switch-back that left a pool host serving the new release alone keeps the fleet on it: one release, said in the error', () => {
    const crash = { kind: 'crash' as const, host: 'web2', step: 'restart', phase: 'switch' as const };
    const x = { ...expect0, fault: crash, crashed: ['web2'] };
    const error = `release ${NEW} failed while switching: switch failed on 1 host(s):\n  web2: restart: connection refused\nafter switching back:\n  web1    still on ${NEW}, the failed release: not switched back: lb1 serves it alone and could not take it out of rotation, so restarting it would fail every request · in rotation\n  media1  still on ${NEW}, the failed release: kept on it with web1, which still serves it`;
    expect(invariants(state(), failed(6, error), x)).toEqual([]);
    expect(invariants(state(), failed(6, error.replace(/still on/g, 'on')), x)).toEqual(['release']);
  });

  it.each([
    ['current', { hosts: { web2: { currentValid: false } } }],
    ['release', { hosts: { web2: { current: OLD } } }],
    [
      'balancer',
      {
        rotation: [
          ['web1', true],
          ['web2', 'marked down in /srv/lb/upstream.conf'],
        ] as [string, string | true][],
      },
    ],
    [
      'balancer',
      {
        through: [
          { status: 200, host: 'web1', release: NEW },
          { status: 200, host: 'web1', release: NEW },
        ],
      },
    ],
    ['balancer', { through: [{ status: 502 }, { status: 200, host: 'web1', release: NEW }, { status: 200, host: 'web2', release: NEW }] }],
    ['lock', { hosts: { db1: { lock: NEW } } }],
    ['log', { hosts: { web1: { badLogLines: ['{"release":'] } } }],
    ['log', { hosts: { web1: { log: [{ release: OLD, outcome: 'deployed' }] } } }],
  ] as const)('%s: %j', (invariant, over) => {
    expect(invariants(state(over as Parameters<typeof state>[0]), ok, expect0)).toContain(invariant);
  });

  it('app: a pool host that does not answer, or serves another release than its current', () => {
    const s = state();
    expect(
      invariants(
        {
          ...s,
          direct: new Map([
            ['web1', { status: 0, error: 'ECONNREFUSED' }],
            ['web2', s.direct.get('web2')!],
          ]),
        },
        ok,
        expect0,
      ),
    ).toContain('app');
    expect(
      invariants(
        {
          ...s,
          direct: new Map([
            ['web1', { status: 200, release: OLD }],
            ['web2', s.direct.get('web2')!],
          ]),
        },
        ok,
        expect0,
      ),
    ).toContain('app');
  });

  it('exit: a fault after the switch must end 0 with a warning that names host and step; a lock left must name the command', () => {
    const fault = { kind: 'fail' as const, host: 'db1', step: 'lock', phase: 'after' as const };
    const locked = state({ hosts: { db1: { lock: NEW } } });
    expect(invariants(locked, failed(5, 'db1: lock: command failed'), { ...expect0, fault })).toEqual(
      expect.arrayContaining(['exit', 'release', 'lock']),
    );
    const warned: RunOutcome = {
      ...ok,
      warnings: [{ host: 'db1', message: 'the lock on db1 could not be released: run `deploy unlock staging`' }],
      text: 'the lock on db1 could not be released: run `deploy unlock staging`',
    };
    expect(judge(t, locked, warned, { ...expect0, fault })).toEqual([]);
    expect(invariants(locked, warned, { ...expect0, fault, strict: true })).toEqual(['lock']);
  });

  it('a crash after the switch that landed once the host’s step had ended well needs no warning; one that cut it off does', () => {
    const crash = { kind: 'crash' as const, host: 'web2', step: 'cleanup', phase: 'after' as const };
    expect(invariants(state(), { ...ok, finished: new Set(['web2:cleanup']) }, { ...expect0, fault: crash })).toEqual([]);
    expect(invariants(state(), { ...ok, finished: new Set(['web1:cleanup']) }, { ...expect0, fault: crash })).toEqual(['message']);
    expect(invariants(state(), { ...ok, finished: new Set(['web2:cleanup']) }, { ...expect0, fault: { ...crash, kind: 'fail' } })).toEqual([
      'message',
    ]);
  });

  it('leftovers (strict): uploads and releases that never went live, unless seen live or marked bad', () => {
    const left = state({
      hosts: {
        web1: {
          uploads: ['20250101000200.tar.gz'],
          releases: [
            { id: OLD, bad: false, failed: false },
            { id: NEW, bad: false, failed: false },
            { id: '20250101000050', bad: false, failed: false },
          ],
        },
      },
    });
    expect(invariants(left, ok, { ...expect0, strict: true }).filter((i) => i === 'leftovers')).toHaveLength(2);
    expect(invariants(left, ok, expect0)).not.toContain('leftovers');
    const known = state({
      hosts: {
        web1: {
          releases: [
            { id: '20250101000050', bad: true, failed: false },
            { id: NEW, bad: false, failed: false },
          ],
        },
      },
    });
    expect(invariants(known, ok, { ...expect0, strict: true })).not.toContain('leftovers');
    const seen = state({
      hosts: {
        web1: {
          releases: [
            { id: '20250101000050', bad: false, failed: false },
            { id: NEW, bad: false, failed: false },
          ],
        },
      },
    });
    expect(invariants(seen, ok, { ...expect0, strict: true, seenLive: new Map([['web1', new Set(['20250101000050'])]]) })).not.toContain(
      'leftovers',
    );
  });

  it('outage, recovery and hang', () => {
    expect(invariants(state(), { ...ok, traffic: { requests: 100, failures: 3, errors: ['2.0 s: HTTP 503'] } }, expect0)).toEqual([
      'outage',
    ]);
    expect(invariants(state(), failed(3, 'locked'), { ...expect0, strict: true })).toContain('recovery');
    expect(invariants(state(), { ...ok, code: null, hung: true }, expect0)).toContain('hang');
  });

  it('a killed client may leave the lock; the next deploy may not', () => {
    const locked = state({ hosts: { db1: { lock: NEW } } });
    const fault = { kind: 'kill-client' as const, host: 'web2', step: 'restart', phase: 'switch' as const };
    expect(invariants(locked, { ...ok, code: null }, { ...expect0, fault })).not.toContain('lock');
    expect(invariants(locked, ok, { ...expect0, strict: true })).toContain('lock');
  });
});

const op = (host: string, n: number, step: string, description: string, effect: 'read' | 'write' = 'write'): Op => ({
  host,
  n,
  op: 'exec',
  step,
  description,
  effect,
  at: 0,
});

describe('points', () => {
  it.each([
    [op('db1', 2, 'lock', 'lock /srv/demo'), 'before', 5, 4],
    [op('web1', 8, 'install', 'install dependencies'), 'before', 5, 4],
    [op('web2', 9, 'restart', 'restart the app'), 'switch', 6, 6],
    [op('lb1', 8, 'balancer', 'read the upstream file', 'read'), 'switch', 6, 6],
    [op('web1', 14, 'cleanup', 'remove 1 old release'), 'after', 0, 0],
    [op('db1', 15, 'lock', 'unlock /srv/demo'), 'after', 0, 0],
    [op('web1', 5, 'rollback', 'read the revision log', 'read'), 'before', 5, 4],
    [op('web1', 9, 'rollback', 'mark release 1 bad'), 'after', 0, 0],
  ] as const)('%j is %s: fail → %i, drop → %i', (o, phase, fail, drop) => {
    expect(phaseOf(o)).toBe(phase);
    expect(expectedExit(phaseOf(o), 'fail')).toBe(fail);
    expect(expectedExit(phaseOf(o), 'drop')).toBe(drop);
  });

  it('a signature leaves out what changes between runs', () => {
    const a = signature({
      op: 'exec',
      step: 'transfer',
      description: 'unpack 82511587f393 into /var/tmp/deploy-tests/repo-AbC/x, release 20261129225901',
    });
    expect(a).toBe(
      signature({
        op: 'exec',
        step: 'transfer',
        description: 'unpack 0bd68b3ed044 into /var/tmp/deploy-tests/repo-XyZ/x, release 20261129231210',
      }),
    );
    expect(a).not.toBe(signature({ op: 'exec', step: 'transfer', description: 'update the git mirror' }));
  });

  it('divergence: only what ran on the host before the point counts', () => {
    const log = (ops: [string, number, string, string][]) =>
      parseFaultLog(
        ops
          .map(([host, n, step, description]) =>
            JSON.stringify({ time: new Date(0).toISOString(), host, n, op: 'exec', step, description, effect: 'write' }),
          )
          .join('\n'),
        'deploy',
      );
    const listing = log([
      ['db1', 1, 'check', 'check'],
      ['web1', 1, 'check', 'check'],
      ['db1', 2, 'lock', 'lock /srv/demo'],
      ['db1', 3, 'release', 'create release 20250101000000'],
    ]);
    const same = log([
      ['web1', 1, 'check', 'check'],
      ['db1', 1, 'check', 'check'],
      ['db1', 2, 'lock', 'lock /srv/demo'],
      ['db1', 3, 'release', 'create release 20250101000100'],
    ]);
    expect(divergence(listing, same, 'db1', 3)).toBeUndefined();
    const renewed = log([
      ['db1', 1, 'check', 'check'],
      ['db1', 2, 'lock', 'renew the deploy lock'],
      ['db1', 3, 'lock', 'lock /srv/demo'],
    ]);
    expect(divergence(listing, renewed, 'db1', 3)).toBe(
      'db1:2 was "exec lock: renew the deploy lock", the listing has "exec lock: lock /srv/demo"',
    );
    expect(divergence(listing, log([['db1', 1, 'check', 'check']]), 'db1', 3)).toBe('the run stopped at db1:1 before reaching db1:3');
  });

  it('a message names a step by its name or by what it does', () => {
    expect(namesStep('web1: connection lost while running update the git mirror of x', 'transfer')).toBe(true);
    expect(namesStep('release 1 failed while switching; switched web1 back', 'balancer')).toBe(false);
  });
});
