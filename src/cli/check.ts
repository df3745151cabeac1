import type { Command } from 'commander';
import { preflight } from '../tasks/check.js';
import { runSession, stageVerb, type Done, type RunFlags } from './session.js';

export function registerCheck(program: Command, done: Done): void {
  stageVerb(
    program
      .command('check')
      .argument('<stage>', 'the stage to check')
      .description('preflight: connect to every host at once and check tools, disk space, permissions, the repository from each host and a first deploy’s app port; changes nothing'),
  ).action(async (stage: string, flags: RunFlags) =>
    done(await runSession(stage, flags, 'check', async ({ ctx }) => {
      const reports = await preflight(ctx, ctx.hosts, { deploy: true });
      for (const [host, r] of reports) {
        ctx.emit({ type: 'info', host, message: `ok: ${Object.keys(r.tools).length} tools, ${r.disk ? `${Math.round(r.disk.availableKiB / 1024)} MiB free` : 'disk unknown'} in ${r.probeDir ?? ctx.config.deployTo}${r.repository?.ok ? ', repository readable' : ''}${r.port && !r.port.taken ? `, port ${r.port.port} free` : ''}` });
      }
    })),
  );
}
