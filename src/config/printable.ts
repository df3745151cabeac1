import { isSensitive, MASK } from '../shell/sensitive.js';
import type { Config } from './types.js';

/** A plain JSON-able copy of a Config (for `deploy config` and `--json`) with every secret as `***`. */
export function printableConfig(config: Config): Record<string, unknown> {
  return printable(config) as Record<string, unknown>;
}

function printable(v: unknown): unknown {
  if (isSensitive(v)) return MASK;
  if (Array.isArray(v)) return v.map(printable);
  if (v === null || typeof v !== 'object') return v;
  return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, printable(x)]));
}
