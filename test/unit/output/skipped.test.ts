import { join } from 'node:path';
import { stripVTControlCharacters as plain } from 'node:util';
import { describe, expect, it } from 'vitest';
import type { Backend } from '../../../src/backends/backend.js';
import { loadConfig } from '../../../src/config/load.js';
import type { DeployEvent } from '../../../src/output/events.js';
import { plainRenderer } from '../../../src/output/plain.js';
import { renderReport } from '../../../src/output/report.js';
import { hostTitle, stepTitle } from '../../../src/output/terminal.js';
import { Timeline } from '../../../src/output/timeline.js';
import { runMigrations } from '../../../src/tasks/migrate.js';
import { skippedReason } from '../../../src/tasks/runner.js';
import { planContext } from '../tasks/fixtures.js';

const REASON = 'no migrate script in package.json (set APP_MIGRATE, or `migrate: ~` without a database)';

/** The node recipe's migrate on a host whose answer is what the recipe prints when package.json has no migrate script. */
async function skippedMigrate(): Promise<DeployEvent[]> {
  const config = loadConfig({
    file: join(import.meta.dirname, '..', 'recipes', 'fixtures', 'node.yml'),
    stage: 'staging',
    env: { DATABASE_URL: 'postgres://a@b/c' },
  });
  const { ctx, events } = planContext(config);
  const backend: Pick<Backend, 'exec'> = {
    exec: async (_host, _command, options) => {
      options?.onLine?.('stdout', `deploy:skipped ${REASON}`);
      return { code: 0, stdout: `deploy:skipped ${REASON}\n`, stderr: '', durationMs: 3 };
    },
  };
  await runMigrations(
    { ...ctx, mode: 'real', backend: backend as Backend },
    { id: '20260101000000', dir: '/srv/demo/releases/20260101000000' },
  );
  return events;
}

describe('a step that had nothing to do is reported as skipped, with its reason, everywhere', () => {
  it('the marker line becomes a `skipped` event (--json) after the output line', async () => {
    const events = await skippedMigrate();
    expect(events.filter((e) => e.type === 'skipped')).toEqual([{ type: 'skipped', step: 'migrate', host: 'db1', reason: REASON }]);
    expect(skippedReason('deploy:skipped  no build script in package.json ')).toBe('no build script in package.json');
    expect(skippedReason('echo deploy:skipped x')).toBeUndefined();
    expect(skippedReason('deploy:skipped')).toBeUndefined();
  });

  it('CI lines: `skipped: <reason>` for the host and for the step, never `migrate ok`', async () => {
    const out: string[] = [];
    const sink = plainRenderer({ write: (l) => out.push(l.slice(9)), now: () => new Date(0) });
    (await skippedMigrate()).forEach((e) => sink(e));
    expect(out).toContain(`db1        migrate    skipped: ${REASON}`);
    expect(out.find((l) => l.startsWith('-          migrate'))).toMatch(/^-          migrate    skipped: .* in \d+\.\ds$/);
    expect(out.join('\n')).not.toMatch(/migrate +ok/);
  });

  it('the terminal row and the host under it say skipped; the report lists it', async () => {
    const events = await skippedMigrate();
    const t = new Timeline();
    events.forEach((e) => t.apply(e, 0));
    const row = t.rows.find((r) => r.step === 'migrate')!;
    expect(row.skipped).toBe(REASON);
    expect(plain(stepTitle(row))).toMatch(/^migrate · 1 host · .* skipped: no migrate script in package.json/);
    expect(plain(hostTitle(row.hosts.get('db1')!))).toContain('skipped: no migrate script');
    const html = renderReport(events.map((event, i) => ({ at: 1_735_812_000_000 + i, event })));
    expect(html).toContain('<h2>Skipped</h2>');
    expect(html).toContain('db1 · migrate: skipped: no migrate script in package.json');
  });
});
