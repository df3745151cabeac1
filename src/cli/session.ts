import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import type { Backend, SshTarget } from '../backends/backend.js';
import type { Fault } from '../backends/faults.js';
import { LocalBackend } from '../backends/local.js';
import { OfflineBackend } from '../backends/offline.js';
import { fsIncluder } from '../backends/ssh-config-files.js';
import { secretValues } from '../config/printable.js';
import type { Config, HostDef } from '../config/types.js';
import { DeployError, ExitCode, InterruptedError } from '../errors.js';
import { selectHosts } from '../hosts/select.js';
import { resolveTargetsWithNotes } from '../hosts/target.js';
import { deferredSink, fanOut, type DeployEvent, type EventSink, type Outcome, type RunSummary } from '../output/events.js';
import { jsonRenderer } from '../output/json.js';
import { LOGS_DIR, openLogFiles } from '../output/logfile.js';
import { masking } from '../output/mask.js';
import { forceColor, plainRenderer } from '../output/plain.js';
import { outputMode } from '../output/select.js';
import { Recorder, summarize } from '../output/summary.js';
import type { RunContext, RunMode } from '../tasks/context.js';
import { splitList, type Done, type RunFlags } from './common.js';
import { loadStage } from './stage.js';
import { reportError } from './report.js';

// The declarations' side (cli/<verb>.ts) has these from common.ts; re-exported for the actions.
export type { Done, RunFlags };

export interface Session {
  readonly ctx: RunContext;
  /** The run's local id (runId()). */
  readonly run: string;
  /**
   * Ends the run: reports the outcome (with the run summary for verbs that change releases; `known` is what the
   * task returned, if it got that far), closes connections and output, returns the exit code.
   */
  finish(error?: unknown, known?: RunSummary): Promise<number>;
}

export interface SessionOptions {
  mode?: RunMode;
  /** Where events go (default: defaultSink, or querySink with `query`). */
  sink?: EventSink;
  run?: string;
  /** A verb that prints data of its own on stdout: progress goes to stderr. */
  query?: boolean;
}

export { secretValues };

/**
 * A run's local id, `YYYYMMDD-HHMMSS` (UTC): it names the run's log dir and is kept in the lock. Not a release id:
 * a deploy chooses that once it holds the lock (event `release:chosen`).
 */
export function runId(now: Date = new Date()): string {
  return now
    .toISOString()
    .replace(/\.\d+Z$/, '')
    .replace(/[-:]/g, '')
    .replace('T', '-');
}

/** Verbs that change what hosts serve: they keep logs under .deploy/logs and end with a run summary. */
const RELEASE_VERBS = new Set(['deploy', 'rollback', 'promote', 'beta', 'beta end', 'beta promote', 'sync']);
/** Verbs shown as live rows on a terminal; the others print data of their own on stdout. */
const liveVerb = (verb: string) => RELEASE_VERBS.has(verb) || verb === 'check' || verb.startsWith('task ');

// ── config and selection ──────────────────────────────────────────────────────────────────────────────────────

/** The stage's config (with --parallel applied) and the hosts --roles/--hosts select. */
export async function stageSelection(stage: string, flags: RunFlags): Promise<{ config: Config; hosts: HostDef[] }> {
  const loaded = await loadStage(flags, stage);
  const parallel = flags.parallel;
  const config: Config = parallel ? Object.freeze({ ...loaded, ssh: Object.freeze({ ...loaded.ssh, parallel }) }) : loaded;
  return { config, hosts: selectHosts(config.hosts, { roles: splitList(flags.roles), hosts: splitList(flags.hosts) }) };
}

// ── targets ───────────────────────────────────────────────────────────────────────────────────────────────────

function sshConfigText(config: Config): { text?: string; file: string } {
  const file = config.ssh.configFile
    ? resolve(dirname(config.file), config.ssh.configFile.replace(/^~(?=\/)/, homedir()))
    : `${homedir()}/.ssh/config`;
  return existsSync(file) ? { text: readFileSync(file, 'utf8'), file } : { file };
}

/** How every host of the stage is reached (deploy.yml over ~/.ssh/config), with what is worth a warning. */
export function sshTargets(config: Config): { targets: SshTarget[]; warnings: readonly { host: string; message: string }[] } {
  const ssh = sshConfigText(config);
  return resolveTargetsWithNotes(config, config.hosts, {
    home: homedir(),
    env: process.env,
    sshConfigText: ssh.text,
    sshConfigFile: ssh.file,
    include: fsIncluder,
  });
}

// ── logs ──────────────────────────────────────────────────────────────────────────────────────────────────────

/** The run's log files under .deploy/logs next to deploy.yml; a directory that cannot be written is said, not fatal. */
function runLogs(config: Config, stage: string, id: string): { sink?: EventSink; problem?: string } {
  const dir = join(dirname(config.file), LOGS_DIR);
  try {
    return { sink: openLogFiles(dir, stage, id).sink };
  } catch (e) {
    return { problem: `no run logs: cannot write ${dir}: ${e instanceof Error ? e.message : String(e)}` };
  }
}

/** The report is a by-product: failing to write it is said, not fatal. */
async function writeReport(file: string, recorder: Recorder): Promise<void> {
  try {
    const { renderReport } = await import('../output/report.js');
    writeFileSync(file, renderReport(recorder.events));
  } catch (e) {
    process.stderr.write(`warning: could not write the report ${file}: ${e instanceof Error ? e.message : String(e)}\n`);
  }
}

// ── signals ───────────────────────────────────────────────────────────────────────────────────────────────────

/** SIGINT/SIGTERM abort the run (the lock is still released); a second one exits at once. */
function interrupts(emit: EventSink): { signal: AbortSignal; dispose(): void } {
  const abort = new AbortController();
  let signals = 0;
  const onSignal = (sig: NodeJS.Signals) => {
    signals++;
    if (signals > 1) process.exit(ExitCode.interrupted);
    emit({ type: 'warning', message: `${sig}: stopping after the current commands; the lock is released (again to quit at once)` });
    abort.abort(new InterruptedError(`interrupted by ${sig}`));
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  return {
    signal: abort.signal,
    dispose: () => {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    },
  };
}

// ── the event sink ────────────────────────────────────────────────────────────────────────────────────────────

/**
 * NDJSON with --json; on a terminal (not CI) live rows for verbs that run steps; plain CI lines otherwise,
 * coloured only with FORCE_COLOR.
 */
export function defaultSink(
  flags: Pick<RunFlags, 'json' | 'verbose'>,
  options: { live?: boolean; env?: NodeJS.ProcessEnv; stdout?: NodeJS.WriteStream } = {},
): EventSink {
  const env = options.env ?? process.env;
  const stdout = options.stdout ?? process.stdout;
  const write = (l: string) => void stdout.write(`${l}\n`);
  switch (
    outputMode({ json: flags.json, verbose: flags.verbose, live: options.live ?? false, isTTY: stdout.isTTY, columns: stdout.columns, env })
  ) {
    case 'json':
      return jsonRenderer(write);
    case 'terminal':
      // listr2 loads only for a terminal; events wait for it in order.
      return deferredSink(import('../output/terminal.js').then((m) => m.terminalRenderer({ stdout })));
    case 'plain':
      return plainRenderer({ write, verbose: flags.verbose ?? false, color: forceColor(env) });
  }
}

/**
 * Verbs that print data (status, releases, run…) keep stdout for it: progress goes to stderr, and only
 * warnings and failures unless --verbose.
 */
export function querySink(flags: RunFlags): EventSink {
  const plain = plainRenderer({ write: (l) => process.stderr.write(`${l}\n`), verbose: flags.verbose ?? false });
  if (flags.verbose) return plain;
  return (e) => (e.type === 'warning' || (e.type === 'host:end' && !e.ok) ? plain(e) : undefined);
}

// ── the session ───────────────────────────────────────────────────────────────────────────────────────────────

/**
 * Everything a verb needs to run against a stage: config, selection, SSH targets, backend, event sink and
 * interrupt handling, each from its own function above.
 */
export async function openSession(stage: string, flags: RunFlags, verb: string, options: SessionOptions = {}): Promise<Session> {
  const mode = options.mode ?? 'real';
  const { config, hosts } = await stageSelection(stage, flags);
  const { targets, warnings } = sshTargets(config);
  const id = options.run ?? runId();
  // A plan contacts no host: the SSH client, the dry-run wrapper and the failpoints load only for the other modes.
  const [sshModule, dryRunModule, faultsModule] =
    mode === 'plan'
      ? []
      : await Promise.all([import('../backends/ssh.js'), import('../backends/dry-run.js'), import('../backends/faults.js')]);
  // Failpoints (DEPLOY_FAULTS, DEPLOY_FAULTS_LOG) are a testing aid for real runs only: docs/reliability.md.
  const steps = faultsModule?.stepTracker();
  const recorder = new Recorder();
  const view = options.sink ?? (options.query ? querySink(flags) : defaultSink(flags, { live: liveVerb(verb) }));
  const logs = RELEASE_VERBS.has(verb) && mode === 'real' ? runLogs(config, stage, id) : {};
  // Everything that prints or writes sits behind the masking.
  const emit = masking(
    secretValues(config),
    fanOut(...(steps ? [steps.sink] : []), recorder.sink, view, ...(logs.sink ? [logs.sink] : [])),
  );
  let faults: readonly Fault[] = [];
  let backend: Backend = new OfflineBackend();
  if (sshModule && dryRunModule && faultsModule) {
    const ssh = new sshModule.SshBackend({
      onUnknownHostKey: (t, key) =>
        emit({
          type: 'warning',
          host: t.name,
          message: `${t.name} is not in known_hosts; accepted for this run (ssh.accept_new_host_keys), nothing written: it offered ${key}`,
        }),
      onConnectRetry: (t, message) => emit({ type: 'warning', host: t.name, message }),
    });
    if (mode === 'dry-run') backend = new dryRunModule.DryRunBackend(ssh);
    else ({ backend, faults } = faultsModule.faultsFromEnv(ssh, process.env, steps?.stepOf));
  }
  const signals = interrupts(emit);
  const local = new LocalBackend();
  const ctx: RunContext = {
    config,
    backend,
    targets: new Map(targets.map((t) => [t.name, t])),
    emit,
    mode,
    signal: signals.signal,
    hosts,
    local: { run: (argv, o) => local.run(argv, { ...o, signal: signals.signal }) },
    projectDir: dirname(config.file),
  };
  const started = Date.now();
  emit({
    type: 'run:start',
    verb,
    stage,
    id,
    hosts: hosts.map((h) => h.name),
    dryRun: mode !== 'real',
    ...(flags.message ? { message: flags.message } : {}),
  });
  if (logs.problem) emit({ type: 'warning', message: logs.problem });
  const selected = new Set(hosts.map((h) => h.name));
  const stageHosts = new Set(config.hosts.map((h) => h.name));
  for (const w of warnings)
    if (selected.has(w.host) || !stageHosts.has(w.host)) emit({ type: 'warning', host: w.host, message: w.message });
  if (faults.length)
    emit({
      type: 'warning',
      message: `DEPLOY_FAULTS: injecting ${faults.map((f) => `${f.kind}@${f.host}:${f.n}`).join(', ')} (a testing aid)`,
    });
  return {
    ctx,
    run: id,
    async finish(error?: unknown, known?: RunSummary) {
      signals.dispose();
      await backend.close().catch(() => undefined);
      const interrupted = signals.signal.aborted;
      const exitCode =
        error === undefined
          ? ExitCode.ok
          : interrupted
            ? ExitCode.interrupted
            : error instanceof DeployError
              ? error.exitCode
              : ExitCode.internal;
      const outcome: Outcome =
        exitCode === 0 ? 'success' : interrupted ? 'interrupted' : exitCode === ExitCode.switchedBack ? 'switched-back' : 'failed';
      const summary = RELEASE_VERBS.has(verb) ? summarize(recorder.events, exitCode === 0, known) : undefined;
      const end: DeployEvent = {
        type: 'run:end',
        outcome,
        exitCode,
        durationMs: Date.now() - started,
        ...(error instanceof Error ? { error: error.message } : {}),
        ...(summary ? { summary } : {}),
      };
      emit(end);
      await emit.close?.();
      if (flags.report) await writeReport(resolve(flags.report), recorder);
      return exitCode;
    },
  };
}

export interface RunOptions<T> extends SessionOptions {
  /** The run summary in what the action returned (deploy, rollback). */
  summary?: (result: T) => RunSummary | undefined;
  /** Before the run ends, whatever happened (`result` is undefined after a failure). */
  beforeEnd?: (result: T | undefined, session: Session) => void;
  /** After the run ended well. */
  afterEnd?: (result: T, session: Session) => void;
}

/**
 * The one session runner: opens a session, runs `fn`, ends the run and reports a failure; returns the exit code
 * for `main`.
 */
export async function runSession<F extends RunFlags, T>(
  stage: string,
  flags: F,
  verb: string,
  fn: (session: Session) => Promise<T>,
  options: RunOptions<T> = {},
): Promise<number> {
  const session = await openSession(stage, flags, verb, options);
  let error: unknown;
  let result: T | undefined;
  try {
    result = await fn(session);
  } catch (e) {
    error = e;
  }
  options.beforeEnd?.(result, session);
  const code = await session.finish(error, error === undefined && options.summary ? options.summary(result as T) : undefined);
  if (error !== undefined) reportError(error, { secrets: secretValues(session.ctx.config), verbose: flags.verbose === true });
  else options.afterEnd?.(result as T, session);
  return code;
}
