import { z } from 'zod';
/**
 * Every leaf schema states what it expects, as `expected …`; the issue formatter appends what it found, so
 * messages read `expected an integer from 1 to 65535, found "abc"`.
 */
export function expecting(text) {
    return { error: `expected ${text}` };
}
export function text(expected = 'a string') {
    const e = expecting(expected);
    return z.string(e).min(1, e);
}
export function matching(pattern, expected) {
    const e = expecting(expected);
    return z.string(e).regex(pattern, e);
}
/**
 * A string checked by `rules` in order; the first that refuses it words the one message (config/issues.ts
 * appends `found …` and the hint).
 */
export function checked(expected, ...rules) {
    return z.string(expecting(expected)).superRefine((s, ctx) => {
        for (const rule of rules) {
            const r = rule(s);
            if (r === undefined)
                continue;
            const { expected: what, hint } = typeof r === 'string' ? { expected: r, hint: undefined } : r;
            ctx.addIssue({ code: 'custom', message: `expected ${what}`, input: s, ...(hint ? { params: { hint } } : {}) });
            return;
        }
    });
}
/** C0 and C1 control characters, DEL: a newline in a path or an address splits what a command reads. */
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;
export const noControl = (what) => (s) => CONTROL.test(s) ? `${what} without control characters (newline, tab …)` : undefined;
/** A path as the user's own machine reads it (a key file, a recipe, an artifact). */
export const localPath = (expected) => checked(expected, (s) => (s === '' ? expected : undefined), noControl('a path'));
export function integer(min, max) {
    const e = expecting(max === undefined ? `an integer >= ${min}` : `an integer from ${min} to ${max}`);
    const n = z.number(e).int(e).min(min, e);
    return max === undefined ? n : n.max(max, e);
}
export function seconds(positive = false) {
    const e = expecting(positive ? 'a number of seconds > 0' : 'a number of seconds >= 0');
    return positive ? z.number(e).positive(e) : z.number(e).min(0, e);
}
export function boolean() {
    return z.boolean(expecting('true or false'));
}
export function list(item, min = 0, expected = 'a list') {
    const e = expecting(min > 0 ? `${expected} with at least ${min} item${min > 1 ? 's' : ''}` : expected);
    return z.array(item, e).min(min, e);
}
/**
 * A mapping that rejects unknown keys. The error callback only answers for a wrong type: unknown keys are worded
 * by the parse-wide error map (config/issues.ts), which knows the allowed keys and suggests the nearest one.
 */
export function strict(shape, expected = 'a mapping') {
    const message = `expected ${expected}`;
    return z.strictObject(shape, { error: (iss) => (iss.code === 'invalid_type' ? message : undefined) });
}
/**
 * A mapping, or a string as shorthand for the mapping with only `field` set: `restart: bin/restart` means
 * `restart: { command: bin/restart }`. The shorthand goes through the mapping's schema, defaults included.
 */
export function withShorthand(field, shorthand, shape, expected) {
    const full = strict(shape, expected);
    return z
        .union([shorthand, full], { error: `expected ${expected}` })
        .transform((v) => (typeof v === 'string' ? full.parse({ [field]: v }) : v));
}
/** A mapping whose keys the user names (tasks, roles, env …); `key` words the rule for a key. */
export function named(key, value, expected = 'a mapping') {
    return z.record(key, value, { error: (iss) => (iss.code === 'invalid_type' ? `expected ${expected}` : undefined) });
}
export const NAME = /^[a-z0-9][a-z0-9_-]*$/;
export const NAME_TEXT = 'lowercase letters, digits, `_` and `-`, starting with a letter or digit';
export const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
export const port = () => integer(1, 65535);
const climbs = (p) => p.split('/').includes('..');
/** `/`, `//`, `/.`, `./.`: no name left once the `.` and empty parts are dropped. */
const namesNothing = (p) => p.split('/').every((part) => part === '' || part === '.');
/** An absolute path on the hosts: never `/` itself, however it is written, and never climbing with `..`. */
export function absolutePath(...more) {
    const expected = 'an absolute path such as `/srv/shop` (not `/` itself, no `..`)';
    return checked(expected, (p) => (p.startsWith('/') && !namesNothing(p) && !climbs(p) ? undefined : expected), noControl('an absolute path'), ...more);
}
/** A path inside the release or shared directory: relative, naming something, and never climbing out with `..`. */
export function innerPath() {
    const expected = 'a relative path such as `log` or `config/app.json` (no leading `/`, no `..`)';
    return checked(expected, (p) => (p !== '' && !p.startsWith('/') && !climbs(p) ? undefined : expected), (p) => (namesNothing(p) ? 'a relative path that names something inside the directory, not the directory itself' : undefined), noControl('a relative path'));
}
/** The parts of a relative path that name something: `./log/` → `log`. */
export const normalPath = (p) => p
    .split('/')
    .filter((part) => part !== '' && part !== '.')
    .join('/');
export const command = () => text('a shell command');
export const userName = () => matching(/^[A-Za-z_][A-Za-z0-9_.-]*$/, 'a user name');
export const roleName = () => matching(NAME, `a role name (${NAME_TEXT})`);
export const TASK_NAME = /^[a-z0-9][a-z0-9_:.-]*$/;
export const taskName = () => matching(TASK_NAME, 'a task name (lowercase letters, digits, `_`, `-`, `.` and `:`)');
//# sourceMappingURL=primitives.js.map