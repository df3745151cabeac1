import { createRequire } from 'node:module';
import { Command } from 'commander';
import { reportError } from './report.js';
import { registerCheck } from './check.js';
import { registerConfig } from './config.js';
import { registerLock } from './lock.js';
import { registerLogs } from './logs.js';
import { registerReleases } from './releases.js';
import { registerRollback } from './rollback.js';
import { registerRun } from './run.js';
import { registerSsh } from './ssh.js';
import { registerStatus } from './status.js';
import { registerTasks } from './tasks.js';
import { registerDeploy } from './deploy.js';
import { registerInit } from './init.js';
import { registerPlan } from './plan.js';
import { registerSchema } from './schema.js';

const { version } = createRequire(import.meta.url)('../../package.json') as { version: string };

export function buildProgram(): Command {
  const program = new Command('deploy')
    .description('Deploy web applications over SSH to fleets of hosts: tier by tier, in batches, atomically.')
    .version(version, '-V, --version')
    .usage('<stage> [options]  |  deploy <command> [options]')
    .showHelpAfterError()
    .exitOverride();
  for (const register of [
    registerDeploy,
    registerInit,
    registerConfig,
    registerPlan,
    registerCheck,
    registerRollback,
    registerReleases,
    registerStatus,
    registerRun,
    registerSsh,
    registerLock,
    registerLogs,
    registerTasks,
    registerSchema,
  ]) register(program);
  program.addHelpText(
    'after',
    `
Deploy:
  deploy <stage> [-n|--dry-run] [-m <why>] [--roles r,…] [--hosts h,…] [--lock-wait <s>] [-p <n>] [--json] [-c <file>]
  (\`deploy help deploy\` for details)

Exit codes:
  0 ok · 2 bad config or input · 3 lock held · 4 connection or host key · 5 a step failed (nothing switched)
  6 switched back after a failure · 130 interrupted`,
  );
  return program;
}

const OPTIONS_WITH_VALUE = new Set(['-c', '--config']);

/** `deploy staging …` is the deploy itself: the stage stands where a verb would. */
export function normalizeArgv(args: readonly string[], verbs: ReadonlySet<string>): string[] {
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (OPTIONS_WITH_VALUE.has(a)) {
      i++;
      continue;
    }
    if (a === '--') return [...args];
    if (a.startsWith('-')) continue;
    return verbs.has(a) ? [...args] : [...args.slice(0, i), 'deploy', ...args.slice(i)];
  }
  return [...args];
}

export async function main(argv: readonly string[] = process.argv): Promise<number> {
  const program = buildProgram();
  const verbs = new Set(program.commands.flatMap((c) => [c.name(), ...c.aliases()]).concat('help'));
  try {
    await program.parseAsync(normalizeArgv(argv.slice(2), verbs), { from: 'user' });
    return process.exitCode === undefined ? 0 : Number(process.exitCode);
  } catch (e) {
    return reportError(e);
  }
}
