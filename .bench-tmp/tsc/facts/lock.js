import { Buffer } from 'node:buffer';
import { status } from '../commands/lock.js';
import { fact, lines } from './fact.js';
const FIELDS = ['owner', 'message', 'verb', 'run', 'token'];
/** The owner file's base64 JSON, or a reason it is not one. */
export function decodeLockInfo(encoded) {
    const text = encoded.trim();
    if (text === '')
        return { error: 'the lock has no owner file' };
    if (!/^[A-Za-z0-9+/]+={0,2}$/.test(text) || text.length % 4 !== 0)
        return { error: 'the owner file is not base64' };
    let value;
    try {
        value = JSON.parse(Buffer.from(text, 'base64').toString('utf8'));
    }
    catch {
        return { error: 'the owner file does not hold JSON' };
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
        return { error: 'the owner file is not a JSON object' };
    }
    const record = value;
    const missing = FIELDS.filter((f) => typeof record[f] !== 'string');
    if (missing.length > 0)
        return { error: `the owner file lacks ${missing.join(', ')}` };
    return Object.freeze(Object.fromEntries(FIELDS.map((f) => [f, record[f]])));
}
const seconds = (v) => (/^\d{1,12}$/.test(v) ? Number(v) : null);
/** Parses the output of commands/lock.ts `status` (and of a failed `acquire`); `ttl` dates a lock without expiry. */
export function parseLockStatus(stdout, ttl) {
    const out = lines(stdout);
    if (out.length === 0)
        return { state: 'unlocked' };
    const field = (name) => out.find((l) => l.startsWith(`${name} `))?.slice(name.length + 1).trim() ?? '';
    const now = seconds(field('now')) ?? 0;
    const mtime = seconds(field('mtime'));
    const clock = { now, since: seconds(field('since')) ?? mtime, expires: seconds(field('expires')) ?? (mtime ?? 0) + ttl };
    const token = field('token');
    const owner = field('owner');
    if (out[0] !== 'locked')
        return { state: 'malformed', token, error: 'unexpected lock status output', raw: stdout, clock };
    const info = decodeLockInfo(owner);
    if ('error' in info)
        return { state: 'malformed', token, error: info.error, raw: owner, clock };
    if (token === '' || token !== info.token)
        return { state: 'malformed', token, error: 'the token file does not match the owner file', raw: owner, clock };
    return { state: 'locked', token, info, clock };
}
export const lockStatus = (p, ttl) => fact(status(p), (out) => parseLockStatus(out, ttl));
/** Whether a lock may be taken over: its expiry passed, by the lock host's clock. */
export const isExpired = (s) => s.state !== 'unlocked' && s.clock.expires <= s.clock.now;
/** Output of `acquire`/`takeOver`: `acquired` and what the read after it printed, or the lock's status. */
export function parseAcquired(stdout, ttl) {
    const nl = stdout.indexOf('\n');
    const first = (nl < 0 ? stdout : stdout.slice(0, nl)).replace(/\r$/, '');
    if (first === 'acquired')
        return { acquired: true, rest: nl < 0 ? '' : stdout.slice(nl + 1) };
    return { acquired: false, status: parseLockStatus(stdout, ttl) };
}
/** Output of `release` (its last line: a command run before it in the same round trip may print first). */
export function parseReleased(stdout) {
    const first = lines(stdout).at(-1) ?? '';
    if (first === 'released')
        return { kind: 'released' };
    if (first === 'gone')
        return { kind: 'gone' };
    if (first.startsWith('other'))
        return { kind: 'other', holder: decodeLockInfo(first.slice('other'.length)) };
    return null;
}
/** Output of `renew` when it failed: the token the lock holds now ('' when it is gone), or null when it did not say. */
export function parseLost(stdout) {
    const first = lines(stdout)[0] ?? '';
    return first === 'lost' || first.startsWith('lost ') ? first.slice('lost'.length).trim() : null;
}
//# sourceMappingURL=lock.js.map