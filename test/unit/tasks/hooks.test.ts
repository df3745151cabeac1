import { describe, expect, it } from 'vitest';
import { DeployError, ExitCode, InterruptedError, StepFailedError, SwitchedBackError } from '../../../src/errors.js';
import { rotationFor } from '../../../src/tasks/balancer.js';
import { rollout, type RolloutParams } from '../../../src/tasks/switch.js';
import { rollback } from '../../../src/tasks/rollback.js';
import { outcomeEnv, outcomeOf, runOutcomeHooks, traceRun } from '../../../src/tasks/tasks.js';
import { NEW, OLD, scripted, type Scripted } from './scripted.js';

// The hook model on a scripted fleet: which points fire, in which order, on which hosts.

function params(s: Scripted, extra: Partial<RolloutParams> = {}): RolloutParams {
  const hosts = s.ctx.config.hosts.filter((h) => h.roles.includes('web'));
  return {
    release: { id: NEW, dir: `/srv/shop/releases/${NEW}` },
    previous: new Map(hosts.map((h) => [h.name, s.world.current.get(h.name) ?? null])),
    hosts,
    rotation: rotationFor(s.ctx),
    ...extra,
  };
}

const failure = (p: Promise<unknown>) =>
  p.then(
    () => undefined,
    (e: unknown) => e as DeployError,
  );
const task = (run = 'true') => ({ run, roles: ['web'], cwd: '/' });
/** A fleet whose switch and restart points each run a task: `bs` before switch, `ar` after restart… */
const hooked = (o: Parameters<typeof scripted>[0] = {}) =>
  scripted({
    ...o,
    extra: {
      tasks: { bs: task(), as: task(), br: task(), ar: task() },
      hooks: { before: { switch: ['bs'], restart: ['br'] }, after: { switch: ['as'], restart: ['ar'] } },
    },
  });
/** The host moves and task runs of the log, without the balancer's. */
const moves = (s: Scripted) => s.log.filter((l) => /^web\d: (task |switch current|restart the app)/.test(l));

describe('hook points in a rollout (deploy and rollback alike)', () => {
  it('switch fires once around the whole rollout; restart once per batch, on that batch’s hosts', async () => {
    const s = hooked();
    await rollout(s.ctx, params(s));
    expect(moves(s)).toEqual([
      'web1: task bs',
      'web2: task bs',
      'web1: task br',
      `web1: switch current to ${NEW}`,
      `web1: restart the app (${NEW})`,
      'web1: task ar',
      'web2: task br',
      `web2: switch current to ${NEW}`,
      `web2: restart the app (${NEW})`,
      'web2: task ar',
      'web1: task as',
      'web2: task as',
    ]);
  });

  it('a batch of two runs restart tasks on both, once', async () => {
    const s = hooked({ batch: 2, kind: 'haproxy', webs: 3 });
    await rollout(s.ctx, params(s));
    const restartTasks = moves(s).filter((l) => / task [ab]r$/.test(l));
    // The pool tier keeps one host serving: batches web1,web2 then web3.
    expect(restartTasks).toEqual(['web1: task br', 'web2: task br', 'web1: task ar', 'web2: task ar', 'web3: task br', 'web3: task ar']);
  });

  it('a restart task failing on web2 in batch 2 → web1 goes back, no after-switch task, exit 6', async () => {
    const s = hooked();
    s.world.answers.push({ host: 'web2', match: /^task br$/, answer: { code: 1, stderr: 'web2 is not ready' } });
    const e = await failure(rollout(s.ctx, params(s)));
    expect(e).toBeInstanceOf(SwitchedBackError);
    expect(e!.exitCode).toBe(ExitCode.switchedBack);
    expect(moves(s)).toEqual([
      'web1: task bs',
      'web2: task bs',
      'web1: task br',
      `web1: switch current to ${NEW}`,
      `web1: restart the app (${NEW})`,
      'web1: task ar',
      'web2: task br (exit 1)',
      // The switch-back runs no switch or restart tasks.
      `web1: switch current to ${OLD}`,
      `web1: restart the app (${OLD})`,
    ]);
    expect(s.world.current.get('web1')).toBe(OLD);
  });
});

describe('outcome hooks (failed, rolled_back)', () => {
  const outcomeFleet = () =>
    scripted({
      extra: {
        tasks: { page: { run: 'notify', roles: ['web'], once: true }, record: { run: 'record', roles: ['web'] } },
        hooks: { after: { failed: ['page', 'record'], rolled_back: ['record'] } },
      },
    });

  it('run with the outcome in their environment, in deploy_to when their cwd is the release', async () => {
    const s = outcomeFleet();
    const error = new StepFailedError('web1', 'install', 'npm ci failed (exit 1)');
    const problems = await runOutcomeHooks(s.ctx, 'failed', {
      verb: 'deploy',
      outcome: outcomeOf(error),
      error,
      step: 'install',
      release: { id: NEW, dir: `/srv/shop/releases/${NEW}` },
    });
    expect(problems).toEqual([]);
    expect(s.world.commands.map((c) => `${c.host}: ${c.description}`)).toEqual([
      'web1: task page',
      'web1: task record',
      'web2: task record',
    ]);
    expect(s.world.commands[0]!.env).toMatchObject({
      DEPLOY_VERB: 'deploy',
      DEPLOY_OUTCOME: 'failed',
      DEPLOY_ERROR: 'web1: install: npm ci failed (exit 1)',
      DEPLOY_EXIT_CODE: '5',
      DEPLOY_FAILED_STEP: 'install',
      DEPLOY_RELEASE: NEW,
    });
  });

  it('run after an interrupt, never throw, and return what failed to be told after the run’s error', async () => {
    const s = outcomeFleet();
    s.abort.abort(new InterruptedError('interrupted by SIGINT'));
    s.world.answers.push({ host: 'web1', match: /^task page$/, answer: { code: 7, stderr: 'the pager is down' } });
    const error = new InterruptedError('interrupted by SIGINT');
    const problems = await runOutcomeHooks(s.ctx, 'failed', { verb: 'deploy', outcome: outcomeOf(error), error });
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/^task page \(hooks\.after\.failed\) failed: .*exit code 7/s);
    // The next task still ran.
    expect(s.world.commands.map((c) => `${c.host}: ${c.description}`)).toEqual([
      'web1: task page',
      'web1: task record',
      'web2: task record',
    ]);
    expect(s.world.commands[1]!.env).toMatchObject({ DEPLOY_OUTCOME: 'interrupted', DEPLOY_EXIT_CODE: '130' });
    expect(s.trace(['warning'])).toEqual([expect.stringMatching(/^warning: task page \(hooks\.after\.failed\) failed/)]);
  });

  it('outcomeOf and outcomeEnv: the exit code names the outcome; an internal error is exit 1', () => {
    expect(outcomeOf(new SwitchedBackError('x'))).toBe('switched-back');
    expect(outcomeOf(new InterruptedError())).toBe('interrupted');
    expect(outcomeOf(new TypeError('boom'))).toBe('failed');
    expect(outcomeEnv({ verb: 'rollback', outcome: 'failed', error: new TypeError('boom') })).toEqual({
      DEPLOY_VERB: 'rollback',
      DEPLOY_OUTCOME: 'failed',
      DEPLOY_ERROR: 'boom',
      DEPLOY_EXIT_CODE: '1',
    });
    expect(outcomeEnv({ verb: 'rollback', outcome: 'rolled-back' })).toEqual({ DEPLOY_VERB: 'rollback', DEPLOY_OUTCOME: 'rolled-back' });
  });

  it('traceRun names the step that failed first, and sees a switch-back', async () => {
    const s = scripted();
    s.world.unhealthy.set(NEW, ['web2']);
    const trace = traceRun(s.ctx);
    await failure(rollout(trace.ctx, params(s)));
    expect(trace.failedStep()).toBe('switch');
    expect(trace.switchedBack()).toBe(true);
    const quiet = traceRun(scripted().ctx);
    expect(quiet.failedStep()).toBeUndefined();
    expect(quiet.switchedBack()).toBe(false);
  });
});

describe('a rollback on a scripted fleet', () => {
  it('an internal error (a bug, exit 1) after the lock: the lock is released on every host, then failed runs with DEPLOY_EXIT_CODE=1', async () => {
    const s = scripted({
      extra: { tasks: { page: { run: 'notify', roles: ['web'], once: true } }, hooks: { after: { failed: ['page'] } } },
    });
    s.world.before = (host, c) => {
      if (host === 'web2' && /releases/.test(c.description ?? '') && c.effect === 'read')
        throw new TypeError('Cannot read properties of undefined');
    };
    const e = await rollback(s.ctx, { run: '20260102-000000', owner: 'bob@ci', message: '', lockWaitSeconds: 0 }).then(
      () => undefined,
      (x: unknown) => x,
    );
    expect(e).toBeInstanceOf(DeployError);
    expect((e as DeployError).exitCode).toBe(ExitCode.internal);
    expect((e as DeployError).message).toBe('rollback failed on 1 host(s):\n  web2: Cannot read properties of undefined');
    expect([...s.world.locks.values()].every((l) => l === null)).toBe(true);
    const page = s.world.commands.find((c) => c.description === 'task page');
    expect(page?.env).toMatchObject({
      DEPLOY_VERB: 'rollback',
      DEPLOY_OUTCOME: 'failed',
      DEPLOY_EXIT_CODE: '1',
      DEPLOY_FAILED_STEP: 'rollback',
    });
    // failed runs after the unlock.
    const unlocked = s.log.findIndex((l) => l.startsWith('web1: unlock'));
    expect(unlocked).toBeGreaterThanOrEqual(0);
    expect(s.world.commands.findIndex((c) => c.description === 'task page')).toBeGreaterThan(
      s.world.commands.findIndex((c) => c.host === 'web1' && c.description.startsWith('unlock')),
    );
  });
});

describe('a rollback fires the points a deploy fires where it does the same', () => {
  it('rollback around it; switch once; restart per batch; rolled_back after the unlock', async () => {
    const points = { before: ['rollback', 'switch', 'restart'], after: ['restart', 'switch', 'rollback', 'rolled_back'] };
    const tasks = Object.fromEntries(
      Object.entries(points).flatMap(([when, ps]) => ps.map((p) => [`${when[0]}-${p}`, { run: 'true', roles: ['web'], cwd: '/' }])),
    );
    const hooks = Object.fromEntries(
      Object.entries(points).map(([when, ps]) => [when, Object.fromEntries(ps.map((p) => [p, [`${when[0]}-${p}`]]))]),
    );
    const s = scripted({ extra: { tasks, hooks } });
    for (const w of ['web1', 'web2']) {
      s.world.current.set(w, NEW);
      s.world.app.set(w, NEW);
    }
    s.world.answers.push({
      match: /^read the releases and the revision log$/,
      answer: { stdout: `current /srv/shop/releases/${NEW}\nrelease ${OLD}\nrelease ${NEW}\n` },
    });
    const summary = await rollback(s.ctx, { to: OLD, run: '20260102-000000', owner: 'bob@ci', message: '', lockWaitSeconds: 0 });
    expect(summary.release).toBe(OLD);
    expect(s.log.filter((l) => /^web\d: (task |switch current|unlock)/.test(l))).toEqual([
      'web1: task b-rollback',
      'web2: task b-rollback',
      'web1: task b-switch',
      'web2: task b-switch',
      'web1: task b-restart',
      `web1: switch current to ${OLD}`,
      'web1: task a-restart',
      'web2: task b-restart',
      `web2: switch current to ${OLD}`,
      'web2: task a-restart',
      'web1: task a-switch',
      'web2: task a-switch',
      'web1: task a-rollback',
      'web2: task a-rollback',
      'web1: unlock /srv/shop → released',
      'web2: unlock /srv/shop → released',
      'web1: task a-rolled_back',
      'web2: task a-rolled_back',
    ]);
    expect(s.world.commands.find((c) => c.description === 'task a-rolled_back')?.env).toMatchObject({
      DEPLOY_OUTCOME: 'rolled-back',
      DEPLOY_VERB: 'rollback',
      DEPLOY_RELEASE: OLD,
    });
  });
});
