import type { DeployEvent } from '../../../src/output/events.js';

/**
 * Hand-written event streams for what a plan-mode run cannot show (failures, a switch-back, batches with a balancer).
 * recorded.ts holds one recorded from a real run, and recorded.test.ts checks it still matches the emitters.
 */

export const R0 = '20250101090000';
export const R1 = '20250102100000';
const CODE_HOSTS = ['web1', 'web2', 'db1'];

type Per = (host: string) => DeployEvent[];

/** A step over hosts, one after another: host:start, what `per` emits, host:end. `fail` hosts end badly. */
export function step(name: string, hosts: readonly string[], per: Per = () => [], fail: Record<string, string> = {}): DeployEvent[] {
  const out: DeployEvent[] = [{ type: 'step:start', step: name, hosts: [...hosts] }];
  for (const host of hosts) {
    out.push({ type: 'host:start', step: name, host }, ...per(host));
    const error = fail[host];
    out.push(
      error
        ? { type: 'host:end', step: name, host, ok: false, durationMs: 40, error }
        : { type: 'host:end', step: name, host, ok: true, durationMs: 40 },
    );
  }
  out.push({ type: 'step:end', step: name, ok: hosts.every((h) => !fail[h]), durationMs: 50 * hosts.length });
  return out;
}

export const run = (cmd: string, stepName: string, host: string, lines: string[] = [], code = 0): DeployEvent[] => [
  { type: 'command', step: stepName, host, command: cmd, effect: 'write', dryRun: false },
  ...lines.map((line): DeployEvent => ({ type: 'output', step: stepName, host, stream: 'stdout', line })),
  { type: 'command:exit', step: stepName, host, code, durationMs: 10 },
];

function prelude(): DeployEvent[] {
  return [
    { type: 'run:start', verb: 'deploy', stage: 'staging', id: R1, release: R1, hosts: [...CODE_HOSTS, 'lb1'], dryRun: false },
    ...step('check', [...CODE_HOSTS, 'lb1'], (h) => run('test -w /srv/app', 'check', h)),
    ...run(`mkdir /srv/app/deploy.lock`, 'lock', 'db1'),
    { type: 'lock', action: 'acquired', host: 'db1' },
    ...step('release', CODE_HOSTS, (h) => run('readlink /srv/app/current', 'release', h, [`/srv/app/releases/${R0}`])),
    ...CODE_HOSTS.map((host): DeployEvent => ({ type: 'release', host, previous: R0, release: R1 })),
    ...step('release', CODE_HOSTS, (h) => run(`mkdir -p /srv/app/releases/${R1}`, 'release', h)),
    { type: 'info', message: 'artifact 3000000 bytes, sha256 ab12' },
    ...step('transfer', CODE_HOSTS, (host) => [
      {
        type: 'command',
        step: 'transfer',
        host,
        command: 'upload artifact.tar.gz → /srv/app/uploads/x.tar.gz',
        effect: 'write',
        dryRun: false,
      },
      ...[0, 800_000, 1_600_000, 2_400_000, 3_000_000].map(
        (transferred): DeployEvent => ({ type: 'upload', host, transferred, total: 3_000_000 }),
      ),
      ...run('tar -xzf /srv/app/uploads/x.tar.gz', 'transfer', host),
    ]),
    ...step('install', CODE_HOSTS, (host) => [
      ...run('npm ci', 'install', host, ['added 12 packages']),
      { type: 'info', host, message: `reused node_modules of release ${R0} (package-lock.json unchanged)` },
    ]),
    { type: 'step:start', step: 'migrate', hosts: ['db1'] },
    ...run('npm run migrate', 'migrate', 'db1', ['applied 003_count_runs.sql']),
    { type: 'step:end', step: 'migrate', ok: true, durationMs: 120 },
  ];
}

const switchHost =
  (health: 'ok' | 'fail') =>
  (host: string): DeployEvent[] => [
    { type: 'drain', host, action: 'drain' },
    ...run(`ln -s releases/${R1} current.tmp && mv current.tmp current`, 'switch', host),
    ...run('bin/restart', 'restart', host, ['restarted']),
    ...run('curl -s http://127.0.0.1:3000/health', 'health', host, health === 'ok' ? ['{"ok":true}'] : ['{"ok":false,"error":"boom"}']),
    { type: 'health', host, ok: health === 'ok', attempt: 1, status: health === 'ok' ? 200 : 500 },
    ...(health === 'ok' ? [{ type: 'drain', host, action: 'ready' } as DeployEvent] : []),
  ];

/** Deploys R1 over R0 on web1, web2 (two batches) and db1. */
export function successfulRun(): DeployEvent[] {
  return [
    ...prelude(),
    { type: 'batch', role: 'db', index: 1, of: 1, hosts: ['db1'] },
    ...step('switch', ['db1'], (h) => run(`ln -s releases/${R1} current.tmp && mv current.tmp current`, 'switch', h)),
    { type: 'batch', role: 'web', index: 1, of: 2, hosts: ['web1'] },
    ...step('switch', ['web1'], switchHost('ok')),
    { type: 'batch', role: 'web', index: 2, of: 2, hosts: ['web2'] },
    ...step('switch', ['web2'], switchHost('ok')),
    ...step('cleanup', CODE_HOSTS, (h) => run('ls /srv/app/releases', 'cleanup', h, [R0, R1])),
    ...step('log', CODE_HOSTS, (h) => run('echo >> revisions.log', 'log', h)),
    ...run('rm -rf /srv/app/deploy.lock', 'lock', 'db1'),
    { type: 'lock', action: 'released', host: 'db1' },
    { type: 'run:end', outcome: 'success', exitCode: 0, durationMs: 4000 },
  ];
}

/** web2 (batch 2) fails its health check: db1 and web1 had switched and go back to R0 with web2. */
export function switchedBackRun(): DeployEvent[] {
  const error = 'web2: health: GET http://127.0.0.1:3000/health expected HTTP 200, got HTTP 500 after 1 attempts';
  return [
    ...prelude(),
    { type: 'batch', role: 'db', index: 1, of: 1, hosts: ['db1'] },
    ...step('switch', ['db1'], (h) => run(`ln -s releases/${R1} current.tmp && mv current.tmp current`, 'switch', h)),
    { type: 'batch', role: 'web', index: 1, of: 2, hosts: ['web1'] },
    ...step('switch', ['web1'], switchHost('ok')),
    { type: 'batch', role: 'web', index: 2, of: 2, hosts: ['web2'] },
    ...step('switch', ['web2'], switchHost('fail'), { web2: error }),
    { type: 'switchback', hosts: ['db1', 'web1', 'web2'], to: R0 },
    ...step('switchback', ['db1', 'web1', 'web2'], (h) =>
      run(`ln -s releases/${R0} current.tmp && mv current.tmp current`, 'switchback', h),
    ),
    ...step('mark-bad', CODE_HOSTS, (h) => run(`touch releases/${R1}/.deploy-bad`, 'mark-bad', h)),
    ...step('log', CODE_HOSTS, (h) => run('echo >> revisions.log', 'log', h)),
    ...run('rm -rf /srv/app/deploy.lock', 'lock', 'db1'),
    { type: 'lock', action: 'released', host: 'db1' },
    {
      type: 'run:end',
      outcome: 'switched-back',
      exitCode: 6,
      durationMs: 5000,
      error: `release ${R1} failed while switching; switched db1, web1, web2 back:\n${error}`,
    },
  ];
}

/** Fails before the switch: web1 is missing a shared file; nothing went live. */
export function failedBeforeSwitchRun(): DeployEvent[] {
  const error = 'web1: shared: command failed with exit code 1: check shared files';
  const events = prelude().filter(
    (e) => !('step' in e && (e.step === 'install' || e.step === 'migrate')) && !(e.type === 'info' && e.host),
  );
  return [
    ...events,
    ...step(
      'shared',
      CODE_HOSTS,
      (h) =>
        run(
          'test -f shared/config/secret.yml',
          'shared',
          h,
          h === 'web1' ? ['missing shared file: /srv/app/shared/config/secret.yml'] : [],
          h === 'web1' ? 1 : 0,
        ),
      { web1: error },
    ),
    ...step('discard', CODE_HOSTS, (h) => run(`rm -rf releases/${R1}`, 'discard', h)),
    ...run('rm -rf /srv/app/deploy.lock', 'lock', 'db1'),
    { type: 'lock', action: 'released', host: 'db1' },
    { type: 'run:end', outcome: 'failed', exitCode: 5, durationMs: 3000, error: `shared failed on 1 host(s):\n  ${error}` },
  ];
}
