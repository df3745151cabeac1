import { paths } from '../commands/paths.js';
import type { Config, HostDef } from '../config/types.js';
import { NotConnectedError, StepFailedError } from '../errors.js';
import { preflightThen } from '../commands/preflight.js';
import type { Fact } from '../facts/fact.js';
import { preflightReport, splitPreflightThen, type PreflightReport } from '../facts/preflight.js';
import type { RunContext } from './context.js';
import { healthRoles } from './env.js';
import type { LockStart } from './lock.js';
import { exec, onHosts, probe } from './runner.js';

/** Below this much free space in deploy_to, a deploy is refused before it writes anything. */
export const MIN_FREE_KIB = 64 * 1024;

const SHELL_WORDS = new Set([
  'if',
  'then',
  'set',
  'cd',
  'export',
  'for',
  'while',
  'case',
  'test',
  'exec',
  'env',
  'command',
  'true',
  'false',
]);

/** The program a snippet starts with, when it plainly starts with one (`npm ci` → npm; `if …` → none). */
const firstWord = (snippet: string): string | undefined => {
  const word = snippet.trim().split(/\s+/)[0];
  return word && /^[A-Za-z0-9_.+-]+$/.test(word) && !SHELL_WORDS.has(word) && !word.includes('=') ? word : undefined;
};

/** The binaries this host's steps will call. */
export function toolsFor(config: Config, host: HostDef): string[] {
  const roles = (list: readonly string[]) => host.roles.some((r) => list.includes(r));
  const receivesCode = host.roles.some((r) => config.roles[r]?.code);
  const tools = new Set<string>();
  if (receivesCode) {
    ['mkdir', 'ln', 'mv', 'rm', 'readlink', 'tar', 'sha256sum'].forEach((t) => tools.add(t));
    if (config.source.kind === 'git') tools.add('git');
    const install = config.install && firstWord(config.install.command);
    if (install) tools.add(install);
  }
  if (config.health && roles(healthRoles(config))) tools.add('curl');
  return [...tools].sort();
}

export function preflightProblems(config: Config, report: PreflightReport, host?: Pick<HostDef, 'address'>): string[] {
  const problems: string[] = [];
  if (report.repository && !report.repository.ok && config.source.kind === 'git') {
    problems.push(
      `cannot read the repository ${config.source.repository} from this host with its own credentials${report.repository.error ? ` (git: ${report.repository.error})` : ''}: give the deploy user access (a deploy key, or an agent forwarded by ssh.forward_agent) or correct \`repository\``,
    );
  }
  if (report.port?.taken) {
    problems.push(
      `port ${report.port.port} on ${host?.address ?? 'this host'} is already in use, and this is the host's first deploy: the app could not listen there. Stop what holds it, or move the app and health.port to a free port`,
    );
  }
  if (report.missingTools.length > 0) problems.push(`missing tools: ${report.missingTools.join(', ')}`);
  if (report.writable === false) problems.push(`${report.probeDir ?? config.deployTo} is not writable by the deploy user`);
  // What earlier runs left behind (uploads, releases that never went live) is removed before anything is written.
  if (report.disk && report.disk.availableKiB + report.removableKiB < MIN_FREE_KIB) {
    const freed =
      report.removableKiB > 0 ? `, ${Math.round(report.removableKiB / 1024)} MiB more once what earlier runs left is removed` : '';
    problems.push(
      `only ${Math.round(report.disk.availableKiB / 1024)} MiB free in ${report.probeDir ?? config.deployTo}${freed} (need ${MIN_FREE_KIB / 1024} MiB)`,
    );
  }
  return problems;
}

export interface PreflightScope {
  /** What a deploy needs besides: the repository readable from each host (git), a free app port on a first deploy. */
  readonly deploy?: boolean;
  /** Locks being taken: their first try on a host goes in the same round trip as its check. */
  readonly lock?: LockStart<unknown>;
}

/**
 * Connects to every host at once and checks tools, disk and permissions; reports every failing host together.
 * Writes nothing but the lock's first try, when given one. In `plan` mode there is nothing to judge, so it only shows
 * the probe.
 */
export async function preflight(
  ctx: RunContext,
  hosts: readonly HostDef[] = ctx.hosts,
  o: PreflightScope = {},
): Promise<Map<string, PreflightReport>> {
  const p = paths(ctx.config.deployTo);
  const health = ctx.config.health;
  const checked = health ? healthRoles(ctx.config) : [];
  return onHosts(ctx, 'check', hosts, async (host) => {
    const keepsReleases = host.roles.some((r) => ctx.config.roles[r]?.code);
    const source = ctx.config.source;
    const check = preflightReport({
      deployTo: ctx.config.deployTo,
      tools: toolsFor(ctx.config, host),
      ...(keepsReleases ? { releases: { paths: p, belowKiB: MIN_FREE_KIB } } : {}),
      ...(o.deploy && keepsReleases && source.kind === 'git' ? { repository: source.repository } : {}),
      ...(o.deploy && health && host.roles.some((r) => checked.includes(r))
        ? { port: { paths: p, address: host.address, port: health.port } }
        : {}),
    });
    const report = await checkAndLock(ctx, host, check, o.lock);
    const problems = ctx.mode === 'plan' ? [] : preflightProblems(ctx.config, report, host);
    if (problems.length > 0) throw new StepFailedError(host.name, 'check', problems.join('; '));
    return report;
  });
}

/** The check on one host, with the lock's first try in the same round trip when there is one. */
async function checkAndLock(
  ctx: RunContext,
  host: HostDef,
  check: Fact<PreflightReport>,
  lock?: LockStart<unknown>,
): Promise<PreflightReport> {
  const next = lock?.ahead(host);
  if (!lock || !next) return probe(ctx, 'check', host, check);
  const both = preflightThen(check.command, next);
  lock.sent(host);
  const r = await exec(ctx, 'check', host, both, { allowFail: true }).catch((e: unknown) => {
    if (e instanceof NotConnectedError) lock.unsent(host);
    throw e;
  });
  const { check: out, code, next: after } = splitPreflightThen(r.stdout);
  lock.took(host, { stdout: after, code: r.code });
  // The check's own status when it failed, else the script's (the lock's: 1 is "held", judged by the lock step).
  if (code !== 0 || r.code > 1)
    throw new StepFailedError(
      host.name,
      'check',
      `command failed with exit code ${code || r.code}: ${both.description}`,
      r.stderr.trim() || undefined,
    );
  return check.parse(out);
}
