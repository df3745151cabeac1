import type { LockConfig } from '../types.js';
import { integer, strict } from './primitives.js';

export const lock = strict(
  {
    ttl: integer(1).default(900).describe('Seconds after which a lock that was not renewed counts as stale (default 900).'),
  },
  'a mapping with `ttl`',
)
  .transform((l): LockConfig => l)
  .describe('The deploy lock that keeps two deploys of a stage from running at once.');
