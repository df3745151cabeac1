import { onHosts, exec } from '../tasks/runner.js';
import { commandEnv } from '../tasks/env.js';
import { adHoc, adHocArgv } from '../commands/run.js';
import { paths } from '../commands/paths.js';
import { out } from './common.js';
import { runVerb, stageVerb } from './verbs.js';
import { DeployError, ExitCode } from '../errors.js';
export function registerRun(program) {
    stageVerb(program
        .command('run')
        .argument('<stage>', 'the stage')
        .argument('<command...>', 'after --: one argument is a shell snippet; several are a program and its arguments')
        .description('run an ad-hoc command on the selected hosts (in current/ when it exists); output grouped per host')
        .usage('<stage> [--roles r] [--hosts h] -- <snippet> | <program> [args...]')
        .addHelpText('after', `
One argument after -- is a shell snippet, run as written by the remote shell (pipes, ;, $VARS, globs):
  deploy run staging -- 'ls releases | wc -l'
Several arguments are one program and its arguments, each passed as it is, as execve would take them: nothing in
them means anything to the remote shell.
  deploy run staging -- printf '[%s]\\n' 'a b' 'x; touch /tmp/nothing'   # prints [a b] and [x; touch /tmp/nothing]`)).action((stage, words, flags) => runVerb(stage, flags, 'run', async ({ ctx }) => {
        if (words.length === 0)
            throw new DeployError('nothing to run: deploy run <stage> -- <command>', ExitCode.config);
        const p = paths(ctx.config.deployTo);
        // One word is a snippet for the remote shell; several are argv, each quoted.
        const command = (h) => (words.length === 1 ? adHoc(p, words[0], commandEnv(ctx.config, h)) : adHocArgv(p, words, commandEnv(ctx.config, h)));
        const quiet = { ...ctx, emit: (e) => (e.type === 'output' ? undefined : ctx.emit(e)) };
        const results = await onHosts(quiet, 'run', ctx.hosts, (h) => exec(quiet, 'run', h, command(h), { allowFail: true }));
        let failed = 0;
        for (const [host, r] of results) {
            if (flags.json) {
                out(JSON.stringify({ type: 'run', host, code: r.code, stdout: r.stdout, stderr: r.stderr }));
            }
            else {
                out(`── ${host} (exit ${r.code})`);
                if (r.stdout)
                    out(r.stdout.replace(/\n$/, ''));
                if (r.stderr)
                    out(r.stderr.replace(/\n$/, '').replace(/^/gm, '! '));
            }
            if (r.code !== 0)
                failed++;
        }
        if (failed > 0)
            throw new DeployError(`the command failed on ${failed} of ${results.size} hosts`, ExitCode.stepFailed);
    }, { query: true }));
}
//# sourceMappingURL=run.js.map