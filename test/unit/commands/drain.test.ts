import { afterAll, describe, expect, it } from 'vitest';
import { markDrained, unmarkDrained } from '../../../src/commands/drain.js';
import { paths } from '../../../src/commands/paths.js';
import { drainedSince, parseDrainedSince } from '../../../src/facts/drain.js';
import { renders, sandbox } from './table.js';

const p = paths('/srv/app');

describe('drain commands', () => {
  renders([
    [
      'mark: the host writes the time by its own clock, once',
      () => markDrained(p),
      'mkdir -p /srv/app && if [ -f /srv/app/.drained ] ; then : ; else date -u +%Y-%m-%dT%H:%M:%SZ > /srv/app/.drained ; fi',
      'write',
    ],
    ['unmark', () => unmarkDrained(p), 'rm -f /srv/app/.drained', 'write'],
    ['read', () => drainedSince(p).command, 'if [ -f /srv/app/.drained ] ; then cat /srv/app/.drained ; fi', 'read'],
  ]);

  const box = sandbox();
  afterAll(() => box.cleanup());

  it('a second drain keeps the first time; undrain forgets it; the fact reads it back', () => {
    const since = drainedSince(box.p);
    expect(since.parse(box.run(since.command).stdout)).toBeNull();
    expect(box.run(markDrained(box.p)).code).toBe(0);
    const first = since.parse(box.run(since.command).stdout);
    expect(first).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    expect(box.run(markDrained(box.p)).code).toBe(0);
    expect(since.parse(box.run(since.command).stdout)).toBe(first);
    expect(box.run(unmarkDrained(box.p)).code).toBe(0);
    expect(since.parse(box.run(since.command).stdout)).toBeNull();
  });

  it('parses only a UTC time', () => {
    expect(parseDrainedSince('2026-11-30T05:00:00Z\n')).toBe('2026-11-30T05:00:00Z');
    expect(parseDrainedSince('garbage\n')).toBeNull();
    expect(parseDrainedSince('')).toBeNull();
  });
});
