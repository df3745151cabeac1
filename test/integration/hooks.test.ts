import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HOOK_POINTS, isEventPoint } from '../../src/config/types.js';
import { fleet } from '../fleet/context.js';
import { sshRun, type Fleet } from '../fleet/fleet.js';
import { appRepo, cli, project, type AppRepo } from './support/project.js';
import { killApp } from './support/tiers.js';

// The hook model on the real fleet: which points fire, in which order and where, for a deploy, a rollback and a
// deploy that fails; `failed` and `rolled_back` with the outcome in their environment.

let nextPort = 3321;
const webHosts = (f: Fleet) => f.hosts.filter((h) => h.roles.includes('web')).map((h) => h.name);

async function on(f: Fleet, host: string, command: string): Promise<string> {
  const r = await sshRun(f, host, command);
  if (r.code !== 0) throw new Error(`${host}: ${command}: exit ${r.code}: ${r.stderr}`);
  return r.stdout.trim();
}

/** One task per hook point that appends `before switch` (and the outcome, for outcome points) to a log on the host. */
function everyPoint(): { tasks: Record<string, unknown>; hooks: Record<string, Record<string, string[]>> } {
  const tasks: Record<string, unknown> = {};
  const hooks: Record<string, Record<string, string[]>> = { before: {}, after: {} };
  for (const when of ['before', 'after'] as const) {
    for (const point of HOOK_POINTS.filter((p) => when === 'after' || !isEventPoint(p))) {
      const name = `${when[0]}-${point}`;
      const outcome = isEventPoint(point) ? ' $DEPLOY_OUTCOME' : '';
      tasks[name] = { run: `echo "${when} ${point}${outcome}" >> "$DEPLOY_TO/hooks.log"`, roles: ['web'], cwd: '/' };
      hooks[when]![point] = [name];
    }
  }
  return { tasks, hooks };
}

describe('hooks', () => {
  let f: Fleet;
  let repo: AppRepo;
  const deployTos: string[] = [];
  const app = (extra: Record<string, unknown> = {}) => {
    const port = nextPort++;
    const p = project(f, {
      source: { repository: repo.url },
      extra: { health: { path: '/health', port, retries: 20, interval: 0.25, timeout: 2 }, ...extra, env: { PORT: String(port) } },
    });
    deployTos.push(p.deployTo);
    return p;
  };
  const hookLog = async (host: string, deployTo: string) =>
    (await on(f, host, `cat '${deployTo}/hooks.log' 2>/dev/null; rm -f '${deployTo}/hooks.log'`)).split('\n').filter(Boolean);

  beforeAll(() => {
    f = fleet();
    repo = appRepo();
    repo.commit('v1');
  });
  afterAll(async () => {
    for (const d of deployTos) for (const h of webHosts(f)) await sshRun(f, h, `${killApp(d)}; rm -f "$p"; true`);
  });

  it('a deploy and a rollback fire the same points where they do the same; restart once per batch, on its hosts; rolled_back after the rollback', async () => {
    const p = app(everyPoint());
    const first = await cli(['staging', '-c', p.file]);
    expect(first.code, first.stderr).toBe(0);
    const perBatch = ['before restart', 'after restart'];
    const deployed = [
      'before deploy',
      'before transfer',
      'after transfer',
      'before shared',
      'after shared',
      'before install',
      'after install',
      'before migrate',
      'after migrate',
      'before switch',
      ...perBatch,
      'after switch',
      'after purge deployed',
      'before cleanup',
      'after cleanup',
      'after deploy',
    ];
    // Each web host is a batch of its own (web: 1 at a time): it sees the restart tasks once, for its own batch.
    for (const h of webHosts(f)) expect(await hookLog(h, p.deployTo), h).toEqual(deployed);

    repo.commit('v2');
    const second = await cli(['staging', '-c', p.file]);
    expect(second.code, second.stderr).toBe(0);
    for (const h of webHosts(f)) await hookLog(h, p.deployTo);

    const back = await cli(['rollback', 'staging', '-c', p.file]);
    expect(back.code, back.stderr).toBe(0);
    const rolledBack = [
      'before rollback',
      'before switch',
      ...perBatch,
      'after switch',
      'after rollback',
      'after purge rolled-back',
      'after rolled_back rolled-back',
    ];
    for (const h of webHosts(f)) expect(await hookLog(h, p.deployTo), h).toEqual(rolledBack);
  });

  it('failed runs after an install failure, once the lock is released, with the outcome in its env; its own failure leaves the exit code alone', async () => {
    const p = app({
      install: { command: 'echo "no such package: left-pad" >&2; exit 3', lockfile: 'package-lock.json' },
      tasks: {
        record: {
          run: [
            'd="$DEPLOY_TO/failed"; mkdir -p "$d"',
            'printf "%s\\n" "$DEPLOY_VERB" "$DEPLOY_OUTCOME" "$DEPLOY_FAILED_STEP" "$DEPLOY_EXIT_CODE" "$DEPLOY_RELEASE" > "$d/outcome"',
            'printf "%s" "$DEPLOY_ERROR" > "$d/error"',
            'if [ -e "$DEPLOY_TO/deploy.lock" ]; then echo locked; else echo unlocked; fi > "$d/lock"',
            'pwd > "$d/cwd"',
          ].join('; '),
          roles: ['web'],
        },
        broken: { run: 'echo "the pager is down" >&2; exit 7', roles: ['web'], once: true },
        later: { run: 'touch "$DEPLOY_TO/rolled-back"', roles: ['web'] },
      },
      hooks: { after: { failed: ['record', 'broken'], rolled_back: ['later'] } },
    });
    const r = await cli(['staging', '-c', p.file, '--json']);
    expect(r.code, r.stderr).toBe(5);
    const end = JSON.parse(r.stdout.trim().split('\n').pop()!) as { type: string; exitCode: number; outcome: string };
    expect(end).toMatchObject({ type: 'run:end', exitCode: 5, outcome: 'failed' });
    // The install's error first, then the failed hook's own failure.
    const install = r.stderr.indexOf('no such package');
    const after = r.stderr.indexOf('after this failure, hooked tasks failed:');
    expect(install, r.stderr).toBeGreaterThanOrEqual(0);
    expect(after, r.stderr).toBeGreaterThan(install);
    expect(r.stderr.slice(after)).toMatch(/task broken \(hooks\.after\.failed\) failed: .*exit code 7/s);
    for (const h of webHosts(f)) {
      const [verb, outcome, step, code, release] = (await on(f, h, `cat '${p.deployTo}/failed/outcome'`)).split('\n');
      expect({ verb, outcome, step, code }, h).toEqual({ verb: 'deploy', outcome: 'failed', step: 'install', code: '5' });
      expect(release, h).toMatch(/^\d{14}$/);
      expect(await on(f, h, `cat '${p.deployTo}/failed/error'`), h).toContain('no such package: left-pad');
      expect(await on(f, h, `cat '${p.deployTo}/failed/lock'`), h).toBe('unlocked');
      // The failed release is gone: `cwd: release` means deploy_to after an outcome.
      expect(await on(f, h, `cat '${p.deployTo}/failed/cwd'`), h).toBe(p.deployTo);
      // Nothing was switched, so nothing was rolled back.
      expect(await on(f, h, `test -e '${p.deployTo}/rolled-back' && echo yes || echo no`), h).toBe('no');
    }
  });

  it('a deploy switched back after a failure in batch 2 fires rolled_back, then failed, and exits 6', async () => {
    const p = app({
      tasks: {
        gate: { run: 'if [ "$DEPLOY_HOST" = web2 ]; then echo "web2 is not ready" >&2; exit 1; fi', roles: ['web'] },
        back: { run: 'echo "rolled_back $DEPLOY_OUTCOME" >> "$DEPLOY_TO/outcomes.log"', roles: ['web'] },
        fail: { run: 'echo "failed $DEPLOY_OUTCOME $DEPLOY_FAILED_STEP $DEPLOY_EXIT_CODE" >> "$DEPLOY_TO/outcomes.log"', roles: ['web'] },
      },
      hooks: { before: { restart: ['gate'] }, after: { rolled_back: ['back'], failed: ['fail'] } },
    });
    // A first release on web1 to go back to (the gate only stops web2).
    const first = await cli(['staging', '-c', p.file, '--hosts', 'web1,db1,media1']);
    expect(first.code, first.stderr).toBe(0);
    repo.commit('v3');
    const r = await cli(['staging', '-c', p.file]);
    expect(r.code, r.stderr).toBe(6);
    expect(r.stderr).toContain('web2 is not ready');
    for (const h of webHosts(f)) {
      expect((await on(f, h, `cat '${p.deployTo}/outcomes.log'`)).split('\n'), h).toEqual([
        'rolled_back switched-back',
        'failed switched-back task:gate 6',
      ]);
    }
  });
});
