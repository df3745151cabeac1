import { spawnSync } from 'node:child_process';
import { pathToFileURL } from 'node:url';
/**
 * Where Node finds a syntax error in a JavaScript file. A failed `import()` of an ES module does not say where;
 * `node --check` does: `file:LINE`, the line, a `^` under the spot, then the error.
 */
export function syntaxErrorAt(file) {
    const r = spawnSync(process.execPath, ['--check', file], { encoding: 'utf8', timeout: 10_000 });
    if (r.status === 0 || typeof r.stderr !== 'string')
        return undefined;
    const lines = r.stderr.split('\n');
    // Only a report about the file itself: `node --check` also fails when it cannot read it.
    const at = /^(.*):(\d+)$/.exec(lines[0] ?? '');
    const line = Number(at?.[2]);
    if (!at || (at[1] !== file && at[1] !== pathToFileURL(file).href) || !(line >= 1))
        return undefined;
    const caret = lines.slice(1, 4).find((l) => /^\s*\^+\s*$/.test(l));
    const message = lines.find((l) => /^[A-Za-z]*Error: /.test(l)) ?? 'SyntaxError';
    return { line, column: caret ? caret.indexOf('^') + 1 : 1, message };
}
//# sourceMappingURL=syntax.js.map