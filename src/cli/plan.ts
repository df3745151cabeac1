import type { Command } from 'commander';
import { lazy, withConfig, withSelection, type Done } from './common.js';

export function registerPlan(program: Command, done: Done): void {
  withConfig(
    withSelection(
      program
        .command('plan')
        .argument('<stage>', 'the stage to plan')
        .description('print, per host and per step, the exact commands a deploy would run (offline: no host is contacted)'),
    ),
  ).action(lazy(done, async () => (await import('./actions/plan.js')).plan));
}
