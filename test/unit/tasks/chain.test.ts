import { describe, expect, it } from 'vitest';
import type { Backend, ExecOptions, ExecResult, SshTarget } from '../../../src/backends/backend.js';
import { chain } from '../../../src/commands/chain.js';
import { nameOf } from '../../../src/backends/protocol.js';
import { CommandLostError } from '../../../src/errors.js';
import type { DeployEvent } from '../../../src/output/events.js';
import { write, type Command } from '../../../src/shell/command.js';
import { execChain, runSteps, type StepPlan } from '../../../src/tasks/chain.js';
import type { RunContext, RunMode } from '../../../src/tasks/context.js';
import { HostsFailedError } from '../../../src/tasks/runner.js';
import { config, testTargets } from './fixtures.js';
import { runChain } from './scripted.js';
import { until } from '../../support/until.js';

// Steps that share a round trip per host (tasks/chain.ts), on a backend whose hosts answer by description:
// `out:<text>` prints it, `fail:<code>` exits with it, `wait:<name>` waits until the test opens that gate.

const c = config();
const web1 = c.hosts.find((h) => h.name === 'web1')!;
const web2 = c.hosts.find((h) => h.name === 'web2')!;
const say = (what: string) => write(['true'], { description: what });

function fleet(mode: RunMode = 'real') {
  const events: DeployEvent[] = [];
  const gates = new Map<string, { open: () => void; opened: Promise<void> }>();
  const gate = (name: string) => {
    let g = gates.get(name);
    if (!g) {
      let open = () => {};
      const opened = new Promise<void>((r) => (open = r));
      g = { open, opened };
      gates.set(name, g);
    }
    return g;
  };
  /** Round trips per host. */
  const trips = new Map<string, number>();
  /** Hosts whose last round trip has ended. */
  const finished = new Set<string>();
  let lose: string | undefined;
  const one = async (host: string, cmd: Command): Promise<ExecResult> => {
    const d = `${cmd.description ?? ''}`;
    for (const part of d.split(' ')) if (part.startsWith('wait:')) await gate(`${host}:${part.slice(5)}`).opened;
    if (lose === `${host}:${d}`) throw new CommandLostError(host, 'connection lost');
    const out = /out:(\S+)/.exec(d)?.[1];
    const code = Number(/fail:(\d+)/.exec(d)?.[1] ?? 0);
    return { code, stdout: out ? `${out}\n` : '', stderr: code ? `${host} failed\n` : '', durationMs: 1 };
  };
  const backend: Backend = {
    exec: (t: SshTarget, cmd: Command, o: ExecOptions = {}) => {
      trips.set(t.name, (trips.get(t.name) ?? 0) + 1);
      finished.delete(t.name);
      const done = <T>(p: Promise<T>) => p.finally(() => finished.add(t.name));
      if (!cmd.chain) return done(one(t.name, cmd));
      return done(
        runChain(cmd, o, (x) => one(t.name, x)).catch((e: unknown) => {
          throw e instanceof CommandLostError
            ? new CommandLostError(t.name, `${o.step}: connection lost while running ${nameOf(cmd, o)}`)
            : e;
        }),
      );
    },
    upload: () => Promise.resolve(),
    close: () => Promise.resolve(),
  };
  const ctx: RunContext = {
    config: c,
    backend,
    targets: testTargets(c),
    emit: (e) => events.push(e),
    mode,
    hosts: [web1, web2],
    local: { run: () => Promise.resolve({ code: 0, stdout: '', stderr: '', durationMs: 0 }) },
    projectDir: '/nonexistent',
  };
  const trace = () =>
    events.flatMap((e) => {
      if (e.type === 'step:start') return [`start ${e.step} ${e.hosts.join(',')}`];
      if (e.type === 'step:end') return [`end ${e.step}${e.ok ? '' : ' failed'}`];
      if (e.type === 'host:end') return [`${e.host} ${e.step} ${e.ok ? 'ok' : 'failed'}`];
      if (e.type === 'command') return [`${e.host} ${e.step} $ ${e.command}`];
      if (e.type === 'output') return [`${e.host} ${e.step} ${e.stream}: ${e.line}`];
      if (e.type === 'command:exit') return [`${e.host} ${e.step} exit ${e.code}`];
      if (e.type === 'warning') return [`warning ${e.message}`];
      return [];
    });
  return {
    ctx,
    events,
    trips,
    finished,
    trace,
    open: (name: string) => gate(name).open(),
    loseAt: (at: string) => {
      lose = at;
    },
  };
}

const step = (name: string, commands: (host: string) => string[], extra: Partial<StepPlan> = {}): StepPlan => ({
  step: name,
  hosts: [web1, web2],
  commands: (h) => commands(h.name).map(say),
  ...extra,
});

describe('execChain', () => {
  it('reports every command of the chain as its own, with its step, output and exit, in order', async () => {
    const f = fleet();
    const results = await execChain(
      f.ctx,
      web1,
      chain([
        { step: 'a', commands: [say('out:one'), say('out:two')] },
        { step: 'b', commands: [say('fail:4'), say('never')] },
      ]),
    );
    expect(f.trace()).toEqual([
      'web1 a $ true',
      'web1 a stdout: one',
      'web1 a exit 0',
      'web1 a $ true',
      'web1 a stdout: two',
      'web1 a exit 0',
      'web1 b $ true',
      'web1 b stderr: web1 failed',
      'web1 b exit 4',
    ]);
    expect(results.map((p) => p.map((r) => [r.code, r.stdout, r.stderr]))).toEqual([
      [
        [0, 'one\n', ''],
        [0, 'two\n', ''],
      ],
      [[4, '', 'web1 failed\n']],
    ]);
    expect(f.trips.get('web1')).toBe(1);
  });

  it('a lost connection names the step and command that were running, and what the host may have gone on with', async () => {
    const f = fleet();
    f.loseAt('web1:first');
    const e = await execChain(
      f.ctx,
      web1,
      chain([
        { step: 'a', commands: [say('first'), say('again')] },
        { step: 'b', commands: [say('second')] },
      ]),
    ).catch((x: unknown) => x as Error);
    expect((e as Error).message).toBe(
      'web1: a: connection lost while running first (sent with what follows in one round trip, so maybe run too: b)',
    );
  });

  it('a lost connection in the last step names it alone', async () => {
    const f = fleet();
    f.loseAt('web1:second');
    const e = await execChain(
      f.ctx,
      web1,
      chain([
        { step: 'a', commands: [say('first')] },
        { step: 'b', commands: [say('second')] },
      ]),
    ).catch((x: unknown) => x as Error);
    expect(e).toBeInstanceOf(CommandLostError);
    expect((e as Error).message).toBe('web1: b: connection lost while running second');
  });
});

describe('runSteps', () => {
  it('sends each host its steps in one round trip, and reports them step by step whatever order the hosts go in', async () => {
    const f = fleet();
    // web2 is slow in step a; web1 is through both steps before web2 ends a.
    const running = runSteps(f.ctx, [step('a', (h) => [h === 'web2' ? 'wait:a out:a2' : 'out:a1']), step('b', (h) => [`out:b-${h}`])]);
    await until(() => f.finished.has('web1'), { timeout: 5000, interval: 1, what: 'web1 through both steps' });
    expect(f.trace()).toEqual(['start a web1,web2', 'web1 a $ true', 'web2 a $ true', 'web1 a stdout: a1', 'web1 a exit 0', 'web1 a ok']);
    f.open('web2:a');
    await running;
    expect(f.trace()).toEqual([
      'start a web1,web2',
      'web1 a $ true',
      'web2 a $ true',
      'web1 a stdout: a1',
      'web1 a exit 0',
      'web1 a ok',
      'web2 a stdout: a2',
      'web2 a exit 0',
      'web2 a ok',
      'end a',
      'start b web1,web2',
      // web1's step b ran while web2 was still in a: held until a ended.
      'web1 b $ true',
      'web1 b stdout: b-web1',
      'web1 b exit 0',
      'web1 b ok',
      'web2 b $ true',
      'web2 b stdout: b-web2',
      'web2 b exit 0',
      'web2 b ok',
      'end b',
    ]);
    expect([...f.trips]).toEqual([
      ['web1', 1],
      ['web2', 1],
    ]);
    const kinds = f.events.map((e) => e.type);
    expect(kinds.filter((k) => k === 'host:start')).toHaveLength(4);
  });

  it('a host that fails stops there; the others go on; the first failed step is thrown once all have stopped', async () => {
    const f = fleet();
    const e = await runSteps(f.ctx, [step('a', (h) => [h === 'web2' ? 'fail:3' : 'out:a1']), step('b', () => ['out:b'])]).then(
      () => undefined,
      (x: unknown) => x as HostsFailedError,
    );
    if (!e) throw new Error('runSteps succeeded');
    expect(e).toBeInstanceOf(HostsFailedError);
    expect(e.step).toBe('a');
    expect([...e.failures.keys()]).toEqual(['web2']);
    expect(f.trace()).toEqual([
      'start a web1,web2',
      'web1 a $ true',
      'web2 a $ true',
      'web1 a stdout: a1',
      'web1 a exit 0',
      'web1 a ok',
      'web2 a stderr: web2 failed',
      'web2 a exit 3',
      'web2 a failed',
      'end a failed',
      'start b web1',
      'web1 b $ true',
      'web1 b stdout: b',
      'web1 b exit 0',
      'web1 b ok',
      'end b',
    ]);
  });

  it('a step with nothing to run on a host is done there once the host gets past it, never after it failed before', async () => {
    const f = fleet();
    await runSteps(f.ctx, [step('a', (h) => [h === 'web2' ? 'fail:3' : 'out:a1']), step('b', () => []), step('c', () => ['out:c'])]).catch(
      () => undefined,
    );
    expect(f.trace().filter((l) => /^(start|end|\w+ \w+ (ok|failed))/.test(l))).toEqual([
      'start a web1,web2',
      'web1 a ok',
      'web2 a failed',
      'end a failed',
      'start b web1',
      'web1 b ok',
      'end b',
      'start c web1',
      'web1 c ok',
      'end c',
    ]);
    const durations = f.events.flatMap((e) => (e.type === 'host:end' ? [e.durationMs] : []));
    expect(Math.max(...durations)).toBeLessThan(60_000);
  });

  it('a step that goes on after a failure says so and its host runs the next step', async () => {
    const f = fleet();
    await runSteps(f.ctx, [
      step('a', (h) => (h === 'web1' ? ['fail:2', 'skipped'] : ['out:a2']), {
        goOn: (run, host, end) =>
          run.emit({ type: 'warning', host: host.name, message: `${host.name} went on after ${end.code}: ${end.stderr.join('|')}` }),
      }),
      step('b', () => ['out:b']),
    ]);
    expect(f.trace().filter((l) => l.startsWith('web1') || l.startsWith('warning'))).toEqual([
      'web1 a $ true',
      'web1 a stderr: web1 failed',
      'web1 a exit 2',
      'warning web1 went on after 2: web1 failed',
      'web1 a ok',
      'web1 b $ true',
      'web1 b stdout: b',
      'web1 b exit 0',
      'web1 b ok',
    ]);
  });

  it('a step that runs alone, a step with an upload first, and a plan each start a round trip of their own', async () => {
    const f = fleet();
    const uploads: string[] = [];
    await runSteps(f.ctx, [
      step('a', () => ['one']),
      step('b', () => ['two']),
      step('once', () => ['three'], { alone: true }),
      step('c', () => ['four']),
      step('d', () => ['five'], { before: async (_run, h) => void uploads.push(h.name) }),
      step('e', () => ['six']),
    ]);
    // a+b, once, c, d+e.
    expect(f.trips.get('web1')).toBe(4);
    expect(uploads).toEqual(['web1', 'web2']);
    const p = fleet('plan');
    await runSteps(p.ctx, [step('a', () => ['one']), step('b', () => ['two'])]);
    expect(p.trips.get('web1')).toBe(2);
  });
});
