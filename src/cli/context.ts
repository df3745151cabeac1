import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, resolve } from 'node:path';
import type { Backend } from '../backends/backend.js';
import { DryRunBackend } from '../backends/dry-run.js';
import { LocalBackend } from '../backends/local.js';
import { OfflineBackend } from '../backends/offline.js';
import { SshBackend } from '../backends/ssh.js';
import { fsIncluder } from '../backends/ssh-config-files.js';
import type { Config } from '../config/types.js';
import { DeployError, ExitCode, InterruptedError } from '../errors.js';
import { selectHosts } from '../hosts/select.js';
import { resolveTargets } from '../hosts/target.js';
import type { DeployEvent, EventSink, Outcome } from '../output/events.js';
import { jsonRenderer } from '../output/json.js';
import { masking } from '../output/mask.js';
import { plainRenderer } from '../output/plain.js';
import { isSensitive } from '../shell/sensitive.js';
import type { RunContext, RunMode } from '../tasks/context.js';
import { loadStage, splitList, type ConfigFlags } from './common.js';

export interface RunFlags extends ConfigFlags {
  roles?: string;
  hosts?: string;
  json?: boolean;
  verbose?: boolean;
  parallel?: string;
}

export interface Session {
  readonly ctx: RunContext;
  /** Ends the run: reports the outcome, closes connections, returns the exit code. */
  finish(error?: unknown): Promise<number>;
}

function sshConfigText(config: Config): { text?: string; file: string } {
  const file = config.ssh.configFile ? resolve(dirname(config.file), config.ssh.configFile.replace(/^~(?=\/)/, homedir())) : `${homedir()}/.ssh/config`;
  return existsSync(file) ? { text: readFileSync(file, 'utf8'), file } : { file };
}

export function secretValues(config: Config): string[] {
  return Object.values(config.env).flatMap((v) => (isSensitive(v) ? [v.reveal()] : []));
}

export function defaultSink(flags: Pick<RunFlags, 'json' | 'verbose'>, write: (line: string) => void = (l) => process.stdout.write(`${l}\n`)): EventSink {
  return flags.json ? jsonRenderer(write) : plainRenderer({ write, verbose: flags.verbose ?? false });
}

/**
 * Everything a verb needs to run against a stage: config, selection, SSH targets, backend, event sink and
 * interrupt handling. SIGINT/SIGTERM abort the run (the lock is still released); a second one exits at once.
 */
export function openSession(
  stage: string,
  flags: RunFlags,
  verb: string,
  options: { mode?: RunMode; sink?: EventSink; release?: string } = {},
): Session {
  const mode = options.mode ?? 'real';
  const loaded = loadStage(flags, stage);
  const parallel = flags.parallel === undefined ? undefined : Number(flags.parallel);
  if (parallel !== undefined && !(Number.isInteger(parallel) && parallel >= 1)) {
    throw new DeployError(`--parallel must be a whole number >= 1, got ${flags.parallel}`, ExitCode.config);
  }
  const config: Config = parallel ? Object.freeze({ ...loaded, ssh: Object.freeze({ ...loaded.ssh, parallel }) }) : loaded;
  const hosts = selectHosts(config.hosts, { roles: splitList(flags.roles), hosts: splitList(flags.hosts) });
  const ssh = sshConfigText(config);
  const targets = resolveTargets(config, config.hosts, {
    home: homedir(),
    env: process.env,
    sshConfigText: ssh.text,
    sshConfigFile: ssh.file,
    include: fsIncluder,
  });
  const backend: Backend = mode === 'plan' ? new OfflineBackend() : mode === 'dry-run' ? new DryRunBackend(new SshBackend()) : new SshBackend();
  const emit = masking(secretValues(config), options.sink ?? defaultSink(flags));
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
  emit({ type: 'run:start', verb, stage, release: options.release, hosts: hosts.map((h) => h.name), dryRun: mode !== 'real' });
  return {
    ctx,
    async finish(error?: unknown) {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      await backend.close().catch(() => undefined);
      const interrupted = abort.signal.aborted;
      const exitCode = error === undefined ? ExitCode.ok : interrupted ? ExitCode.interrupted : error instanceof DeployError ? error.exitCode : ExitCode.internal;
      const outcome: Outcome = exitCode === 0 ? 'success' : interrupted ? 'interrupted' : exitCode === ExitCode.switchedBack ? 'switched-back' : 'failed';
      const end: DeployEvent = { type: 'run:end', outcome, exitCode, durationMs: Date.now() - started, ...(error instanceof Error ? { error: error.message } : {}) };
      emit(end);
      return exitCode;
    },
  };
}
