import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { DeployError, ExitCode } from '../errors.js';
import { LOGS_DIR, safeName } from '../output/logfile.js';
import { out, withConfig } from './common.js';
/** Run directories of a stage, oldest first (ids are UTC timestamps, so names sort by time). */
export function runDirs(stageDir) {
    if (!existsSync(stageDir))
        return [];
    return readdirSync(stageDir)
        .filter((name) => statSync(join(stageDir, name)).isDirectory())
        .sort();
}
function events(dir) {
    const file = join(dir, 'events.ndjson');
    if (!existsSync(file))
        return [];
    return readFileSync(file, 'utf8')
        .split('\n')
        .filter(Boolean)
        .flatMap((l) => {
        try {
            return [JSON.parse(l)];
        }
        catch {
            return [];
        }
    });
}
/** `20250102100000  deploy  success  web1, web2` for --list. */
function describeRun(dir, id) {
    const all = events(dir);
    const start = all.find((e) => e.type === 'run:start');
    const end = [...all].reverse().find((e) => e.type === 'run:end');
    const verb = start?.type === 'run:start' ? start.verb : '?';
    const outcome = end?.type === 'run:end' ? `${end.outcome} (exit ${end.exitCode})` : 'did not finish';
    const hosts = start?.type === 'run:start' ? start.hosts.join(', ') : '';
    return `${id.padEnd(17)} ${verb.padEnd(9)} ${outcome.padEnd(24)} ${hosts}`;
}
export function registerLogs(program) {
    withConfig(program
        .command('logs')
        .argument('<stage>', 'the stage whose run logs to show')
        .description(`show the logs of the last deploy or rollback of the stage (kept in ${LOGS_DIR}/<stage>/<run>/ next to deploy.yml)`)
        .option('-H, --host <host>', "only this host's log: every command, its output and exit")
        .option('--run <id>', 'an earlier run instead of the last (see --list)')
        .option('--list', 'list the runs kept for the stage')
        .option('--json', 'the events of the run as NDJSON (with --host: only that host’s)')).action((stage, flags) => showLogs(stage, flags));
}
export function showLogs(stage, flags) {
    const base = join(dirname(resolve(flags.config)), LOGS_DIR);
    const stageDir = join(base, stage);
    const runs = runDirs(stageDir);
    if (runs.length === 0) {
        throw new DeployError(`no run logs for stage ${stage} in ${base}`, ExitCode.config, `they are written by \`deploy ${stage}\` and \`deploy rollback ${stage}\`, next to the deploy.yml they use`);
    }
    if (flags.list) {
        runs.forEach((id) => out(describeRun(join(stageDir, id), id)));
        return;
    }
    const id = flags.run ?? runs[runs.length - 1];
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
        throw new DeployError(`run ${id} of ${stage} has no log for host ${flags.host}`, ExitCode.config, `hosts with a log: ${hosts.join(', ') || '(none)'}`);
    }
    process.stderr.write(`${file}\n`);
    process.stdout.write(readFileSync(file, 'utf8'));
}
//# sourceMappingURL=logs.js.map