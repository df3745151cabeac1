import { describe, expect, it } from 'vitest';
import type { DeployEvent } from '../../../src/output/events.js';
import { plainRenderer } from '../../../src/output/plain.js';
import { renderReport } from '../../../src/output/report.js';
import { summarize, type Recorded } from '../../../src/output/summary.js';
import { RECORDED_RELEASE, recordedRun, recordPlanRun, shape } from './recorded.js';

const timed = (events: DeployEvent[]): Recorded[] => events.map((event, i) => ({ at: 1_767_268_800_000 + i * 10, event }));

describe('the recorded run (fixtures/plan-node.events.json)', () => {
  it('is what the emitters produce today: same events, same order, same steps and hosts', async () => {
    // If this fails, an emitter changed: regenerate with `npx tsx test/unit/output/record.ts` and review the diff.
    expect(shape(await recordPlanRun())).toEqual(shape(recordedRun()));
  });

  it('starts with run:start and ends with run:end carrying the summary, one step:end per step:start', () => {
    const events = recordedRun();
    expect(events[0]).toMatchObject({ type: 'run:start', verb: 'deploy', stage: 'staging', dryRun: true });
    expect(events.at(-1)).toMatchObject({ type: 'run:end', outcome: 'success', exitCode: 0, summary: { release: RECORDED_RELEASE } });
    const starts = events.flatMap((e) => (e.type === 'step:start' ? [e.step] : []));
    expect(events.flatMap((e) => (e.type === 'step:end' ? [e.step] : []))).toEqual(starts);
  });
});

describe('renderers on the recorded run', () => {
  it('plain lines: the run, each step once it ends, the outcome', () => {
    const out: string[] = [];
    const sink = plainRenderer({ write: (l) => out.push(l.slice(9)), now: () => new Date('2026-01-01T12:00:00Z') });
    recordedRun().forEach((e) => sink(e));
    expect(out[0]).toBe('-          deploy     dry run: stage staging on web1, web2, db1, media1, lb1');
    const steps = recordedRun().flatMap((e) => (e.type === 'step:end' ? [e.step] : []));
    for (const step of steps)
      expect(
        out.some((l) => l.startsWith(`-          ${step.padEnd(10)} ok`)),
        step,
      ).toBe(true);
    expect(out.at(-1)).toMatch(/^-          done       success \(exit 0\)/);
  });

  it('the summary: every host of the stage, the one release, nothing switched in a plan', () => {
    const s = summarize(timed(recordedRun().filter((e) => e.type !== 'run:end')), true);
    expect(s.release).toBe(RECORDED_RELEASE);
    expect(s.hosts.map((h) => [h.host, h.release, h.outcome])).toEqual(
      ['web1', 'web2', 'db1', 'media1'].map((h) => [h, RECORDED_RELEASE, 'unchanged']),
    );
  });

  it('the report: a bar for every host that took part in a step', () => {
    const events = recordedRun();
    const html = renderReport(timed(events));
    const ran = new Set(events.flatMap((e) => (e.type === 'host:end' ? [`${e.host} ${e.step}`] : [])));
    for (const key of ran) {
      const [host, step] = key.split(' ');
      expect(html, key).toMatch(new RegExp(`<rect class="bar ok" data-host="${host}"[^>]*data-step="${step}"`));
    }
    expect(html).not.toContain('class="bar failed"');
  });
});
