import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ACCESS_LOG_FORMAT, combine, parseAccessLog, parseStatCounters, percentile, trafficBetween } from '../../../src/facts/traffic.js';

const line = (status: number, addr: string, upstream: string, times: string) =>
  `1764480000.123 ${status} "${addr}" "${upstream}" "${times}"\n`;

describe('parseAccessLog (the deploy_upstream format)', () => {
  it('reads the format docs/traffic.md tells nginx to write', () => {
    expect(readFileSync(join(import.meta.dirname, '..', '..', '..', 'docs', 'traffic.md'), 'utf8')).toContain(ACCESS_LOG_FORMAT);
  });

  it('counts each attempt for its server: a retried request is an error of the first server and an answer of the next', () => {
    const text =
      line(200, '127.0.1.1:3000', '200', '0.004') +
      line(500, '127.0.1.1:3000', '500', '0.010') +
      line(200, '127.0.1.1:3000, 127.0.1.2:3000', '502, 200', '0.000, 0.003') +
      line(200, '127.0.1.2:3000 : 127.0.1.3:3000', '200 : 200', '0.002 : 0.001') +
      line(502, '-', '-', '-');
    const chunk = parseAccessLog(text);
    expect(chunk.consumed).toBe(Buffer.byteLength(text));
    expect(chunk.skipped).toBe(0);
    expect(Object.fromEntries(chunk.servers)).toEqual({
      '127.0.1.1:3000': { requests: 3, errors: 2, times: [4, 10, 0] },
      '127.0.1.2:3000': { requests: 2, errors: 0, times: [3, 2] },
      '127.0.1.3:3000': { requests: 1, errors: 0, times: [1] },
    });
  });

  it('leaves a cut-off last line for the next read and skips lines in another format', () => {
    const whole = line(200, '10.0.0.1:3000', '200', '0.004');
    const text = `127.0.0.1 - - [30/Nov/2026:05:00:00 +0000] "GET / HTTP/1.1" 200 12\n${whole}${whole.slice(0, 20)}`;
    const chunk = parseAccessLog(text);
    expect(chunk.skipped).toBe(1);
    expect(chunk.consumed).toBe(Buffer.byteLength(text) - 20);
    expect(chunk.servers.get('10.0.0.1:3000')?.requests).toBe(1);
    expect(parseAccessLog('').consumed).toBe(0);
  });

  it('an attempt without an upstream status (connection failed) is an error without a time', () => {
    const chunk = parseAccessLog(line(502, '10.0.0.1:3000', '-', '-'));
    expect(chunk.servers.get('10.0.0.1:3000')).toEqual({ requests: 1, errors: 1, times: [] });
  });
});

// haproxy 2.6 `show stat`, shortened to the columns the parser reads plus some around them.
const STAT = `# pxname,svname,qcur,qmax,scur,smax,slim,stot,bin,bout,dreq,dresp,ereq,econ,eresp,wretr,wredis,status,weight,hrsp_1xx,hrsp_2xx,hrsp_3xx,hrsp_4xx,hrsp_5xx,hrsp_other,rtime
http,FRONTEND,,,0,2,4096,100,0,0,0,0,0,,,,,OPEN,,0,95,0,0,5,0,
app,web1,0,0,0,1,,40,0,0,,0,,1,2,0,0,UP,1,0,30,0,1,7,0,12
app,web2,0,0,0,1,,60,0,0,,0,,0,0,0,0,UP,9,0,59,0,1,0,0,3
app,BACKEND,0,0,0,2,410,100,0,0,0,0,,1,2,0,0,UP,10,0,89,0,2,7,0,5
`;

describe('parseStatCounters', () => {
  it('reads responses and errors (5xx, connection and response errors) of each server', () => {
    expect(parseStatCounters(STAT)).toEqual([
      { backend: 'app', server: 'web1', responses: 41, errors: 10, rtime: 12 },
      { backend: 'app', server: 'web2', responses: 60, errors: 0, rtime: 3 },
    ]);
  });

  it('refuses output without the columns it needs, reads nothing as no servers', () => {
    expect(() => parseStatCounters('# pxname,svname,scur\napp,web1,0\n')).toThrow('no hrsp_5xx column');
    expect(() => parseStatCounters('Unknown command.\n')).toThrow('no "#" header line');
    expect(parseStatCounters('')).toEqual([]);
  });

  it('a window is the difference of two readings; a server whose counters went back (haproxy restarted) counts from 0', () => {
    const before = parseStatCounters(STAT);
    const after = [
      { backend: 'app', server: 'web1', responses: 51, errors: 13, rtime: 14 },
      { backend: 'app', server: 'web2', responses: 5, errors: 1, rtime: 2 },
      { backend: 'other', server: 'web1', responses: 500, errors: 500, rtime: 1 },
    ];
    expect(Object.fromEntries(trafficBetween(before, after, 'app'))).toEqual({
      web1: { requests: 10, errors: 3, times: [], avgMs: 14 },
      web2: { requests: 5, errors: 1, times: [], avgMs: 2 },
    });
  });
});

describe('numbers of a window', () => {
  it('percentile by nearest rank', () => {
    const ms = Array.from({ length: 100 }, (_, i) => i + 1);
    expect(percentile(ms, 0.95)).toBe(95);
    expect(percentile([7], 0.95)).toBe(7);
    expect(percentile([], 0.95)).toBeUndefined();
  });

  it('combine pools times and weighs haproxy averages by requests', () => {
    expect(
      combine([
        { requests: 2, errors: 1, times: [1, 2] },
        { requests: 1, errors: 0, times: [3] },
      ]),
    ).toEqual({ requests: 3, errors: 1, times: [1, 2, 3] });
    expect(
      combine([
        { requests: 30, errors: 0, times: [], avgMs: 10 },
        { requests: 10, errors: 2, times: [], avgMs: 50 },
      ]),
    ).toEqual({ requests: 40, errors: 2, times: [], avgMs: 20 });
    expect(combine([])).toEqual({ requests: 0, errors: 0, times: [] });
  });
});
