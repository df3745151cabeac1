import * as z from 'zod';

/**
 * Every leaf schema states what it expects, as `expected …`; the issue formatter appends what it found, so
 * messages read `expected an integer from 1 to 65535, found "abc"`.
 */
export function expecting(text: string): { error: string } {
  return { error: `expected ${text}` };
}

export function text(expected = 'a string'): z.ZodString {
  const e = expecting(expected);
  return z.string(e).min(1, e);
}

export function matching(pattern: RegExp, expected: string): z.ZodString {
  const e = expecting(expected);
  return z.string(e).regex(pattern, e);
}

/** Why a string is refused: what was expected instead, and what to do about it (shown after `found …`). */
export interface Refusal {
  readonly expected: string;
  readonly hint?: string;
}

/** A check on a string: nothing when it passes, else the refusal (a string is the `expected …` text alone). */
export type Rule = (s: string) => Refusal | string | undefined;

/**
 * A string checked by `rules` in order; the first that refuses it words the one message (config/issues.ts
 * appends `found …` and the hint).
 */
export function checked(expected: string, ...rules: Rule[]): z.ZodString {
  return z.string(expecting(expected)).superRefine((s, ctx) => {
    for (const rule of rules) {
      const r = rule(s);
      if (r === undefined) continue;
      const { expected: what, hint } = typeof r === 'string' ? { expected: r, hint: undefined } : r;
      ctx.addIssue({ code: 'custom', message: `expected ${what}`, input: s, ...(hint ? { params: { hint } } : {}) });
      return;
    }
  });
}

/** C0 and C1 control characters, DEL: a newline in a path or an address splits what a command reads. */
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;

export const noControl =
  (what: string): Rule =>
  (s) =>
    CONTROL.test(s) ? `${what} without control characters (newline, tab …)` : undefined;

/** A path as the user's own machine reads it (a key file, a recipe, an artifact). */
export const localPath = (expected: string) => checked(expected, (s) => (s === '' ? expected : undefined), noControl('a path'));

export function integer(min: number, max?: number): z.ZodNumber {
  const e = expecting(max === undefined ? `an integer >= ${min}` : `an integer from ${min} to ${max}`);
  const n = z.number(e).int(e).min(min, e);
  return max === undefined ? n : n.max(max, e);
}

export function seconds(positive = false): z.ZodNumber {
  const e = expecting(positive ? 'a number of seconds > 0' : 'a number of seconds >= 0');
  return positive ? z.number(e).positive(e) : z.number(e).min(0, e);
}

export function boolean(): z.ZodBoolean {
  return z.boolean(expecting('true or false'));
}

export function list<T extends z.ZodType>(item: T, min = 0, expected = 'a list'): z.ZodArray<T> {
  const e = expecting(min > 0 ? `${expected} with at least ${min} item${min > 1 ? 's' : ''}` : expected);
  return z.array(item, e).min(min, e);
}

/**
 * A mapping that rejects unknown keys. The error callback only answers for a wrong type: unknown keys are worded
 * by the parse-wide error map (config/issues.ts), which knows the allowed keys and suggests the nearest one.
 */
export function strict<S extends z.ZodRawShape>(shape: S, expected = 'a mapping'): z.ZodObject<S, z.core.$strict> {
  const message = `expected ${expected}`;
  return z.strictObject(shape, { error: (iss) => (iss.code === 'invalid_type' ? message : undefined) });
}

/**
 * A mapping, or a string as shorthand for the mapping with only `field` set: `restart: bin/restart` means
 * `restart: { command: bin/restart }`. The shorthand goes through the mapping's schema, defaults included.
 */
export function withShorthand<S extends z.ZodRawShape>(field: keyof S & string, shorthand: z.ZodString, shape: S, expected: string) {
  const full = strict(shape, expected);
  return z
    .union([shorthand, full], { error: `expected ${expected}` })
    .transform((v): z.output<typeof full> => (typeof v === 'string' ? full.parse({ [field]: v }) : v));
}

/** A mapping whose keys the user names (tasks, roles, env …); `key` words the rule for a key. */
export function named<V extends z.ZodType>(key: z.ZodString, value: V, expected = 'a mapping'): z.ZodRecord<z.ZodString, V> {
  return z.record(key, value, { error: (iss) => (iss.code === 'invalid_type' ? `expected ${expected}` : undefined) });
}

export const NAME = /^[a-z0-9][a-z0-9_-]*$/;
export const NAME_TEXT = 'lowercase letters, digits, `_` and `-`, starting with a letter or digit';
export const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

export const port = () => integer(1, 65535);

const climbs = (p: string) => p.split('/').includes('..');
/** `/`, `//`, `/.`, `./.`: no name left once the `.` and empty parts are dropped. */
const namesNothing = (p: string) => p.split('/').every((part) => part === '' || part === '.');

/** An absolute path on the hosts: never `/` itself, however it is written, and never climbing with `..`. */
export function absolutePath(...more: Rule[]): z.ZodString {
  const expected = 'an absolute path such as `/srv/shop` (not `/` itself, no `..`)';
  return checked(
    expected,
    (p) => (p.startsWith('/') && !namesNothing(p) && !climbs(p) ? undefined : expected),
    noControl('an absolute path'),
    ...more,
  );
}

/** A path inside the release or shared directory: relative, naming something, and never climbing out with `..`. */
export function innerPath(): z.ZodString {
  const expected = 'a relative path such as `log` or `config/app.json` (no leading `/`, no `..`)';
  return checked(
    expected,
    (p) => (p !== '' && !p.startsWith('/') && !climbs(p) ? undefined : expected),
    (p) => (namesNothing(p) ? 'a relative path that names something inside the directory, not the directory itself' : undefined),
    noControl('a relative path'),
  );
}

/** The parts of a relative path that name something: `./log/` → `log`. */
export const normalPath = (p: string) =>
  p
    .split('/')
    .filter((part) => part !== '' && part !== '.')
    .join('/');

export const command = () => text('a shell command');
export const userName = () => matching(/^[A-Za-z_][A-Za-z0-9_.-]*$/, 'a user name');

export const roleName = () => matching(NAME, `a role name (${NAME_TEXT})`);
export const TASK_NAME = /^[a-z0-9][a-z0-9_:.-]*$/;
export const taskName = () => matching(TASK_NAME, 'a task name (lowercase letters, digits, `_`, `-`, `.` and `:`)');
