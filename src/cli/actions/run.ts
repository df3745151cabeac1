import { paths } from '../../commands/paths.js';
import { adHoc, adHocArgv } from '../../commands/run.js';
import type { HostDef } from '../../config/types.js';
import { DeployError, ExitCode } from '../../errors.js';
import { codeHosts } from '../../hosts/roles.js';
import { commandEnv } from '../../tasks/env.js';
import { exec, onHosts } from '../../tasks/runner.js';
import { out } from '../common.js';
import { runSession, type RunFlags } from '../session.js';

export function run(stage: string, words: string[], flags: RunFlags): Promise<number> {
  return runSession(
    stage,
    flags,
    'run',
    async ({ ctx }) => {
      if (words.length === 0) throw new DeployError('nothing to run: deploy run <stage> -- <command>', ExitCode.config);
      const p = paths(ctx.config.deployTo);
      // One word is a snippet for the remote shell; several are argv, each quoted.
      const code = new Set(codeHosts(ctx.config).map((h) => h.name));
      const command = (h: HostDef) =>
        words.length === 1
          ? adHoc(p, words[0]!, commandEnv(ctx.config, h), code.has(h.name))
          : adHocArgv(p, words, commandEnv(ctx.config, h), code.has(h.name));
      const quiet = { ...ctx, emit: (e: Parameters<typeof ctx.emit>[0]) => (e.type === 'output' ? undefined : ctx.emit(e)) };
      const results = await onHosts(quiet, 'run', ctx.hosts, (h) => exec(quiet, 'run', h, command(h), { allowFail: true }));
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
      if (failed.length > 0)
        throw new DeployError(`the command failed on ${failed.length} of ${results.size} hosts: ${failed.join(', ')}`, ExitCode.stepFailed);
    },
    { query: true },
  );
}
