import type { z } from 'zod';
import { valueAt, type KeyPath } from './path.js';
import { didYouMean } from './suggest.js';

/** A validation finding before it is placed in the file: a key path and a complete message. */
export interface Problem {
  readonly path: KeyPath;
  readonly message: string;
  /** Point at the key itself rather than its value (unknown and invalid keys). */
  readonly at?: 'key' | 'value';
}

export function unknownKeyMessage(key: string, allowed: readonly string[]): string {
  const hint = didYouMean(key, allowed);
  return hint ? `unknown key \`${key}\`${hint}` : `unknown key \`${key}\`; expected one of: ${allowed.join(', ')}`;
}

/**
 * Parse-wide error map. Leaf schemas carry their own `expected …` text (sections/primitives.ts); this words unknown
 * keys, which needs the allowed keys of the mapping that rejected them, one line per key, in `keys` order.
 */
export const errorMap: z.core.$ZodErrorMap = (iss) => {
  if (iss.code === 'unrecognized_keys') {
    const def = iss.inst?._zod.def as { shape?: Record<string, unknown> } | undefined;
    const allowed = Object.keys(def?.shape ?? {});
    return iss.keys.map((k) => unknownKeyMessage(k, allowed)).join('\n');
  }
  if (iss.code === 'invalid_type') return `expected ${iss.expected}`;
  return undefined;
};

/** Turns zod issues (paths relative to `input`, the value parsed at `base`) into problems. */
export function fromZod(issues: readonly z.core.$ZodIssue[], input: unknown, base: KeyPath = []): Problem[] {
  return issues.flatMap((iss): Problem[] => {
    const path = [...base, ...iss.path.map((p) => (typeof p === 'symbol' ? String(p) : p))];
    const local = path.slice(base.length);
    switch (iss.code) {
      case 'unrecognized_keys': {
        const lines = iss.message.split('\n');
        return iss.keys.map((k, i) => ({ path: [...path, k], at: 'key', message: lines[i] ?? `unknown key \`${k}\`` }));
      }
      case 'invalid_union': {
        // A union of shorthand and full form: report the branch the value was meant for (the one that did
        // not reject the value's type outright), not both.
        const meant = iss.errors.filter((b) => !rejectsType(b));
        const [only] = meant;
        if (meant.length === 1 && only) return fromZod(only, valueAt(input, local), path);
        return [found(path, iss.message, valueAt(input, local))];
      }
      case 'invalid_key': {
        const key = path[path.length - 1];
        return [{ path, at: 'key', message: `${iss.issues[0]?.message ?? iss.message}, found ${JSON.stringify(key)}` }];
      }
      default: {
        const value = valueAt(input, local);
        if (iss.code === 'custom' && iss.params?.complete) return [{ path, message: iss.message }];
        const quote =
          iss.code === 'invalid_type' && iss.expected === 'string' && ['number', 'boolean'].includes(typeof value)
            ? ' (quote it to make it a string)'
            : '';
        // A refusal from sections/primitives.ts `checked` may say what to write instead.
        const hint = iss.code === 'custom' && typeof iss.params?.hint === 'string' ? `; ${iss.params.hint}` : '';
        return [found(path, iss.message, value, quote || hint)];
      }
    }
  });
}

/** The issues of a union branch that refused the value for its type alone, not for a detail inside it. */
function rejectsType(issues: readonly z.core.$ZodIssue[]): boolean {
  return issues.every(
    (e) => e.path.length === 0 && (e.code === 'invalid_type' || (e.code === 'invalid_union' && e.errors.every(rejectsType))),
  );
}

function found(path: KeyPath, expected: string, value: unknown, hint = ''): Problem {
  return value === undefined
    ? { path, message: `${expected}, but the key is missing` }
    : { path, message: `${expected}, found ${describeValue(value)}${hint}` };
}

export function describeValue(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return v.length === 0 ? 'an empty list' : 'a list';
  if (typeof v === 'object') return Object.keys(v).length === 0 ? 'an empty mapping' : 'a mapping';
  if (typeof v === 'string') {
    // JSON escapes C0 controls; DEL and C1 controls would print as nothing, or act on the terminal.
    return JSON.stringify(v.length > 60 ? `${v.slice(0, 57)}...` : v).replace(
      /[\u007f-\u009f]/g,
      (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
    );
  }
  return String(v);
}
