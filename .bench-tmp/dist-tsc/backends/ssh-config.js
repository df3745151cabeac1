/**
 * OpenSSH client config (~/.ssh/config), pure: parse once, then look up the settings for one alias.
 * Supported: `Host` pattern lists (`*`, `?`, `!negation`), first value wins per keyword (IdentityFile
 * accumulates), `Keyword=value`, quoted arguments, `Include` through an injected reader, `%`/`~` tokens.
 * `Match` blocks are not evaluated: their settings never apply, and a note says so.
 */
import { matchPatternList } from './host-patterns.js';
const MAX_INCLUDE_DEPTH = 16;
export function parseSshConfig(text, options = {}) {
    const directives = [];
    const notes = [];
    parseInto(text, options.file ?? 'ssh_config', [], 0, options, directives, notes);
    return { directives, notes };
}
function parseInto(text, file, outer, depth, options, directives, notes) {
    let block;
    text.split(/\r?\n/).forEach((rawLine, i) => {
        const where = `${file}:${i + 1}`;
        const parsed = splitLine(rawLine);
        if (parsed === undefined)
            return;
        if (typeof parsed === 'string') {
            notes.push(`${where}: ${parsed}`);
            return;
        }
        const { keyword, args } = parsed;
        const when = block ? [...outer, block] : outer;
        if (keyword === 'host') {
            block = { kind: 'host', patterns: args };
        }
        else if (keyword === 'match') {
            block = { kind: 'never' };
            notes.push(`${where}: Match blocks are not supported; their settings are ignored`);
        }
        else if (keyword === 'include') {
            if (!options.include) {
                notes.push(`${where}: Include not followed (no reader given)`);
                return;
            }
            if (depth >= MAX_INCLUDE_DEPTH) {
                notes.push(`${where}: Include nested too deeply; skipped`);
                return;
            }
            for (const arg of args) {
                for (const inc of options.include(includePath(arg, options.home))) {
                    parseInto(inc.text, inc.path, when, depth + 1, options, directives, notes);
                }
            }
        }
        else {
            directives.push({ keyword, args, where, when });
        }
    });
}
function includePath(arg, home) {
    if (home === undefined)
        return arg;
    if (arg === '~' || arg.startsWith('~/'))
        return home + arg.slice(1);
    return arg.startsWith('/') ? arg : `${home}/.ssh/${arg}`;
}
/** `Keyword value…` or `Keyword=value…`; undefined for blank and comment lines, a string for a bad line. */
function splitLine(line) {
    const trimmed = line.trim();
    if (trimmed === '' || trimmed.startsWith('#'))
        return undefined;
    const m = /^([A-Za-z][A-Za-z0-9]*)(?:\s*=\s*|\s+)(.*)$/.exec(trimmed);
    if (!m)
        return `cannot read "${trimmed}"`;
    const args = [];
    const rest = m[2];
    let i = 0;
    while (i < rest.length) {
        while (i < rest.length && /\s/.test(rest[i]))
            i++;
        if (i >= rest.length || rest[i] === '#')
            break;
        let arg = '';
        while (i < rest.length && !/\s/.test(rest[i])) {
            const ch = rest[i];
            if (ch === '"' || ch === "'") {
                const end = rest.indexOf(ch, i + 1);
                if (end === -1)
                    return `unterminated quote in "${trimmed}"`;
                arg += rest.slice(i + 1, end);
                i = end + 1;
            }
            else {
                arg += ch;
                i++;
            }
        }
        args.push(arg);
    }
    if (args.length === 0)
        return `${m[1]} has no value`;
    return { keyword: m[1].toLowerCase(), args };
}
export function lookupSshHost(config, alias, ctx) {
    const first = new Map();
    const identity = [];
    for (const d of config.directives) {
        if (!d.when.every((c) => c.kind === 'host' && matchPatternList(c.patterns, alias)))
            continue;
        if (d.keyword === 'identityfile')
            identity.push(d);
        else if (!first.has(d.keyword))
            first.set(d.keyword, d);
    }
    const problems = [];
    const arg = (k) => first.get(k)?.args[0];
    const bool = (k) => {
        const v = arg(k)?.toLowerCase();
        if (v === undefined)
            return undefined;
        if (v === 'yes' || v === 'true')
            return true;
        if (v === 'no' || v === 'false')
            return false;
        problems.push(`${first.get(k).where}: expected yes or no, got "${v}"`);
        return undefined;
    };
    const seconds = (k) => {
        const v = arg(k);
        if (v === undefined)
            return undefined;
        if (/^\d+$/.test(v))
            return Number(v);
        problems.push(`${first.get(k).where}: expected a number of seconds, got "${v}"`);
        return undefined;
    };
    const hostName = arg('hostname') === undefined ? undefined : expandTokens(arg('hostname'), { h: alias, n: alias }, ctx);
    const user = arg('user');
    let port;
    const portText = arg('port');
    if (portText !== undefined) {
        const n = Number(portText);
        if (/^\d+$/.test(portText) && n >= 1 && n <= 65535)
            port = n;
        else
            problems.push(`${first.get('port').where}: invalid port "${portText}"`);
    }
    const tokens = {
        h: hostName ?? alias,
        n: alias,
        r: user ?? ctx.localUser,
        p: String(port ?? 22),
    };
    const path = (p) => expandTokens(p, tokens, ctx);
    const identityFiles = [
        ...new Set(identity.flatMap((d) => d.args).filter((a) => a.toLowerCase() !== 'none').map(path)),
    ];
    const known = first.get('userknownhostsfile')?.args;
    const jump = arg('proxyjump');
    const strictText = arg('stricthostkeychecking')?.toLowerCase();
    let strictHostKeyChecking;
    if (strictText !== undefined) {
        const map = {
            yes: 'yes',
            true: 'yes',
            no: 'no',
            off: 'no',
            false: 'no',
            'accept-new': 'accept-new',
            ask: 'ask',
        };
        strictHostKeyChecking = map[strictText];
        if (strictHostKeyChecking === undefined) {
            problems.push(`${first.get('stricthostkeychecking').where}: invalid StrictHostKeyChecking "${strictText}"`);
        }
    }
    const proxyCommand = first.get('proxycommand')?.args.join(' ');
    const hostKeyAlias = arg('hostkeyalias');
    return {
        ...(hostName !== undefined ? { hostName } : {}),
        ...(user !== undefined ? { user } : {}),
        ...(port !== undefined ? { port } : {}),
        identityFiles,
        ...optional('identitiesOnly', bool('identitiesonly')),
        ...(jump !== undefined && jump.toLowerCase() !== 'none' ? { proxyJump: jump } : {}),
        ...(proxyCommand !== undefined && proxyCommand.toLowerCase() !== 'none' ? { proxyCommand } : {}),
        ...(known !== undefined ? { userKnownHostsFiles: known.filter((a) => a.toLowerCase() !== 'none').map(path) } : {}),
        ...optional('strictHostKeyChecking', strictHostKeyChecking),
        ...optional('forwardAgent', bool('forwardagent')),
        ...(hostKeyAlias !== undefined ? { hostKeyAlias } : {}),
        ...optional('connectTimeout', seconds('connecttimeout')),
        ...optional('serverAliveInterval', seconds('serveraliveinterval')),
        problems,
        at: {
            ...optional('strictHostKeyChecking', first.get('stricthostkeychecking')?.where),
            ...optional('forwardAgent', first.get('forwardagent')?.where),
        },
    };
}
function optional(key, value) {
    return (value === undefined ? {} : { [key]: value });
}
/** `~` at the start, and `%d %u %h %n %r %p %%` anywhere, as ssh_config(5) TOKENS describes. */
export function expandTokens(text, tokens, ctx) {
    const all = { d: ctx.home, u: ctx.localUser, '%': '%', ...tokens };
    const expanded = text.replace(/%(.)/g, (whole, c) => all[c] ?? whole);
    if (expanded === '~' || expanded.startsWith('~/'))
        return ctx.home + expanded.slice(1);
    return expanded;
}
//# sourceMappingURL=ssh-config.js.map