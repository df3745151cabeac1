import { findSocat, readUpstream, showServersState, showStat } from '../commands/balancer.js';
import { fact, FactParseError, lines } from './fact.js';
const SERVER = /(?<=^|[;{}\s])server\s+([^\s;]+)([^;]*);/g;
function splitAddress(spec) {
    const m = /^(\[[^\]]+\]|[^:]+|unix:.*)(?::(\d+))?$/.exec(spec);
    if (!m)
        throw new FactParseError('nginx upstream', `not a server address: ${spec}`, spec);
    const address = m[1].startsWith('[') ? m[1].slice(1, -1) : m[1];
    return { address, port: m[2] ? Number(m[2]) : 80 };
}
/** The servers of an upstream include file, in file order, and which of them are `down`. */
export function parseUpstream(stdout) {
    let name = null;
    const servers = [];
    for (const line of lines(stdout)) {
        const hash = line.indexOf('#');
        const code = hash < 0 ? line : line.slice(0, hash);
        const comment = hash < 0 ? '' : line.slice(hash + 1).trim();
        name ??= /(?:^|\s)upstream\s+([^\s{]+)\s*\{/.exec(code)?.[1] ?? null;
        const found = [...code.matchAll(SERVER)];
        for (const m of found) {
            const params = m[2].trim().split(/\s+/);
            const label = found.length === 1 && /^[A-Za-z0-9][A-Za-z0-9_.-]*$/.test(comment) ? comment : undefined;
            servers.push({ ...splitAddress(m[1]), down: params.includes('down'), ...(label ? { name: label } : {}) });
        }
    }
    return { name, servers };
}
export const upstreamFile = (file) => fact(readUpstream(file), parseUpstream);
// ── haproxy runtime API ─────────────────────────────────────────────────────────────────────────────────────────
/** haproxy answers a successful `set server` with an empty line, a failed one with a message. */
export function runtimeError(stdout) {
    const text = stdout.trim();
    return text === '' ? undefined : text;
}
const OPERATIONAL = ['stopped', 'starting', 'running', 'stopping'];
// srv_admin_state bits (haproxy's SRV_ADMF_*): forced, inherited, configured, resolver and hostname maintenance,
// then forced and inherited drain.
const MAINT_BITS = 0x01 | 0x02 | 0x04 | 0x20 | 0x40;
const DRAIN_BITS = 0x08 | 0x10;
function columns(header, separator, what, stdout) {
    if (!header?.startsWith('#'))
        throw new FactParseError(what, `no "#" header line: ${(header ?? '').slice(0, 200)}`, stdout);
    const names = header.slice(1).trim().split(separator);
    return new Map(names.map((n, i) => [n, i]));
}
function field(row, cols, name, what, stdout) {
    const i = cols.get(name);
    if (i === undefined)
        throw new FactParseError(what, `no ${name} column`, stdout);
    const value = row[i];
    if (value === undefined)
        throw new FactParseError(what, `no ${name} in: ${row.join(' ')}`, stdout);
    return value;
}
/**
 * `show servers state <backend>`: a format version line (`1`), a `# be_id be_name …` header, then one line per
 * server. Empty output (nothing ran) reads as no servers; anything else, such as `Can't find backend.`, throws.
 */
export function parseServersState(stdout) {
    const what = 'haproxy show servers state';
    const rows = lines(stdout).filter((l) => l.trim() !== '');
    if (rows.length === 0)
        return [];
    if (rows[0].trim() !== '1')
        throw new FactParseError(what, rows[0].trim(), stdout);
    const cols = columns(rows[1], /\s+/, what, stdout);
    return rows.slice(2).map((line) => {
        const row = line.trim().split(/\s+/);
        const get = (name) => field(row, cols, name, what, stdout);
        const op = Number(get('srv_op_state'));
        const admin = Number(get('srv_admin_state'));
        const operational = OPERATIONAL[op];
        if (!operational || !Number.isInteger(admin))
            throw new FactParseError(what, `unexpected states in: ${line}`, stdout);
        const weight = cols.has('srv_uweight') ? Number(get('srv_uweight')) : undefined;
        if (weight !== undefined && !Number.isInteger(weight))
            throw new FactParseError(what, `srv_uweight is not a number in: ${line}`, stdout);
        return {
            backend: get('be_name'),
            server: get('srv_name'),
            address: get('srv_addr'),
            operational,
            admin: admin & MAINT_BITS ? 'maint' : admin & DRAIN_BITS ? 'drain' : 'ready',
            ...(weight !== undefined ? { weight } : {}),
        };
    });
}
/** `show stat` CSV, servers only (not the FRONTEND/BACKEND summary rows). */
export function parseStat(stdout) {
    const what = 'haproxy show stat';
    const rows = lines(stdout).filter((l) => l.trim() !== '');
    if (rows.length === 0)
        return [];
    const cols = columns(rows[0], ',', what, stdout);
    return rows
        .slice(1)
        .map((line) => line.split(','))
        .filter((row) => row[1] !== 'FRONTEND' && row[1] !== 'BACKEND')
        .map((row) => {
        const get = (name) => field(row, cols, name, what, stdout);
        const sessions = Number(get('scur') || '0');
        if (!Number.isInteger(sessions))
            throw new FactParseError(what, `scur is not a number: ${row.join(',')}`, stdout);
        return { backend: get('pxname'), server: get('svname'), sessions, status: get('status') };
    });
}
export const serversState = (socket, backend) => fact(showServersState(socket, backend), parseServersState);
export const serverStats = (socket) => fact(showStat(socket), parseStat);
/** Whether socat is installed (a plan run, where nothing runs, reads as not installed). */
export const socatInstalled = () => fact(findSocat(), (stdout) => stdout.trim() !== '');
//# sourceMappingURL=balancer.js.map