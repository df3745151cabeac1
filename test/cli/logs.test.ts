import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { run } from './support.js';

const OLD = '20250101090000';
const NEW = '20250102100000';

/** A project dir with the logs two runs would have left. */
function project(): string {
  const dir = mkdtempSync(join(tmpdir(), 'deploy-logs-cli-'));
  writeFileSync(join(dir, 'deploy.yml'), 'app: x\n');
  for (const [id, verb, outcome, code] of [
    [OLD, 'deploy', 'success', 0],
    [NEW, 'rollback', 'failed', 5],
  ] as const) {
    const d = join(dir, '.deploy', 'logs', 'staging', id);
    mkdirSync(d, { recursive: true });
    writeFileSync(join(d, 'run.log'), `${id} run log\n`);
    writeFileSync(join(d, 'web1.log'), `${id} [switch] $ ln -s …\n`);
    const events = [
      { time: 't', type: 'run:start', verb, stage: 'staging', id, hosts: ['web1', 'web2'], dryRun: false },
      { time: 't', type: 'info', host: 'web1', message: 'on web1' },
      { time: 't', type: 'info', host: 'web2', message: 'on web2' },
      { time: 't', type: 'run:end', outcome, exitCode: code, durationMs: 1 },
    ];
    writeFileSync(join(d, 'events.ndjson'), `${events.map((e) => JSON.stringify(e)).join('\n')}\n`);
  }
  return dir;
}

describe('deploy logs', () => {
  it("prints the last run's run.log, found next to the deploy.yml", async () => {
    const dir = project();
    const r = await run(['logs', 'staging', '-c', join(dir, 'deploy.yml')]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe(`${NEW} run log\n`);
    expect(r.stderr).toContain(join(dir, '.deploy', 'logs', 'staging', NEW, 'run.log'));
  });

  it("--host prints that host's log; --run picks an earlier run", async () => {
    const dir = project();
    const r = await run(['logs', 'staging', '--host', 'web1', '--run', OLD], { cwd: dir });
    expect(r.stdout).toBe(`${OLD} [switch] $ ln -s …\n`);
  });

  it('--list names each run with its verb and outcome', async () => {
    const r = await run(['logs', 'staging', '--list'], { cwd: project() });
    const lines = r.stdout.trim().split('\n');
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(new RegExp(`^${OLD}\\s+deploy\\s+success \\(exit 0\\)\\s+web1, web2$`));
    expect(lines[1]).toMatch(new RegExp(`^${NEW}\\s+rollback\\s+failed \\(exit 5\\)`));
  });

  it('--json --host prints the events about that host', async () => {
    const r = await run(['logs', 'staging', '--json', '--host', 'web2'], { cwd: project() });
    expect(
      r.stdout
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l).message),
    ).toEqual(['on web2']);
  });

  it('says what is missing and exits 2: no logs, no such run, no such host', async () => {
    const empty = mkdtempSync(join(tmpdir(), 'deploy-logs-cli-'));
    const none = await run(['logs', 'staging'], { cwd: empty });
    expect(none.code).toBe(2);
    expect(none.stderr).toContain('no run logs for stage staging');
    const dir = project();
    const run_ = await run(['logs', 'staging', '--run', '19990101000000'], { cwd: dir });
    expect(run_.code).toBe(2);
    expect(run_.stderr).toContain(`runs kept: ${OLD}, ${NEW}`);
    const host = await run(['logs', 'staging', '--host', 'web9'], { cwd: dir });
    expect(host.code).toBe(2);
    expect(host.stderr).toContain('hosts with a log: web1');
  });
});

describe('--report', () => {
  it('is offered by deploy and rollback', async () => {
    for (const verb of ['deploy', 'rollback']) {
      const r = await run([verb, '--help']);
      expect(r.stdout, verb).toContain('--report <file.html>');
    }
  });
});
