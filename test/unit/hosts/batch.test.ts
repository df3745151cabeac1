import { describe, expect, it } from 'vitest';
import type { BatchSize } from '../../../src/config/types.js';
import { batches, batchSize } from '../../../src/hosts/batch.js';

const hosts = (n: number) => Array.from({ length: n }, (_, i) => `h${i + 1}`);

describe('batches', () => {
  const cases: [string, number, BatchSize, number[]][] = [
    ['one at a time', 3, 1, [1, 1, 1]],
    ['pairs, the last one short', 5, 2, [2, 2, 1]],
    ['a batch larger than the fleet', 3, 10, [3]],
    ['50% of 4', 4, '50%', [2, 2]],
    ['50% of 5 rounds up to 3', 5, '50%', [3, 2]],
    ['33% of 10 rounds up to 4', 10, '33%', [4, 4, 2]],
    ['10% of 3 is at least 1', 3, '10%', [1, 1, 1]],
    ['1% of 1', 1, '1%', [1]],
    ['100%', 7, '100%', [7]],
    ['a fractional percentage', 8, '12.5%', [1, 1, 1, 1, 1, 1, 1, 1]],
    ['no hosts', 0, '50%', []],
    ['no hosts, a count', 0, 3, []],
  ];
  it.each(cases)('%s', (_name, n, batch, sizes) => {
    const out = batches(hosts(n), batch);
    expect(out.map((b) => b.length)).toEqual(sizes);
    expect(out.flat()).toEqual(hosts(n));
  });

  const bad: [BatchSize][] = [[0], [-1], [1.5], ['0%'], ['101%'], ['-5%'], ['abc' as BatchSize], ['%' as BatchSize]];
  it.each(bad)('refuses batch %j', (batch) => expect(() => batchSize(3, batch)).toThrow(RangeError));
});
