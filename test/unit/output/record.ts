// Writes test/unit/output/fixtures/plan-node.events.json from a real plan-mode run: npx tsx test/unit/output/record.ts
import { writeFileSync } from 'node:fs';
import { RECORDED_FILE, recordPlanRun } from './recorded.js';

const events = await recordPlanRun();
writeFileSync(RECORDED_FILE, `[\n${events.map((e) => `  ${JSON.stringify(e)}`).join(',\n')}\n]\n`);
console.log(`${RECORDED_FILE}: ${events.length} events`);
