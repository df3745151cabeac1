import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { listStages } from '../../src/config/load.js';
import { fleet } from '../fleet/context.js';
import { hostExec, type Fleet } from '../fleet/fleet.js';
import { appRepo, cli, project, repoRoot, scratch } from './support/project.js';

const bin = join(repoRoot, 'dist', 'cli', 'bin.js');

/** Names under the hosts' own directories (not PostgreSQL's data, which changes by itself): what a deploy writes. */
async function listing(f: Fleet): Promise<string> {
  const out: string[] = [];
  for (const h of f.hosts) {
    const r = await hostExec(f, h.name, [
      'sh',
      '-c',
      'find /srv /home/deploy /var/www -maxdepth 4 -path /srv/pg -prune -o -print 2>/dev/null | sort',
    ]);
    out.push(`${h.name}:\n${r.stdout}`);
  }
  return out.join('\n');
}

/** Logins each host's sshd has accepted so far. */
function logins(f: Fleet): Record<string, number> {
  return Object.fromEntries(
    f.hosts.map((h) => {
      const log = join(f.stateDir, 'hosts', h.name, 'sshd.log');
      const text = existsSync(log) ? readFileSync(log, 'utf8') : '';
      return [h.name, text.split('\n').filter((l) => l.includes('Accepted publickey')).length];
    }),
  );
}

/**
 * A HOME whose ~/.ssh/config sends the bad fixtures' addresses (10.0.0.x) to the fleet's hosts with the fleet's
 * key and known_hosts: a fixture the loader let through would really connect and write there.
 */
function homeForFixtures(f: Fleet): string {
  const home = scratch('home');
  const [one, two] = f.hosts;
  mkdirSync(join(home, '.ssh'), { recursive: true, mode: 0o700 });
  const entry = (alias: string, address: string) =>
    `Host ${alias}\n  HostName ${address}\n  HostKeyAlias ${address}\n  User deploy\n  IdentityFile ${f.key}\n  UserKnownHostsFile ${f.knownHosts}\n`;
  writeFileSync(join(home, '.ssh', 'config'), `${entry('10.0.0.1', one!.address)}${entry('10.0.0.2', two!.address)}`, { mode: 0o600 });
  return home;
}

/** Stages of a bad fixture that are valid on their own (its mistake is in another stage): not deployed. */
const VALID_STAGES: Record<string, string[]> = {
  'invalid-only-after-merge.yml': ['staging'],
  'stage-override-invalid.yml': ['production'],
};

/** Runs `fn` over `items`, `n` at a time. */
async function inBatches<T, R>(items: readonly T[], n: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = [];
  for (let i = 0; i < items.length; i += n) out.push(...(await Promise.all(items.slice(i, i + n).map(fn))));
  return out;
}

describe('bad input is refused before any host is touched', () => {
  let f: Fleet;
  beforeAll(() => {
    f = fleet();
  });

  it('every malformed fixture, deployed for real against the fleet, exits 2 and no host changes or is even logged in to', {
    timeout: 600_000,
  }, async () => {
    const dir = scratch('bad');
    cpSync(join(repoRoot, 'fixtures', 'configs', 'bad'), dir, { recursive: true });
    const fixtures = readdirSync(dir)
      .filter((n) => n.endsWith('.yml'))
      .sort();
    const home = homeForFixtures(f);
    // The mapping works: a good config on those addresses reaches the fleet (and is only checked, not deployed;
    // the check reads the repository from the host).
    const repo = appRepo();
    repo.commit('v1');
    writeFileSync(
      join(dir, 'good.yaml'),
      stringify({
        app: 'probe',
        deploy_to: '/srv/probe-input',
        repository: repo.url,
        stages: { staging: { hosts: [{ name: 'web1', address: '10.0.0.1', roles: ['web'] }] } },
      }),
    );
    const probe = await cli(['check', 'staging', '-c', join(dir, 'good.yaml')], { cwd: dir, env: { HOME: home } });
    expect(probe.code, probe.stderr).toBe(0);

    // Every stage a fixture names (`staging` when it names none it can be read for): the mistake may be in any.
    const runs = fixtures.flatMap((name) => {
      let stages: string[] = [];
      try {
        stages = listStages(name, dir);
      } catch {
        stages = [];
      }
      const bad = stages.filter((s) => !VALID_STAGES[name]?.includes(s));
      return (bad.length > 0 ? bad : ['staging']).map((stage) => ({ name, stage }));
    });
    const before = await listing(f);
    const seen = logins(f);
    const results = await inBatches(runs, 2, async ({ name, stage }) => ({
      name,
      stage,
      r: await cli([stage, '-c', name], { cwd: dir, env: { HOME: home }, timeoutMs: 60_000 }),
    }));
    const wrong = results
      .filter(({ r }) => r.code !== 2 || r.stderr.includes('internal error'))
      .map(({ name, stage, r }) => `${name} ${stage}: exit ${r.code}: ${r.stderr.slice(0, 300)}`);
    expect(wrong).toEqual([]);
    expect(logins(f)).toEqual(seen);
    expect(await listing(f)).toBe(before);
  });

  it('an artifact that does not exist fails the deploy and leaves every host as it was', async () => {
    const p = project(f, {
      source: { artifact: { path: 'no-such-build' } },
      extra: { install: null, migrate: null, restart: null, health: null },
    });
    const before = await listing(f);
    const r = await cli(['staging', '-c', p.file]);
    expect(r.code, r.stderr).toBe(5);
    expect(r.stderr).toContain('no-such-build does not exist');
    expect(await listing(f)).toBe(before);
  });
});

describe('output through a pipe arrives whole', () => {
  /** stdout through a real pipe, as `deploy … | jq` or `| tee` get it, read by a reader that starts late. */
  const piped = async (args: string[], cwd?: string) => {
    const r = await execa('sh', ['-c', `node '${bin}' "$@" | (sleep 0.5; cat)`, 'sh', ...args], {
      reject: false,
      cwd,
      env: { CI: 'true' },
      stripFinalNewline: false,
    });
    return r.stdout;
  };

  it('a deploy --json -v, run, and logs: more than 64 KiB each, every line there up to the last', { timeout: 300_000 }, async () => {
    const f = fleet();
    const app = scratch('piped-app');
    writeFileSync(join(app, 'index.html'), 'hello\n');
    // Output of about 110 KiB per host from install: it reaches --json -v, the run log, and `deploy logs`.
    const p = project(f, {
      source: { artifact: { path: app } },
      hosts: ['web1', 'web2'],
      extra: { install: { command: 'seq 1 20000' }, migrate: null, restart: null, health: null },
    });
    const events = await piped(['staging', '--json', '-v', '-c', p.file]);
    expect(events.length).toBeGreaterThan(64 * 1024);
    const lines = events
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { type: string; exitCode?: number });
    expect(lines.at(-1)).toMatchObject({ type: 'run:end', exitCode: 0 });

    const logs = await piped(['logs', 'staging', '-c', p.file]);
    const runs = readdirSync(join(p.dir, '.deploy', 'logs', 'staging'));
    expect(logs.length).toBeGreaterThan(64 * 1024);
    expect(logs).toBe(readFileSync(join(p.dir, '.deploy', 'logs', 'staging', runs.at(-1)!, 'run.log'), 'utf8'));

    const run = await piped(['run', 'staging', '-c', p.file, '--', 'seq', '1', '30000']);
    expect(run.length).toBeGreaterThan(64 * 1024);
    expect(run.trimEnd().endsWith('\n30000')).toBe(true);
    expect(run.split('\n').filter((l) => l === '30000')).toHaveLength(2);
  });
});
