import { mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { DeployEvent } from '../../../src/output/events.js';
import { hostLogLine, openLogFiles, safeName } from '../../../src/output/logfile.js';
import { masking } from '../../../src/output/mask.js';
import { R1, successfulRun } from './runs.js';

const now = () => new Date('2025-01-02T10:00:05.123Z');

async function write(events: DeployEvent[], secrets: string[] = []) {
  const root = mkdtempSync(join(tmpdir(), 'deploy-logs-'));
  const logs = openLogFiles(root, 'staging', R1, now);
  const sink = masking(secrets, logs.sink);
  events.forEach((e) => sink(e));
  await sink.close?.();
  return { root, dir: logs.dir, read: (name: string) => readFileSync(join(logs.dir, name), 'utf8') };
}

describe('run log files', () => {
  it('writes <root>/<stage>/<id>/ with a log per host, run.log and events.ndjson', async () => {
    const { dir, root } = await write(successfulRun());
    expect(dir).toBe(join(root, 'staging', R1));
    expect(readdirSync(dir).sort()).toEqual(['db1.log', 'events.ndjson', 'lb1.log', 'run.log', 'web1.log', 'web2.log']);
    expect(statSync(join(dir, 'web1.log')).mode & 0o777).toBe(0o600);
  });

  it("a host's log has every command, its output and exit, timestamped", async () => {
    const { read } = await write(successfulRun());
    const web1 = read('web1.log').split('\n');
    expect(web1).toContain('2025-01-02T10:00:05.123Z [install] $ npm ci');
    expect(web1).toContain('2025-01-02T10:00:05.123Z [install] > added 12 packages');
    expect(web1).toContain('2025-01-02T10:00:05.123Z [install] exit 0 in 0.0s');
    expect(web1).toContain('2025-01-02T10:00:05.123Z [switch] ok in 0.0s');
    expect(web1.filter((l) => l.includes('[upload]'))).toHaveLength(5);
  });

  it('run.log has every event as a CI line with full timestamps; events.ndjson every event', async () => {
    const { read } = await write(successfulRun());
    expect(read('run.log')).toContain('2025-01-02T10:00:05.123Z web2       install    $ npm ci');
    const events = read('events.ndjson')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(events).toHaveLength(successfulRun().length);
    expect(events[0]).toMatchObject({ time: '2025-01-02T10:00:05.123Z', type: 'run:start' });
  });

  it('behind the masking, no file holds a secret', async () => {
    const leak: DeployEvent[] = [
      { type: 'run:start', verb: 'deploy', stage: 'staging', id: R1, hosts: ['web1'], dryRun: false },
      { type: 'command', step: 'task:leak', host: 'web1', command: 'echo token=$API_TOKEN', effect: 'write', dryRun: false },
      { type: 'output', step: 'task:leak', host: 'web1', stream: 'stdout', line: 'token=s3cr3t-value' },
    ];
    const { dir, read } = await write(leak, ['s3cr3t-value']);
    for (const f of readdirSync(dir)) expect(read(f)).not.toContain('s3cr3t-value');
    expect(read('web1.log')).toContain('token=***');
  });

  it('a second run with the same id gets its own directory', async () => {
    const root = mkdtempSync(join(tmpdir(), 'deploy-logs-'));
    expect(openLogFiles(root, 'staging', R1).dir).toBe(join(root, 'staging', R1));
    expect(openLogFiles(root, 'staging', R1).dir).toBe(join(root, 'staging', `${R1}-2`));
  });

  it('host names become one safe path segment', () => {
    expect([safeName('web1'), safeName('../etc'), safeName('run'), safeName('a b/c')]).toEqual(['web1', '.._etc', 'host-run', 'a_b_c']);
    expect(hostLogLine({ type: 'info', message: 'run-wide' })).toBeUndefined();
  });
});
