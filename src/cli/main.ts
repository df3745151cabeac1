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
import { registerPromote } from './promote.js';
import { registerSchema } from './schema.js';
import type { Done } from './session.js';
import { registerCompletion } from './completion.js';
import { registerBeta } from './beta.js';
import { registerSync } from './sync.js';
import { registerDrain } from './drain.js';

const { version } = createRequire(import.meta.url)('../../package.json') as { version: string };

/** `done` receives the exit code of the action that ran. */
export function buildProgram(done: Done = () => undefined): Command {
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
    registerPromote,
    registerBeta,
    registerSync,
    registerDrain,
    registerReleases,
    registerStatus,
    registerRun,
    registerSsh,
    registerLock,
    registerLogs,
    registerTasks,
    registerSchema,
    registerCompletion,
  ])
    register(program, done);
  program.addHelpText(
    'after',
    `
Deploy:
  deploy <stage> [-n|--dry-run] [-m <why>] [--roles r,…] [--hosts h,…] [--lock-wait <s>] [-p <n>] [--json] [-c <file>]
  (\`deploy help deploy\` for details)

Promote (build once):
  deploy promote <from> <to> [-n] [-m <why>]   e.g. deploy promote staging production
  (\`deploy help promote\` for details)

Exit codes:
  0 ok · 2 bad config or input · 3 lock held · 4 connection or host key · 5 a step failed (nothing switched)
  6 switched back after a failure · 7 promote refused (<from> mixed, unhealthy or its artifact not kept) · 130 interrupted`,
  );
  return program;
}

/** Options of the program itself; every other option belongs to a verb. */
const PROGRAM_OPTIONS = new Set(['-V', '--version', '-h', '--help']);

/**
 * `deploy staging …` is the deploy itself: the stage stands where a verb would. Options written before the verb or
 * stage (`deploy -c file staging`) are moved after it, where the verb reads them. `withValue` names the options
 * that take the next word as their value.
 */
export function normalizeArgv(
  args: readonly string[],
  verbs: ReadonlySet<string>,
  withValue: ReadonlySet<string> = new Set(['-c', '--config']),
): string[] {
  const leading: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === '--' || PROGRAM_OPTIONS.has(a)) return [...args];
    if (a.startsWith('-') && a !== '-') {
      leading.push(a);
      if (withValue.has(a) && i + 1 < args.length) leading.push(args[++i]!);
      continue;
    }
    const rest = args.slice(i + 1);
    return verbs.has(a) ? [a, ...leading, ...rest] : ['deploy', ...leading, a, ...rest];
  }
  return [...args];
}

export async function main(argv: readonly string[] = process.argv): Promise<number> {
  let code = 0;
  const program = buildProgram((c) => {
    code = c;
  });
  const verbs = new Set(program.commands.flatMap((c) => [c.name(), ...c.aliases()]).concat('help'));
  const withValue = new Set(
    program.commands
      .flatMap((c) => c.options.filter((o) => o.required).flatMap((o) => [o.short, o.long]))
      .filter((f): f is string => f !== undefined),
  );
  try {
    await program.parseAsync(normalizeArgv(argv.slice(2), verbs, withValue), { from: 'user' });
    return code;
  } catch (e) {
    return reportError(e, { verbose: argv.includes('-v') || argv.includes('--verbose') });
  }
}
