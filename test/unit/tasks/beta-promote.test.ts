import { describe, expect, it } from 'vitest';
import { notPromotable } from './fixtures.js';
import { ConnectionError } from '../../../src/errors.js';
import { betaPromotion } from '../../../src/tasks/beta-promote.js';
import type { HostStatus, StageStatus } from '../../../src/tasks/status.js';

const LIVE = '20260101000000';
const BETA = '20260102000000';
const OTHER = '20260103000000';
const REV = 'a'.repeat(40);
const marker = { release: BETA, revision: REV, live: LIVE };

const host = (o: Partial<HostStatus> & { host: string }): HostStatus => ({
  roles: ['web'],
  current: LIVE,
  dangling: false,
  revision: REV,
  health: 'healthy',
  rotation: 'in',
  bad: [],
  ...o,
});
const betaHost = (o: Partial<HostStatus> & { host: string }) => host({ current: BETA, rotation: 'out', beta: marker, ...o });

const stage = (hosts: HostStatus[], o: Partial<StageStatus> = {}): StageStatus => ({
  stage: 'staging',
  hosts,
  lock: { host: 'db1', state: 'unlocked' },
  mixed: new Map(),
  unreachable: hosts.filter((h) => h.error !== undefined).map((h) => h.host),
  ...o,
});

const code = ['web1', 'web2', 'web3', 'db1'];
const refusal = (s: StageStatus): string => notPromotable(() => betaPromotion(s, code));

describe('betaPromotion: the beta a stage runs and where it goes, or why it cannot be promoted', () => {
  it('the beta hosts keep their release; every other code host (in inventory order, whatever it serves) gets it', () => {
    const s = stage([
      betaHost({ host: 'web3' }),
      host({ host: 'db1', roles: ['db'], health: 'n/a' }),
      host({ host: 'web1', health: 'unhealthy' }),
      betaHost({ host: 'web2' }),
      host({ host: 'lb1', roles: ['balancer'], current: null, revision: null, health: 'n/a' }),
    ]);
    expect(betaPromotion(s, code)).toEqual({
      release: BETA,
      revision: REV,
      beta: ['web2', 'web3'],
      live: new Map([
        ['web2', LIVE],
        ['web3', LIVE],
      ]),
      others: ['web1', 'db1'],
    });
  });

  it.each([
    ['no beta running', [host({ host: 'web1' }), host({ host: 'web2' })], 'no beta runs on stage staging; nothing was promoted'],
    [
      'beta hosts on two betas',
      [host({ host: 'web1' }), betaHost({ host: 'web2' }), betaHost({ host: 'web3', current: OTHER, beta: { ...marker, release: OTHER } })],
      `the beta hosts of staging are on mixed releases (${BETA} on web2; ${OTHER} on web3); nothing was promoted`,
    ],
    [
      'a beta host whose current is not its beta (switched by hand)',
      [host({ host: 'web1' }), betaHost({ host: 'web2', current: LIVE })],
      `the beta hosts of staging are on mixed releases (${LIVE} (marked beta ${BETA}) on web2); nothing was promoted`,
    ],
    [
      'a beta host whose current dangles',
      [host({ host: 'web1' }), betaHost({ host: 'web2' }), betaHost({ host: 'web3', dangling: true })],
      `the beta hosts of staging are on mixed releases (${BETA} on web2; no release (marked beta ${BETA}) on web3); nothing was promoted`,
    ],
    [
      'an unhealthy beta host',
      [host({ host: 'web1' }), betaHost({ host: 'web2', health: 'unhealthy' })],
      `the beta of staging is unhealthy on web2 (release ${BETA}); nothing was promoted`,
    ],
    [
      'a marker without a revision',
      [host({ host: 'web1' }), betaHost({ host: 'web2', beta: { ...marker, revision: '' } })],
      `the beta markers of release ${BETA} do not name one revision (none on web2); nothing was promoted`,
    ],
    [
      'every code host in the beta',
      [betaHost({ host: 'web1' }), betaHost({ host: 'web2' })],
      'every code host of staging serves the beta: there is no other host to promote it to',
    ],
  ])('refuses: %s', (_name, hosts, message) => expect(refusal(stage(hosts))).toBe(message));

  it("refuses while a run holds the stage's lock", () => {
    const lock = {
      host: 'db1',
      state: 'locked',
      token: 't',
      info: { owner: 'ann@ci', message: '', verb: 'deploy', run: '20260101-000000', token: 't' },
      clock: { now: 1_767_225_900, since: 1_767_225_600, expires: 1_767_226_500 },
    } as const;
    expect(refusal(stage([host({ host: 'web1' }), betaHost({ host: 'web2' })], { lock }))).toMatch(
      /^staging is locked on db1 by ann@ci \(deploy 20260101-000000\).*: its beta may be changing; nothing was promoted$/,
    );
  });

  it('an unreadable host is a connection error (exit 4) naming it', () => {
    const s = stage([host({ host: 'web1', error: 'connect ECONNREFUSED' }), betaHost({ host: 'web2' })]);
    expect(() => betaPromotion(s, code)).toThrow(ConnectionError);
    expect(() => betaPromotion(s, code)).toThrow(/^web1: could not be read, so the beta of staging is unknown/);
  });
});
