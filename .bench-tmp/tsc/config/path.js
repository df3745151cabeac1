const PLAIN_KEY = /^[A-Za-z0-9_-]+$/;
/** `stages.production.hosts[1].roles[0]`; keys that are not plain words are bracketed: `env["A.B"]`. */
export function formatPath(path) {
    let out = '';
    for (const seg of path) {
        if (typeof seg === 'number')
            out += `[${seg}]`;
        else if (PLAIN_KEY.test(seg))
            out += out === '' ? seg : `.${seg}`;
        else
            out += `[${JSON.stringify(seg)}]`;
    }
    return out;
}
/** A collision-free map key for a path. */
export const pathKey = (path) => JSON.stringify(path);
export function valueAt(root, path) {
    let v = root;
    for (const seg of path) {
        if (v === null || typeof v !== 'object')
            return undefined;
        v = Object.hasOwn(v, seg) ? v[seg] : undefined;
    }
    return v;
}
export const isMapping = (v) => v !== null && typeof v === 'object' && !Array.isArray(v);
//# sourceMappingURL=path.js.map