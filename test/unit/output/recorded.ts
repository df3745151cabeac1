/**
 * Event streams recorded from real runs rather than written by hand, so that the output tests follow the emitters:
 * `deploy plan staging` of the node recipe fixture, through the CLI's own session (run:start … run:end with its
 * summary). Times, durations and the release id are the only things fixed after the fact.
 * Regenerate the fixture after an emitter changes: `npx tsx test/unit/output/record.ts`.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { openSession } from '../../../src/cli/session.js';
import type { DeployEvent } from '../../../src/output/events.js';
import { deploy } from '../../../src/tasks/deploy.js';

export const RECORDED_FILE = join(import.meta.dirname, 'fixtures', 'plan-node.events.json');
export const RECORDED_RELEASE = '20260101120000';
const CONFIG = join(import.meta.dirname, '..', 'recipes', 'fixtures', 'node.yml');

/** The node recipe fixture planned for staging, events as the session emitted them (durations 0, one release id). */
export async function recordPlanRun(): Promise<DeployEvent[]> {
  process.env.DATABASE_URL ??= 'postgres://app:hunter2@db/app';
  const events: DeployEvent[] = [];
  const session = await openSession('staging', { config: CONFIG }, 'deploy', {
    mode: 'plan',
    sink: (e) => void events.push(e),
    run: '20260101-120000',
  });
  let error: unknown;
  try {
    await deploy(session.ctx, { run: session.run, owner: 'tester', message: '', lockWaitSeconds: 0 });
  } catch (e) {
    error = e;
  }
  await session.finish(error);
  if (error !== undefined) throw error;
  return JSON.parse(JSON.stringify(events, (key, value: unknown) => fixed(key, value))) as DeployEvent[];
}

function fixed(key: string, value: unknown): unknown {
  if (key === 'durationMs' && typeof value === 'number') return 0;
  if (key === 'steps' && value !== null && typeof value === 'object') return Object.fromEntries(Object.keys(value).map((k) => [k, 0]));
  if (typeof value !== 'string') return value;
  return value
    .replace(/\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?Z/g, '2026-01-01T12:00:00.000Z')
    .replace(/(?<!\d)20\d{12}(?!\d)/g, RECORDED_RELEASE);
}

export const recordedRun = (): DeployEvent[] => JSON.parse(readFileSync(RECORDED_FILE, 'utf8')) as DeployEvent[];

/** What the output tests rely on: which events come, in which order, about which step and host. */
export const shape = (events: readonly DeployEvent[]): string[] =>
  events.map((e) => [e.type, 'step' in e ? e.step : '', 'host' in e ? e.host : ''].join(' ').trim());
