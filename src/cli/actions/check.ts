import { preflight } from '../../tasks/check.js';
import { runSession, type RunFlags } from '../session.js';

export function check(stage: string, flags: RunFlags): Promise<number> {
  return runSession(stage, flags, 'check', async ({ ctx }) => {
    const reports = await preflight(ctx, ctx.hosts, { deploy: true });
    for (const [host, r] of reports) {
      ctx.emit({
        type: 'info',
        host,
        message: `ok: ${Object.keys(r.tools).length} tools, ${r.disk ? `${Math.round(r.disk.availableKiB / 1024)} MiB free` : 'disk unknown'} in ${r.probeDir ?? ctx.config.deployTo}${r.repository?.ok ? ', repository readable' : ''}${r.port && !r.port.taken ? `, port ${r.port.port} free` : ''}`,
      });
    }
  });
}
