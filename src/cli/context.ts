import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import type { Backend } from '../backends/backend.js';
import { DryRunBackend } from '../backends/dry-run.js';
import { faultsFromEnv, stepTracker } from '../backends/faults.js';
import { LocalBackend } from '../backends/local.js';
import { OfflineBackend } from '../backends/offline.js';
import { SshBackend } from '../backends/ssh.js';
import { fsIncluder } from '../backends/ssh-config-files.js';
import { secretValues } from '../config/printable.js';
import type { Config } from '../config/types.js';
import { DeployError, ExitCode, InterruptedError } from '../errors.js';
import { selectHosts } from '../hosts/select.js';
import { resolveTargetsWithNotes } from '../hosts/target.js';
import { fanOut, type DeployEvent, type EventSink, type Outcome, type RunSummary } from '../output/events.js';
import { jsonRenderer } from '../output/json.js';
import { LOGS_DIR, openLogFiles } from '../output/logfile.js';
import { masking } from '../output/mask.js';
import { forceColor, plainRenderer } from '../output/plain.js';
import { renderReport } from '../output/report.js';
import { outputMode } from '../output/select.js';
import { Recorder, summarize } from '../output/summary.js';
import { terminalRenderer } from '../output/terminal.js';
import type { RunContext, RunMode } from '../tasks/context.js';
import { loadStage, splitList, type ConfigFlags } from './common.js';

export interface RunFlags extends ConfigFlags {
  roles?: string;
  hosts?: string;
  json?: boolean;
  verbose?: boolean;
  /** Overrides ssh.parallel (parsed by cli/common.ts parseCount). */
  parallel?: number;
  /** Write the run's HTML report here. */
  report?: string;
  /** Why (`-m`): kept in the lock, run:start, the summary, the report and revisions.log. */
  message?: string;
}

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

function sshConfigText(config: Config): { text?: string; file: string } {
  const file = config.ssh.configFile ? resolve(dirname(config.file), config.ssh.configFile.replace(/^~(?=\/)/, homedir())) : `${homedir()}/.ssh/config`;
  return existsSync(file) ? { text: readFileSync(file, 'utf8'), file } : { file };
}

export { secretValues };

/**
 * A run's local id, `YYYYMMDD-HHMMSS` (UTC): it names the run's log dir and is kept in the lock. Not a release id:
 * a deploy chooses that once it holds the lock (event `release:chosen`).
 */
export function runId(now: Date = new Date()): string {
  return now.toISOString().replace(/\.\d+Z$/, '').replace(/[-:]/g, '').replace('T', '-');
}


/** Verbs that change what hosts serve: they keep logs under .deploy/logs and end with a run summary. */
const RELEASE_VERBS = new Set(['deploy', 'rollback']);
/** Verbs shown as live rows on a terminal; the others print data of their own on stdout. */
const liveVerb = (verb: string) => RELEASE_VERBS.has(verb) || verb === 'check' || verb.startsWith('task ');

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
  switch (outputMode({ json: flags.json, verbose: flags.verbose, live: options.live ?? false, isTTY: stdout.isTTY, columns: stdout.columns, env })) {
    case 'json':
      return jsonRenderer(write);
    case 'terminal':
      return terminalRenderer({ stdout });
    case 'plain':
      return plainRenderer({ write, verbose: flags.verbose ?? false, color: forceColor(env) });
  }
}

/**
 * Everything a verb needs to run against a stage: config, selection, SSH targets, backend, event sink and
 * interrupt handling. SIGINT/SIGTERM abort the run (the lock is still released); a second one exits at once.
 */
export function openSession(
  stage: string,
  flags: RunFlags,
  verb: string,
  options: { mode?: RunMode; sink?: EventSink; run?: string } = {},
): Session {
  const mode = options.mode ?? 'real';
  const loaded = loadStage(flags, stage);
  const parallel = flags.parallel;
  const config: Config = parallel ? Object.freeze({ ...loaded, ssh: Object.freeze({ ...loaded.ssh, parallel }) }) : loaded;
  const hosts = selectHosts(config.hosts, { roles: splitList(flags.roles), hosts: splitList(flags.hosts) });
  const ssh = sshConfigText(config);
  const { targets, warnings } = resolveTargetsWithNotes(config, config.hosts, {
    home: homedir(),
    env: process.env,
    sshConfigText: ssh.text,
    sshConfigFile: ssh.file,
    include: fsIncluder,
  });
  const id = options.run ?? runId();
  // Failpoints (DEPLOY_FAULTS, DEPLOY_FAULTS_LOG) are a testing aid for real runs only: docs/reliability.md.
  const steps = stepTracker();
  const recorder = new Recorder();
  const sinks: EventSink[] = [steps.sink, recorder.sink, options.sink ?? defaultSink(flags, { live: liveVerb(verb) })];
  let logProblem: string | undefined;
  if (RELEASE_VERBS.has(verb) && mode === 'real') {
    try {
      sinks.push(openLogFiles(join(dirname(config.file), LOGS_DIR), stage, id).sink);
    } catch (e) {
      logProblem = `no run logs: cannot write ${join(dirname(config.file), LOGS_DIR)}: ${e instanceof Error ? e.message : String(e)}`;
    }
  }
  // Everything that prints or writes sits behind the masking.
  const emit = masking(secretValues(config), fanOut(...sinks));
  const sshBackend = () =>
    new SshBackend({
      onUnknownHostKey: (t, key) =>
        emit({ type: 'warning', host: t.name, message: `${t.name} is not in known_hosts; accepted for this run (ssh.accept_new_host_keys), nothing written: it offered ${key}` }),
    });
  const faults = mode === 'real' ? faultsFromEnv(sshBackend(), process.env, steps.stepOf) : undefined;
  const backend: Backend = mode === 'plan' ? new OfflineBackend() : mode === 'dry-run' ? new DryRunBackend(sshBackend()) : faults!.backend;
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
  const local = new LocalBackend();
  const ctx: RunContext = {
    config,
    backend,
    targets: new Map(targets.map((t) => [t.name, t])),
    emit,
    mode,
    signal: abort.signal,
    hosts,
    local: { run: (argv, o) => local.run(argv, { ...o, signal: abort.signal }) },
    projectDir: dirname(config.file),
  };
  const started = Date.now();
  emit({ type: 'run:start', verb, stage, id, hosts: hosts.map((h) => h.name), dryRun: mode !== 'real', ...(flags.message ? { message: flags.message } : {}) });
  if (logProblem) emit({ type: 'warning', message: logProblem });
  const selected = new Set(hosts.map((h) => h.name));
  const stageHosts = new Set(config.hosts.map((h) => h.name));
  for (const w of warnings) if (selected.has(w.host) || !stageHosts.has(w.host)) emit({ type: 'warning', host: w.host, message: w.message });
  if (faults?.faults.length) emit({ type: 'warning', message: `DEPLOY_FAULTS: injecting ${faults.faults.map((f) => `${f.kind}@${f.host}:${f.n}`).join(', ')} (a testing aid)` });
  return {
    ctx,
    run: id,
    async finish(error?: unknown, known?: RunSummary) {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      await backend.close().catch(() => undefined);
      const interrupted = abort.signal.aborted;
      const exitCode = error === undefined ? ExitCode.ok : interrupted ? ExitCode.interrupted : error instanceof DeployError ? error.exitCode : ExitCode.internal;
      const outcome: Outcome = exitCode === 0 ? 'success' : interrupted ? 'interrupted' : exitCode === ExitCode.switchedBack ? 'switched-back' : 'failed';
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
      if (flags.report) writeReport(resolve(flags.report), recorder);
      return exitCode;
    },
  };
}

/** The report is a by-product: failing to write it is said, not fatal. */
function writeReport(file: string, recorder: Recorder): void {
  try {
    writeFileSync(file, renderReport(recorder.events));
  } catch (e) {
    process.stderr.write(`warning: could not write the report ${file}: ${e instanceof Error ? e.message : String(e)}\n`);
  }
}
