/**
 * `deploy config` as YAML: exactly what the yaml library's stringify gives, but written directly for the top-level
 * keys whose values are plain words, numbers, booleans and nulls in non-empty mappings and lists — an `env` of
 * 60,000 keys prints in a tenth of the time. Any other key (quoting, long or multi-line text, empty collections,
 * floats …) is printed by stringify itself; test/unit/output/config-yaml.test.ts holds the two equal.
 */
import { stringify } from 'yaml';
import { plainValue } from '../config/yaml-block.js';

/** Text YAML prints without quotes and reads back as the same string: no indicator, space, `:` or `#`. */
const WORD = /^[A-Za-z0-9_./][A-Za-z0-9_./@%+=~-]*$/;

const isMapping = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

export function configYaml(config: Record<string, unknown>): string {
  const keys = Object.keys(config);
  if (keys.length === 0) return stringify(config);
  let out = '';
  for (const key of keys) {
    const value = config[key];
    if (value === undefined) continue;
    out += (isWord(key) && simple(value, 0) && written(key, value)) || stringify({ [key]: value });
  }
  return out;
}

/** Lines longer than this are left to stringify, which wraps them at 80 columns in ways not worth copying. */
const MAX_LINE = 60;
const TOO_LONG = Symbol('too long');

function written(key: string, value: unknown): string | undefined {
  try {
    if (isMapping(value) || Array.isArray(value)) return line(`${key}:`) + below(value, 0);
    return `${line(`${key}: ${String(value)}`)}\n`;
  } catch (e) {
    if (e === TOO_LONG) return undefined;
    throw e;
  }
}

function line(text: string): string {
  if (text.length > MAX_LINE) throw TOO_LONG;
  return text;
}

const isWord = (s: string) => WORD.test(s) && plainValue(s) === s;

function isScalar(v: unknown): boolean {
  if (v === null || typeof v === 'boolean') return true;
  if (typeof v === 'number') return Number.isSafeInteger(v) && !Object.is(v, -0);
  return typeof v === 'string' && isWord(v);
}

function simple(v: unknown, depth: number): boolean {
  if (depth > 20) return false;
  if (Array.isArray(v)) return v.length > 0 && v.every((item) => isScalar(item) || (isMapping(item) && simple(item, depth + 1)));
  if (isMapping(v)) {
    const keys = Object.keys(v);
    return keys.length > 0 && keys.every((k) => isWord(k) && v[k] !== undefined && simple(v[k], depth + 1));
  }
  return isScalar(v);
}

/** The lines of a mapping or list that is the value of a key at column `indent`. */
function below(v: Record<string, unknown> | unknown[], indent: number): string {
  if (!Array.isArray(v)) return `\n${pairs(v, indent + 2, ' '.repeat(indent + 2))}`;
  const dash = `${' '.repeat(indent + 2)}- `;
  let out = '\n';
  for (const item of v) out += isMapping(item) ? pairs(item, indent + 4, dash) : `${line(`${dash}${String(item)}`)}\n`;
  return out;
}

/** A mapping's keys at column `indent`, the first one after `first` (a list item's `- `). */
function pairs(map: Record<string, unknown>, indent: number, first: string): string {
  let out = '';
  let lead = first;
  for (const key of Object.keys(map)) {
    const v = map[key];
    out += isMapping(v) || Array.isArray(v) ? line(`${lead}${key}:`) + below(v, indent) : `${line(`${lead}${key}: ${String(v)}`)}\n`;
    lead = ' '.repeat(indent);
  }
  return out;
}
