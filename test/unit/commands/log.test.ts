import { mkdirSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { appendRevisionLog, type RevisionLogEntry } from '../../../src/commands/log.js';
import { paths } from '../../../src/commands/paths.js';
import { parseRevisionLog, revisionLog } from '../../../src/facts/log.js';
import { renders, sandbox } from './table.js';

const entry: RevisionLogEntry = {
  release: '20240102030405',
  revision: '0123456789abcdef0123456789abcdef01234567',
  user: "ann o'neil",
  time: '2024-01-02T03:04:05.000Z',
  stage: 'production',
  outcome: 'deployed',
};

describe('log commands', () => {
  renders([
    [
      'appendRevisionLog: one JSON line, one quoted argument',
      () => appendRevisionLog(paths('/srv/my app'), entry),
      `printf '%s\\n' '{"release":"20240102030405","revision":"0123456789abcdef0123456789abcdef01234567","user":"ann o'\\''neil","time":"2024-01-02T03:04:05.000Z","stage":"production","outcome":"deployed"}' >> '/srv/my app/revisions.log' && { { true > '/srv/my app/releases/20240102030405/.deploy-live' ; } 2>/dev/null || :; }`,
      'write',
    ],
    [
      'appendRevisionLog: the message (-m) when there is one',
      () => appendRevisionLog(paths('/srv/app'), { ...entry, user: 'ann', message: 'fix: it\'s "urgent"' }),
      `printf '%s\\n' '{"release":"20240102030405","revision":"0123456789abcdef0123456789abcdef01234567","user":"ann","time":"2024-01-02T03:04:05.000Z","stage":"production","message":"fix: it'\\''s \\"urgent\\"","outcome":"deployed"}' >> /srv/app/revisions.log && { { true > /srv/app/releases/20240102030405/.deploy-live ; } 2>/dev/null || :; }`,
      'write',
    ],
    [
      'appendRevisionLog: where a promoted release came from, before the outcome',
      () =>
        appendRevisionLog(paths('/srv/app'), {
          ...entry,
          user: 'ann',
          from: { stage: 'staging', release: '20240101000000', revision: 'f'.repeat(64), sha256: 'f'.repeat(64) },
        }),
      `printf '%s\\n' '{"release":"20240102030405","revision":"0123456789abcdef0123456789abcdef01234567","user":"ann","time":"2024-01-02T03:04:05.000Z","stage":"production","from":{"stage":"staging","release":"20240101000000","revision":"${'f'.repeat(64)}","sha256":"${'f'.repeat(64)}"},"outcome":"deployed"}' >> /srv/app/revisions.log && { { true > /srv/app/releases/20240102030405/.deploy-live ; } 2>/dev/null || :; }`,
      'write',
    ],
    [
      "appendRevisionLog: a live release the log lacks first (marked late), then the run's own line, in one write",
      () =>
        appendRevisionLog(
          paths('/srv/app'),
          { ...entry, user: 'ann', outcome: 'failed' },
          { ...entry, release: '20240101000000', revision: '', user: 'ann', late: true },
        ),
      `printf '%s\\n' '{"release":"20240101000000","revision":"","user":"ann","time":"2024-01-02T03:04:05.000Z","stage":"production","late":true,"outcome":"deployed"}' '{"release":"20240102030405","revision":"0123456789abcdef0123456789abcdef01234567","user":"ann","time":"2024-01-02T03:04:05.000Z","stage":"production","outcome":"failed"}' >> /srv/app/revisions.log && { { true > /srv/app/releases/20240101000000/.deploy-live ; } 2>/dev/null || :; }`,
      'write',
    ],
  ]);

  it('says in its description which release is recorded late', () =>
    expect(appendRevisionLog(paths('/srv/app'), entry, { ...entry, release: '20240101000000', late: true }).description).toBe(
      'log release 20240101000000 as deployed (recorded late), log release 20240102030405 as deployed',
    ));
});

describe('log commands on a real shell', () => {
  const box = sandbox();
  afterAll(box.cleanup);

  it('appends lines that read back as the same entries', () => {
    expect(parseRevisionLog(box.run(revisionLog(box.p).command).stdout)).toEqual({ entries: [], malformed: [] });
    const hostile: RevisionLogEntry = { ...entry, user: 'x\n$(id)`id`\'"\\', outcome: 'failed' };
    mkdirSync(box.p.root);
    const withMessage: RevisionLogEntry = { ...entry, message: 'why:\n$(id) \'"' };
    const promoted: RevisionLogEntry = {
      ...entry,
      stage: 'production',
      from: { stage: 'staging', release: '20240101000000', revision: entry.revision },
    };
    for (const e of [entry, hostile, { ...entry, outcome: 'rolled-back' as const }, withMessage, promoted]) {
      expect(box.run(appendRevisionLog(box.p, e)).code).toBe(0);
    }
    const late: RevisionLogEntry = { ...entry, release: '20240101000000', late: true };
    expect(box.run(appendRevisionLog(box.p, entry, late)).code).toBe(0);
    const all = parseRevisionLog(box.run(revisionLog(box.p).command).stdout);
    expect(all).toEqual({
      entries: [entry, hostile, { ...entry, outcome: 'rolled-back' }, withMessage, promoted, late, entry],
      malformed: [],
    });
    const last = parseRevisionLog(box.run(revisionLog(box.p, 1).command).stdout);
    expect(last.entries).toEqual([entry]);
  });
});
