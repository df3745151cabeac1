import { isSensitive, MASK, secretMasker, type Masker } from '../shell/sensitive.js';
import type { Config } from './types.js';

/** The values of the config's secrets (`env` entries written `{ secret: … }`), to mask wherever they appear. */
export function secretValues(config: Config): string[] {
  const out: string[] = [];
  for (const v of Object.values(config.env)) if (isSensitive(v)) out.push(v.reveal());
  return out;
}

/**
 * A plain JSON-able copy of a Config (for `deploy config` and `--json`) with every secret as `***`, also where its
 * value was interpolated into another field (a task's `run`, a token in `repository`).
 */
export function printableConfig(config: Config): Record<string, unknown> {
  return printable(config, secretMasker(secretValues(config))) as Record<string, unknown>;
}

function printable(v: unknown, mask: Masker): unknown {
  if (isSensitive(v)) return MASK;
  if (typeof v === 'string') return mask(v);
  if (Array.isArray(v)) return v.map((x) => printable(x, mask));
  if (v === null || typeof v !== 'object') return v;
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(v)) out[k] = printable((v as Record<string, unknown>)[k], mask);
  return out;
}
