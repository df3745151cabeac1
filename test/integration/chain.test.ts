import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DeployEvent } from '../../src/output/events.js';
import { fleet } from '../fleet/context.js';
import { sshRun, type Fleet } from '../fleet/fleet.js';
import { appRepo, cli, ndjson, project, type AppRepo } from './support/project.js';
import { stopApps } from './support/tiers.js';

// Steps that need no answer in between share a round trip per host (tasks/chain.ts), on the real fleet: the
// commands prove it by the tag of the login shell that runs them (backends/protocol.ts), and the run still
// reports every command as its own, in its step.

/** Prints the tag (`deploy:<run>:<connection>:<command>`) of the round trip the task runs in: its login shell's. */
const TAG = [
  'p=$PPID',
  'for i in 1 2 3 4 5; do t=$(tr "\\0" "\\n" < /proc/$p/cmdline | grep -o "deploy:[a-z0-9]*:[0-9]*:[0-9]*$") && break',
  'p=$(cut -d" " -f4 /proc/$p/stat); done',
  'echo "tag $t $1"',
].join('\n');
const tagged = (name: string) => ({ run: `set -- ${name}\n${TAG}`, roles: ['web'], cwd: '/' });

async function on(f: Fleet, host: string, command: string): Promise<string> {
  const r = await sshRun(f, host, command);
  if (r.code !== 0) throw new Error(`${host}: ${command}: exit ${r.code}: ${r.stderr}`);
  return r.stdout.trim();
}

describe('steps sharing a round trip', () => {
  let f: Fleet;
  let repo: AppRepo;
  let p: { dir: string; file: string; deployTo: string };
  const webs = () => f.hosts.filter((h) => h.roles.includes('web')).map((h) => h.name);

  const app = (failOn: string, deployTo?: string) =>
    project(f, {
      ...(deployTo ? { deployTo } : {}),
      source: { repository: repo.url },
      extra: {
        tasks: {
          'after-transfer': tagged('after-transfer'),
          'before-shared': tagged('before-shared'),
          out: { run: "printf 'one\\n'; printf 'no newline' >&2", roles: ['web'], cwd: '/' },
          last: {
            run: `[ "$DEPLOY_HOST" != ${failOn} ] || { echo "refusing on $DEPLOY_HOST" >&2; exit 7; }\nset -- last\n${TAG}`,
            roles: ['web'],
            cwd: '/',
          },
        },
        hooks: { after: { transfer: ['after-transfer'], shared: ['out', 'last'] }, before: { shared: ['before-shared'] } },
      },
    });

  beforeAll(() => {
    f = fleet();
    repo = appRepo();
    repo.commit('v1');
    p = app('nobody');
  });
  // The app listens on the fleet's default port: a later test file's first deploy needs it free.
  afterAll(() => stopApps(f, p.deployTo));

  it('transfer, shared and their hooks run on a host in one round trip; each command is still reported in its own step', async () => {
    const r = await cli(['staging', '-c', p.file, '--json']);
    expect(r.code, r.stderr).toBe(0);
    const events = ndjson<DeployEvent>(r.stdout);
    const order = ['transfer', 'task:after-transfer', 'task:before-shared', 'shared', 'task:out', 'task:last'];
    // The git mirror's update is a step of its own (its revision is needed first); then the chained steps, each
    // ended before the next starts, whatever order the hosts went in.
    const marks = events.flatMap((e) =>
      (e.type === 'step:start' || e.type === 'step:end') && order.includes(e.step)
        ? [`${e.type === 'step:start' ? 'start' : 'end'} ${e.step}`]
        : [],
    );
    expect(marks).toEqual(['start transfer', 'end transfer', ...order.flatMap((s) => [`start ${s}`, `end ${s}`])]);
    for (const host of webs()) {
      const mine = events.filter((e) => 'host' in e && e.host === host && 'step' in e && order.slice(1).includes(e.step));
      const tags = new Map(
        mine.flatMap((e) =>
          e.type === 'output' && e.line.startsWith('tag ') ? [[e.line.split(' ')[2], e.line.split(' ')[1]] as const] : [],
        ),
      );
      expect([...tags.keys()], host).toEqual(['after-transfer', 'before-shared', 'last']);
      // One login shell ran them all: one round trip.
      expect(new Set(tags.values()).size, `${host}: ${[...tags.values()].join(' ')}`).toBe(1);
      expect(tags.get('last'), host).toMatch(/^deploy:[a-z0-9]+:\d+:\d+$/);
      // Each command has its own events, in its step: a line without its newline too.
      const out = mine.flatMap((e) => {
        if (!('step' in e) || e.step !== 'task:out') return [];
        if (e.type === 'output') return [`${e.stream} ${e.line}`];
        if (e.type === 'command:exit') return [`exit ${e.code}`];
        return [e.type];
      });
      expect(out, host).toEqual(['host:start', 'command', 'stdout one', 'stderr no newline', 'exit 0', 'host:end']);
    }
  });

  it('a task that fails on one host fails the deploy in its step, naming host and output; its release goes away everywhere', async () => {
    const live = await Promise.all(webs().map((h) => on(f, h, `readlink '${p.deployTo}/current'`)));
    repo.commit('v2');
    const failing = app('web2', p.deployTo);
    const r = await cli(['staging', '-c', failing.file, '--json']);
    expect(r.code, r.stderr).toBe(5);
    expect(r.stderr).toContain('web2: task:last: command failed with exit code 7');
    expect(r.stderr).toContain('refusing on web2');
    const events = ndjson<DeployEvent>(r.stdout);
    const ends = events.flatMap((e) => (e.type === 'host:end' && e.step === 'task:last' ? [`${e.host} ${e.ok}`] : []));
    expect(ends.sort()).toEqual(
      webs()
        .map((h) => `${h} ${h !== 'web2'}`)
        .sort(),
    );
    expect(events.some((e) => e.type === 'step:start' && e.step === 'install')).toBe(false);
    for (const [i, h] of webs().entries()) {
      expect(await on(f, h, `readlink '${p.deployTo}/current'`), h).toBe(live[i]);
      expect(await on(f, h, `ls '${p.deployTo}/releases'`), h).toBe(live[i]!.split('/').pop());
      expect(await on(f, h, `test -e '${p.deployTo}/deploy.lock' && echo locked || echo free`), h).toBe('free');
    }
    // The next deploy runs as usual.
    expect((await cli(['staging', '-c', p.file])).code).toBe(0);
  });
});
