import { jsonLine } from '../../output/visible.js';
import { stageStatus, statusReport } from '../../tasks/status.js';
import { out } from '../common.js';
import { runSession, type RunFlags } from '../session.js';

function row(cells: readonly string[]): string {
  const widths = [12, 14, 26, 12, 10];
  return cells
    .map((c, i) => (i < widths.length ? c.padEnd(widths[i]!) : c))
    .join(' ')
    .trimEnd();
}

export function status(stage: string, flags: RunFlags): Promise<number> {
  return runSession(
    stage,
    flags,
    'status',
    async ({ ctx }) => {
      const report = statusReport(await stageStatus(ctx));
      if (flags.json) out(jsonLine(report.json));
      else {
        out(row(['HOST', 'ROLES', 'RELEASE', 'REVISION', 'HEALTH', 'ROTATION']));
        for (const r of report.rows)
          out(`${row([r.host, r.roles, r.release, r.revision, r.health, r.rotation])}${r.bad.length ? `  bad: ${r.bad.join(', ')}` : ''}`);
        for (const w of report.warnings) out(`warning: ${w}`);
      }
      if (report.error) throw report.error;
    },
    { query: true },
  );
}
