import { describe, expect, it } from 'vitest';
import type { RevisionLogEntry } from '../../../src/commands/log.js';
import { paths } from '../../../src/commands/paths.js';
import { parseRevisionLog, revisionLog } from '../../../src/facts/log.js';
import { parses, probes } from './table.js';

const entry: RevisionLogEntry = {
  release: '20240102030405',
  revision: '0123456789abcdef0123456789abcdef01234567',
  user: 'ann',
  time: '2024-01-02T03:04:05.000Z',
  stage: 'production',
  outcome: 'deployed',
};
const line = (e: object) => JSON.stringify(e);

describe('revision log', () => {
  probes([
    ['revisionLog', revisionLog(paths('/srv/app')), 'if [ -f /srv/app/revisions.log ] ; then cat /srv/app/revisions.log ; fi'],
    [
      'revisionLog with a limit',
      revisionLog(paths('/srv/my app'), 20),
      "if [ -f '/srv/my app/revisions.log' ] ; then tail -n 20 '/srv/my app/revisions.log' ; fi",
    ],
  ]);

  it('refuses a limit below 1', () => expect(() => revisionLog(paths('/srv/app'), 0)).toThrow(RangeError));

  const rolledBack = { ...entry, release: '20240103000000', outcome: 'rolled-back' };
  parses('parseRevisionLog', parseRevisionLog, [
    ['no log yet', '', { entries: [], malformed: [] }],
    ['entries in file order', `${line(entry)}\n${line(rolledBack)}\n`, { entries: [entry, rolledBack], malformed: [] }],
    ['extra keys dropped', `${line({ ...entry, note: 'x' })}\n`, { entries: [entry], malformed: [] }],
    [
      'where a promoted release came from: another stage, or the beta of the same one',
      `${line({ ...entry, from: { stage: 'staging', release: '20240101000000', revision: entry.revision } })}\n${line({ ...entry, from: { stage: 'production', release: entry.release, revision: entry.revision, beta: true } })}\n`,
      {
        entries: [
          { ...entry, from: { stage: 'staging', release: '20240101000000', revision: entry.revision } },
          { ...entry, from: { stage: 'production', release: entry.release, revision: entry.revision, beta: true } },
        ],
        malformed: [],
      },
    ],
    [
      'a line recorded late (by a later run) says so; only `late: true` counts',
      `${line({ ...entry, late: true })}\n${line({ ...entry, late: 'yes' })}\n`,
      { entries: [{ ...entry, late: true }, entry], malformed: [] },
    ],
    ['blank lines skipped', `\n${line(entry)}\n\n`, { entries: [entry], malformed: [] }],
    [
      'malformed lines flagged, the rest kept',
      `${line(entry)}\n{"release":\nnot json\n[1,2]\n${line({ ...entry, user: 7 })}\n${line({ ...entry, outcome: 'exploded' })}\n${line(rolledBack)}\n`,
      {
        entries: [entry, rolledBack],
        malformed: [
          { line: 2, text: '{"release":', error: 'not JSON' },
          { line: 3, text: 'not json', error: 'not JSON' },
          { line: 4, text: '[1,2]', error: 'not a JSON object' },
          { line: 5, text: line({ ...entry, user: 7 }), error: 'missing user' },
          { line: 6, text: line({ ...entry, outcome: 'exploded' }), error: 'unknown outcome "exploded"' },
        ],
      },
    ],
  ]);
});
