import { boolean, seconds, strict } from './primitives.js';
import { percent } from './roles.js';

export const watch = strict(
  {
    duration: seconds(true).default(300).describe('Seconds the fleet is watched after the last batch (default 300).'),
    max_error_rate: percent('a percentage from 0% to 100%, such as `2%`', { zero: true })
      .default(0.02)
      .describe('Highest share of the fleet’s requests that may fail (5xx or no answer), from the balancer’s counters (default 2%).'),
    health: boolean().default(true).describe('Whether every app host’s health check is asked on each reading (default true).'),
  },
  'a mapping with `duration`, `max_error_rate` or `health`',
).describe(
  'Watch the fleet after the last batch, with the lock held: a regression (error rate over the limit, a host that ' +
    'fails its health check twice in a row) rolls every host back to the previous release (exit 6). See docs/traffic.md.',
);
