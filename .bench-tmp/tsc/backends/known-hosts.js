/**
 * OpenSSH known_hosts, pure: parsing, host matching (plain names, wildcard patterns, `[host]:port`,
 * hashed `|1|salt|hmac` entries) and the verdict for a key a host offered. No IO; the SSH backend
 * reads the files and turns a verdict into an error.
 */
import { createHash, createHmac, randomBytes } from 'node:crypto';
import { matchPatternList } from './host-patterns.js';
export function parseKnownHosts(text, file) {
    const entries = [];
    const problems = [];
    text.split('\n').forEach((rawLine, i) => {
        const line = i + 1;
        const trimmed = rawLine.trim();
        if (trimmed === '' || trimmed.startsWith('#'))
            return;
        const fields = trimmed.split(/\s+/);
        let marker;
        if (fields[0]?.startsWith('@')) {
            const m = fields.shift();
            if (m === '@revoked')
                marker = 'revoked';
            else if (m === '@cert-authority')
                marker = 'cert-authority';
            else {
                problems.push(`${file}:${line}: unknown marker ${m}`);
                return;
            }
        }
        const [hostText, keyType, keyText] = fields;
        if (hostText === undefined || keyType === undefined || keyText === undefined) {
            problems.push(`${file}:${line}: expected "hosts keytype key"`);
            return;
        }
        const hosts = parseHostField(hostText);
        if (hosts === undefined) {
            problems.push(`${file}:${line}: malformed hashed host entry`);
            return;
        }
        const key = Buffer.from(keyText, 'base64');
        if (key.length === 0 || keyTypeOf(key) !== keyType) {
            problems.push(`${file}:${line}: key does not decode as ${keyType}`);
            return;
        }
        entries.push({ file, line, ...(marker ? { marker } : {}), hosts, keyType, key });
    });
    return { entries, problems };
}
function parseHostField(text) {
    if (!text.startsWith('|'))
        return { kind: 'patterns', patterns: text.split(',').filter((p) => p !== '') };
    const m = /^\|1\|([A-Za-z0-9+/=]+)\|([A-Za-z0-9+/=]+)$/.exec(text);
    if (!m)
        return undefined;
    const salt = Buffer.from(m[1], 'base64');
    const hash = Buffer.from(m[2], 'base64');
    return salt.length === 20 && hash.length === 20 ? { kind: 'hashed', salt, hash } : undefined;
}
/**
 * The names a host is looked up by, like OpenSSH: `HostKeyAlias` if set (port ignored), else the address,
 * bracketed with the port when it is not 22.
 */
export function knownHostsName(address, port, hostKeyAlias) {
    if (hostKeyAlias)
        return hostKeyAlias.toLowerCase();
    const a = address.toLowerCase();
    return port === 22 ? a : `[${a}]:${port}`;
}
/** `|1|salt|hmac` for a name, as `ssh-keygen -H` writes it. */
export function hashHostName(name, salt = randomBytes(20)) {
    const hash = createHmac('sha1', salt).update(name.toLowerCase()).digest();
    return `|1|${salt.toString('base64')}|${hash.toString('base64')}`;
}
export function entryMatches(entry, name) {
    const n = name.toLowerCase();
    if (entry.hosts.kind === 'patterns')
        return matchPatternList(entry.hosts.patterns, n);
    return createHmac('sha1', entry.hosts.salt).update(n).digest().equals(entry.hosts.hash);
}
/**
 * A revoked key is refused for every host name, not only the names on its line: revocation is about the key.
 * `@cert-authority` lines are not used (host certificates are not supported), so they never trust a key.
 */
export function verifyHostKey(entries, name, key) {
    const revoked = entries.find((e) => e.marker === 'revoked' && e.key.equals(key));
    if (revoked)
        return { kind: 'revoked', entry: revoked };
    const forHost = entries.filter((e) => e.marker === undefined && entryMatches(e, name));
    const trusted = forHost.find((e) => e.key.equals(key));
    if (trusted)
        return { kind: 'trusted', entry: trusted };
    return forHost.length === 0 ? { kind: 'unknown' } : { kind: 'changed', expected: forHost };
}
/**
 * Host key algorithms to offer, known ones first (as OpenSSH does), so a host known by its RSA key is not
 * reported as changed just because it also has an ed25519 key the client would otherwise prefer.
 */
export function preferredHostKeyAlgorithms(entries, name) {
    const all = [
        'ssh-ed25519',
        'ecdsa-sha2-nistp256',
        'ecdsa-sha2-nistp384',
        'ecdsa-sha2-nistp521',
        'rsa-sha2-512',
        'rsa-sha2-256',
        'ssh-rsa',
    ];
    const known = new Set();
    for (const e of entries) {
        if (e.marker !== undefined || !entryMatches(e, name))
            continue;
        if (e.keyType === 'ssh-rsa')
            ['rsa-sha2-512', 'rsa-sha2-256', 'ssh-rsa'].forEach((a) => known.add(a));
        else
            known.add(e.keyType);
    }
    return [...all.filter((a) => known.has(a)), ...all.filter((a) => !known.has(a))];
}
/** `SHA256:…` exactly as `ssh-keygen -l` prints it (base64 without padding). */
export function fingerprint(key) {
    return `SHA256:${createHash('sha256').update(key).digest('base64').replace(/=+$/, '')}`;
}
/** The key type named at the start of a wire-format key blob (`ssh-ed25519`), or '' if unreadable. */
export function keyTypeOf(key) {
    if (key.length < 4)
        return '';
    const len = key.readUInt32BE(0);
    if (len > 64 || 4 + len > key.length)
        return '';
    return key.subarray(4, 4 + len).toString('latin1');
}
//# sourceMappingURL=known-hosts.js.map