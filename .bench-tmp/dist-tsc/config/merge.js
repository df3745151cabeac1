import { isMapping, pathKey } from './path.js';
/** Keys that only a stage has: a problem with them always belongs to the stage. */
const STAGE_ONLY = ['hosts'];
/**
 * A stage's overrides over the top level: mappings merge key by key, anything else (lists, values) replaces,
 * and `null` (`~` or an empty value) removes what the top level set. A `null` at the top level means unset.
 * A mapping with a different `kind` replaces rather than merges.
 */
export function mergeStage(base, overrides, stage, options = {}) {
    const fromStage = new Set(STAGE_ONLY.map((k) => pathKey([k])));
    // A recipe goes under the result: there a `~` must still remove what the recipe sets (config/recipe.ts).
    const clean = options.keepNulls ? (v) => v : dropNulls;
    function merge(b, o, path) {
        const out = { ...clean(b) };
        for (const [k, v] of Object.entries(o)) {
            const p = [...path, k];
            const current = out[k];
            if (isMapping(v) && isMapping(current) && sameKind(v, current)) {
                out[k] = merge(current, v, p);
                continue;
            }
            fromStage.add(pathKey(p));
            if (v === null && !options.keepNulls)
                delete out[k];
            else
                out[k] = clean(v);
        }
        return out;
    }
    const value = merge(base, overrides, []);
    return {
        value,
        filePath(path) {
            for (let n = path.length; n > 0; n--) {
                if (fromStage.has(pathKey(path.slice(0, n))))
                    return ['stages', stage, ...path];
            }
            return path;
        },
    };
}
/** A mapping of another `kind` (a haproxy balancer over an nginx one) replaces instead of merging. */
const sameKind = (a, b) => a.kind === undefined || b.kind === undefined || a.kind === b.kind;
export function dropNulls(v) {
    if (Array.isArray(v))
        return v.map(dropNulls);
    if (!isMapping(v))
        return v;
    return Object.fromEntries(Object.entries(v)
        .filter(([, x]) => x !== null)
        .map(([k, x]) => [k, dropNulls(x)]));
}
//# sourceMappingURL=merge.js.map