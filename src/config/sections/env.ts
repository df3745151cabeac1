import * as z from 'zod';
import { Sensitive } from '../../shell/sensitive.js';
import { ENV_NAME, matching, named, strict } from './primitives.js';

const envName = () => matching(ENV_NAME, 'a variable name (letters, digits and `_`, not starting with a digit)');

const secret = strict(
  {
    secret: z
      .string({ error: 'expected a string, usually "${VAR}"' })
      .describe('The secret value, usually `${VAR}` from the environment or .env; printed as ***.'),
  },
  'a mapping `{ secret: … }`',
);

export const env = named(
  envName(),
  // YAML reads `3000` and `true` as a number and a boolean; the environment only holds strings.
  z.union([z.string(), z.number(), z.boolean(), secret], {
    error: 'expected a string, number, boolean or `{ secret: … }`',
  }),
  'a mapping of variable names to values',
)
  .transform((vars): Record<string, string | Sensitive> => {
    // A loop, not entries/fromEntries: an `env` may have tens of thousands of keys (issue 11).
    const out: Record<string, string | Sensitive> = {};
    for (const name of Object.keys(vars)) {
      const v = vars[name]!;
      out[name] = typeof v === 'object' ? new Sensitive(v.secret, name) : String(v);
    }
    return out;
  })
  .describe(
    'Environment variables exported to every remote command. Numbers and booleans become strings; ' +
      '`{ secret: … }` values are never printed.',
  );

/**
 * What `env` gives for a mapping of plain names to strings, finite numbers and booleans, found without zod: the one
 * mapping that grows to tens of thousands of keys costs zod ~2 µs a key. Anything else (a secret, a bad name or
 * value) is undefined, and the schema reads it with its messages. test/unit/config/parts.test.ts holds the two equal.
 */
export function plainEnv(v: unknown): Record<string, string> | undefined {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) return undefined;
  const out: Record<string, string> = {};
  for (const name of Object.keys(v)) {
    const x = (v as Record<string, unknown>)[name];
    if (!ENV_NAME.test(name)) return undefined;
    if (typeof x === 'string' || typeof x === 'boolean' || (typeof x === 'number' && Number.isFinite(x))) out[name] = String(x);
    else return undefined;
  }
  return out;
}

export const vars = named(
  envName(),
  z.union([z.string(), z.number(), z.boolean()], { error: 'expected a string, number or boolean' }),
  'a mapping of variable names to values',
)
  .transform((v): Record<string, string> => {
    const out: Record<string, string> = {};
    for (const k of Object.keys(v)) out[k] = String(v[k]);
    return out;
  })
  .describe('Environment variables exported to every command on this host (after the stage `env`).');
