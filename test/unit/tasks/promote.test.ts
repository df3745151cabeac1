import { mkdtempSync, readdirSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { notPromotable } from './fixtures.js';
import { ConnectionError } from '../../../src/errors.js';
import { cachedArtifact, keepArtifact, KEEP_ARTIFACTS } from '../../../src/tasks/artifact-cache.js';
import { servedRelease } from '../../../src/tasks/promote.js';
import type { HostStatus, StageStatus } from '../../../src/tasks/status.js';
import { sha256File } from '../../../src/tasks/transfer.js';

const R1 = '20260101000000';
const R2 = '20260102000000';
const REV = 'a'.repeat(40);

const host = (o: Partial<HostStatus> & { host: string }): HostStatus => ({
  roles: ['web'],
  current: R1,
  dangling: false,
  revision: REV,
  health: 'healthy',
  rotation: 'in',
  bad: [],
  ...o,
});

const stage = (hosts: HostStatus[], o: Partial<StageStatus> = {}): StageStatus => ({
  stage: 'staging',
  hosts,
  lock: { host: 'db1', state: 'unlocked' },
  mixed: new Map(),
  unreachable: hosts.filter((h) => h.error !== undefined).map((h) => h.host),
  ...o,
});

const code = new Set(['web1', 'web2', 'db1']);
const refusal = (s: StageStatus): string => notPromotable(() => servedRelease(s, code));

describe('servedRelease: what a stage serves, or why it cannot be promoted', () => {
  it('one release with one revision on every code host, healthy: that one (hosts outside the code roles do not count)', () => {
    const s = stage([
      host({ host: 'web1' }),
      host({ host: 'web2' }),
      host({ host: 'db1', roles: ['db'], health: 'n/a' }),
      host({ host: 'lb1', roles: ['balancer'], current: null, revision: null, health: 'n/a' }),
    ]);
    expect(servedRelease(s, code)).toEqual({ release: R1, revision: REV });
  });

  it.each([
    [
      'mixed releases, each with its hosts',
      [host({ host: 'web1', current: R2 }), host({ host: 'web2' }), host({ host: 'db1' })],
      `staging serves mixed releases (${R2} on web1; ${R1} on web2, db1); nothing was promoted`,
    ],
    [
      'a host without a release',
      [host({ host: 'web1' }), host({ host: 'web2', current: null, revision: null })],
      'staging serves no release on web2; nothing was promoted',
    ],
    [
      'current pointing at a missing release',
      [host({ host: 'web1' }), host({ host: 'web2', dangling: true })],
      'staging serves no release on web2; nothing was promoted',
    ],
    [
      'an unhealthy host',
      [host({ host: 'web1', health: 'unhealthy' }), host({ host: 'web2', health: 'unhealthy' }), host({ host: 'db1' })],
      `staging is unhealthy on web1, web2 (release ${R1}); nothing was promoted`,
    ],
    [
      'a release the log does not know',
      [host({ host: 'web1' }), host({ host: 'web2', revision: null })],
      `revisions.log on web2 does not say which revision release ${R1} of staging has; nothing was promoted`,
    ],
    [
      'one release id with two revisions',
      [host({ host: 'web1' }), host({ host: 'web2', revision: 'b'.repeat(40) })],
      `release ${R1} of staging has different revisions (${REV} on web1; ${'b'.repeat(40)} on web2); nothing was promoted`,
    ],
    [
      'no code host at all',
      [host({ host: 'lb1', roles: ['balancer'] })],
      'stage staging has no host that holds releases; nothing was promoted',
    ],
  ])('refuses: %s', (_name, hosts, message) => expect(refusal(stage(hosts))).toBe(message));

  it("refuses while a run holds the stage's lock: what it serves may be changing", () => {
    const lock = {
      host: 'db1',
      state: 'locked',
      token: 't',
      info: { owner: 'ann@ci', message: '', verb: 'deploy', run: '20260101-000000', token: 't' },
      clock: { now: 1_767_225_900, since: 1_767_225_600, expires: 1_767_226_500 },
    } as const;
    expect(refusal(stage([host({ host: 'web1' })], { lock }))).toMatch(
      /^staging is locked on db1 by ann@ci \(deploy 20260101-000000\).*: what it serves may be changing; nothing was promoted$/,
    );
  });

  it('an unreadable host is a connection error (exit 4) naming it', () => {
    const s = stage([host({ host: 'web1' }), host({ host: 'web2', error: 'connect ECONNREFUSED' })]);
    expect(() => servedRelease(s, code)).toThrow(ConnectionError);
    expect(() => servedRelease(s, code)).toThrow(/^web2: could not be read, so what staging serves is unknown/);
  });
});

describe('the artifact cache (.deploy/artifacts, by sha256)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'promote-cache-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const artifact = async (text: string, where = dir) => {
    const file = join(where, `${text}.tar.gz`);
    writeFileSync(file, text);
    return { file, sha256: await sha256File(file) };
  };

  it('keeps a copy under its sha256 that reads back as the same bytes; missing and corrupt copies are told apart', async () => {
    const a = await artifact('one');
    const kept = await keepArtifact(dir, a);
    expect(kept).toBe(join(dir, '.deploy', 'artifacts', `${a.sha256}.tar.gz`));
    expect(await cachedArtifact(dir, a.sha256)).toMatchObject({ file: kept, sha256: a.sha256, bytes: 3 });
    const other = await artifact('two');
    expect(await cachedArtifact(dir, other.sha256)).toMatchObject({ problem: 'missing' });
    writeFileSync(kept, 'changed');
    expect(await cachedArtifact(dir, a.sha256)).toMatchObject({ problem: 'corrupt', file: kept });
  });

  it(`keeps the ${KEEP_ARTIFACTS} used last`, async () => {
    const project = mkdtempSync(join(dir, 'lru-'));
    const all = [];
    for (let i = 0; i < KEEP_ARTIFACTS + 2; i++) {
      const a = await artifact(`v${i}`, project);
      const kept = await keepArtifact(project, a);
      const t = new Date(Date.UTC(2026, 0, 1, 0, i));
      utimesSync(kept, t, t);
      all.push(a.sha256);
    }
    // Keeping the oldest again makes it the one used last.
    await keepArtifact(project, { file: join(project, 'v0.tar.gz'), sha256: all[0]! });
    const left = readdirSync(join(project, '.deploy', 'artifacts')).map((n) => n.replace('.tar.gz', ''));
    expect(left.sort()).toEqual([all[0], ...all.slice(-(KEEP_ARTIFACTS - 1))].sort());
  });
});
