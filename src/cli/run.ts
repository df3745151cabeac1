import type { Command } from 'commander';
import { onHosts, exec } from '../tasks/runner.js';
import { commandEnv } from '../tasks/env.js';
import { adHoc, adHocArgv } from '../commands/run.js';
import { paths } from '../commands/paths.js';
import type { HostDef } from '../config/types.js';
import { out } from './common.js';
import { runSession, stageVerb, type Done, type RunFlags } from './session.js';
import { DeployError, ExitCode } from '../errors.js';
import { codeHosts } from '../hosts/roles.js';

export function registerRun(program: Command, done: Done): void {
  stageVerb(
    program
      .command('run')
      .argument('<stage>', 'the stage')
      .argument('<command...>', 'after --: one argument is a shell snippet; several are a program and its arguments')
      .description('run an ad-hoc command on the selected hosts (in current/; a host that holds releases but has none fails); output grouped per host')
      .usage('<stage> [--roles r] [--hosts h] -- <snippet> | <program> [args...]')
      .addHelpText(
        'after',
        `
One argument after -- is a shell snippet, run as written by the remote shell (pipes, ;, $VARS, globs):
  deploy run staging -- 'ls releases | wc -l'
Several arguments are one program and its arguments, each passed as it is, as execve would take them: nothing in
them means anything to the remote shell.
  deploy run staging -- printf '[%s]\\n' 'a b' 'x; touch /tmp/nothing'   # prints [a b] and [x; touch /tmp/nothing]`,
      ),
  ).action(async (stage: string, words: string[], flags: RunFlags) =>
    done(await runSession(stage, flags, 'run', async ({ ctx }) => {
      if (words.length === 0) throw new DeployError('nothing to run: deploy run <stage> -- <command>', ExitCode.config);
      const p = paths(ctx.config.deployTo);
      // One word is a snippet for the remote shell; several are argv, each quoted.
      const code = new Set(codeHosts(ctx.config).map((h) => h.name));
      const command = (h: HostDef) =>
        words.length === 1 ? adHoc(p, words[0]!, commandEnv(ctx.config, h), code.has(h.name)) : adHocArgv(p, words, commandEnv(ctx.config, h), code.has(h.name));
      const quiet = { ...ctx, emit: (e: Parameters<typeof ctx.emit>[0]) => (e.type === 'output' ? undefined : ctx.emit(e)) };
      const results = await onHosts(quiet, 'run', ctx.hosts, (h) =>
        exec(quiet, 'run', h, command(h), { allowFail: true }),
      );
      const failed: string[] = [];
      for (const [host, r] of results) {
        if (flags.json) {
          out(JSON.stringify({ type: 'run', host, code: r.code, stdout: r.stdout, stderr: r.stderr }));
        } else {
          out(`── ${host} (exit ${r.code})`);
          if (r.stdout) out(r.stdout.replace(/\n$/, ''));
          if (r.stderr) out(r.stderr.replace(/\n$/, '').replace(/^/gm, '! '));
        }
        if (r.code !== 0) failed.push(host);
      }
      if (failed.length > 0) throw new DeployError(`the command failed on ${failed.length} of ${results.size} hosts: ${failed.join(', ')}`, ExitCode.stepFailed);
    }, { query: true })),
  );
}
