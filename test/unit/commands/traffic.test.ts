import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { renderUpstream, setServerWeight } from '../../../src/commands/balancer.js';
import { accessLogSize, readAccessLog, shareWeights } from '../../../src/commands/traffic.js';
import { renders, sandbox } from './table.js';

describe('traffic commands', () => {
  renders([
    [
      'accessLogSize: the size, 0 before the file exists',
      () => accessLogSize('/srv/lb/logs/upstream.log'),
      'if [ -f /srv/lb/logs/upstream.log ] ; then stat -c %s /srv/lb/logs/upstream.log ; else echo 0 ; fi',
      'read',
    ],
    [
      'readAccessLog: from a byte offset, bounded',
      () => readAccessLog('/srv/lb/logs/up stream.log', 1200, 4194304),
      "if [ -f '/srv/lb/logs/up stream.log' ] ; then tail -c +1201 '/srv/lb/logs/up stream.log' | head -c 4194304 ; fi",
      'read',
    ],
    [
      'setServerWeight: a canary weight of its own',
      () => setServerWeight('/srv/lb/haproxy.sock', 'app', 'web1', 11),
      "printf '%s\\n' 'set weight app/web1 11' | socat stdio unix-connect:/srv/lb/haproxy.sock",
      'write',
    ],
  ]);

  it('renderUpstream writes a weight before the other parameters, and none for a drained server', () => {
    const text = renderUpstream('app', [
      { address: '10.0.0.1', port: 3000, down: false, name: 'web1', weight: 1 },
      { address: '10.0.0.2', port: 3000, down: false, name: 'web2', weight: 9 },
      { address: '10.0.0.3', port: 3000, down: true, name: 'web3', weight: 9 },
    ]);
    expect(text).toContain(
      '  server 10.0.0.1:3000 weight=1 max_fails=1 fail_timeout=5s; # web1\n  server 10.0.0.2:3000 weight=9 max_fails=1 fail_timeout=5s; # web2\n  server 10.0.0.3:3000 down; # web3\n',
    );
    expect(() => renderUpstream('app', [{ address: '10.0.0.1', port: 3000, down: false, weight: 0 }])).toThrow(
      'weight must be a whole number >= 1, got 0',
    );
    expect(() => setServerWeight('/s', 'app', 'web1', 1.5)).toThrow('weight must be a whole number >= 0, got 1.5');
  });

  it.each([
    // canaries, others, share → weights and the share they give
    [1, 1, 0.1, { canary: 1, rest: 9, share: 0.1 }],
    [1, 3, 0.1, { canary: 1, rest: 3, share: 0.1 }],
    [1, 9, 0.1, { canary: 1, rest: 1, share: 0.1 }],
    [2, 8, 0.5, { canary: 4, rest: 1, share: 0.5 }],
    [1, 1, 0.9, { canary: 9, rest: 1, share: 0.9 }],
    [1, 1, 0.005, { canary: 1, rest: 199, share: 0.005 }],
  ] as const)('shareWeights(%i canary, %i others, %f)', (canaries, others, share, expected) => {
    const got = shareWeights(canaries, others, share);
    expect(got.canary).toBe(expected.canary);
    expect(got.rest).toBe(expected.rest);
    expect(got.share).toBeCloseTo(expected.share, 6);
  });

  it('shareWeights stays within haproxy’s 1–256 and refuses what cannot be shared', () => {
    for (const share of [0.001, 0.33, 0.999]) {
      const w = shareWeights(3, 7, share);
      expect(w.canary).toBeGreaterThanOrEqual(1);
      expect(w.canary).toBeLessThanOrEqual(256);
      expect(w.rest).toBeLessThanOrEqual(256);
    }
    expect(() => shareWeights(1, 0, 0.1)).toThrow('need at least one other server');
    expect(() => shareWeights(1, 1, 1)).toThrow('a share must be above 0 and below 1');
  });

  describe('on a real sh', () => {
    const box = sandbox();
    afterAll(() => box.cleanup());
    it('reads the log from the offset the size gave, and nothing when it is missing', () => {
      const log = join(box.dir, 'up.log');
      expect(box.run(accessLogSize(log)).stdout).toBe('0\n');
      expect(box.run(readAccessLog(log, 0, 100))).toEqual({ code: 0, stdout: '', stderr: '' });
      writeFileSync(log, 'first line\n');
      const offset = Number(box.run(accessLogSize(log)).stdout);
      expect(offset).toBe(11);
      writeFileSync(log, 'first line\nsecond line\nthird\n');
      expect(box.run(readAccessLog(log, offset, 100)).stdout).toBe('second line\nthird\n');
      expect(box.run(readAccessLog(log, offset, 8)).stdout).toBe('second l');
    });
  });
});
