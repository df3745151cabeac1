import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { DeployError, ExitCode } from '../../errors.js';
import type { DeployEvent } from '../../output/events.js';
import { LOGS_DIR, safeName } from '../../output/logfile.js';
import { out } from '../common.js';
import type { LogsFlags } from '../logs.js';

/** Run directories of a stage, oldest first (ids are UTC timestamps, so names sort by time). */
export function runDirs(stageDir: string): string[] {
  if (!existsSync(stageDir)) return [];
  return readdirSync(stageDir)
    .filter((name) => statSync(join(stageDir, name)).isDirectory())
    .sort();
}

function events(dir: string): DeployEvent[] {
  const file = join(dir, 'events.ndjson');
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .flatMap((l) => {
      try {
        return [JSON.parse(l) as DeployEvent];
      } catch {
        return [];
      }
    });
}

/** `20250102100000  deploy  success  web1, web2` for --list. */
function describeRun(dir: string, id: string): string {
  const all = events(dir);
  const start = all.find((e) => e.type === 'run:start');
  const end = [...all].reverse().find((e) => e.type === 'run:end');
  const verb = start?.type === 'run:start' ? start.verb : '?';
  const outcome = end?.type === 'run:end' ? `${end.outcome} (exit ${end.exitCode})` : 'did not finish';
  const hosts = start?.type === 'run:start' ? start.hosts.join(', ') : '';
  return `${id.padEnd(17)} ${verb.padEnd(9)} ${outcome.padEnd(24)} ${hosts}`;
}

export function showLogs(stage: string, flags: LogsFlags): void {
  const base = join(dirname(resolve(flags.config)), LOGS_DIR);
  const stageDir = join(base, stage);
  const runs = runDirs(stageDir);
  if (runs.length === 0) {
    throw new DeployError(
      `no run logs for stage ${stage} in ${base}`,
      ExitCode.config,
      `they are written by \`deploy ${stage}\` and \`deploy rollback ${stage}\`, next to the deploy.yml they use`,
    );
  }
  if (flags.list) {
    runs.forEach((id) => out(describeRun(join(stageDir, id), id)));
    return;
  }
  const id = flags.run ?? runs[runs.length - 1]!;
  const dir = join(stageDir, id);
  if (!runs.includes(id))
    throw new DeployError(`no run ${id} for stage ${stage} in ${stageDir}`, ExitCode.config, `runs kept: ${runs.join(', ')}`);
  if (flags.json) {
    const all = events(dir).filter((e) => !flags.host || ('host' in e && e.host === flags.host));
    all.forEach((e) => out(JSON.stringify(e)));
    return;
  }
  const file = flags.host ? join(dir, `${safeName(flags.host)}.log`) : join(dir, 'run.log');
  if (!existsSync(file)) {
    const hosts = readdirSync(dir)
      .filter((f) => f.endsWith('.log') && f !== 'run.log')
      .map((f) => f.slice(0, -'.log'.length));
    throw new DeployError(
      `run ${id} of ${stage} has no log for host ${flags.host}`,
      ExitCode.config,
      `hosts with a log: ${hosts.join(', ') || '(none)'}`,
    );
  }
  process.stderr.write(`${file}\n`);
  process.stdout.write(readFileSync(file, 'utf8'));
}
