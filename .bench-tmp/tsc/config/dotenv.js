const LINE = /^(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*)$/;
const ESCAPES = { n: '\n', r: '\r', t: '\t', '"': '"', '\\': '\\', $: '$' };
export function parseDotEnv(text) {
    const vars = {};
    const problems = [];
    const lines = text.split(/\r?\n/);
    for (let n = 0; n < lines.length; n++) {
        const line = (lines[n] ?? '').trim();
        if (line === '' || line.startsWith('#'))
            continue;
        const m = LINE.exec(line);
        if (!m) {
            problems.push({ line: n + 1, message: 'expected `NAME=value`' });
            continue;
        }
        const [, name = '', rest = ''] = m;
        const value = parseValue(rest);
        if (value === undefined)
            problems.push({ line: n + 1, message: `${name}: unterminated quoted value` });
        else
            vars[name] = value;
    }
    return { vars, problems };
}
function parseValue(rest) {
    const quote = rest[0];
    if (quote === "'") {
        const end = rest.indexOf("'", 1);
        return end < 0 ? undefined : rest.slice(1, end);
    }
    if (quote === '"') {
        let out = '';
        for (let i = 1; i < rest.length; i++) {
            const c = rest[i] ?? '';
            if (c === '"')
                return out;
            if (c === '\\' && i + 1 < rest.length) {
                const next = rest[++i] ?? '';
                out += ESCAPES[next] ?? `\\${next}`;
            }
            else
                out += c;
        }
        return undefined;
    }
    return rest.replace(/\s+#.*$/, '').trim();
}
//# sourceMappingURL=dotenv.js.map