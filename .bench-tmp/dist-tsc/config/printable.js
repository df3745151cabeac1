import { isSensitive, MASK, secretMasker } from '../shell/sensitive.js';
/** The values of the config's secrets (`env` entries written `{ secret: … }`), to mask wherever they appear. */
export function secretValues(config) {
    return Object.values(config.env).flatMap((v) => (isSensitive(v) ? [v.reveal()] : []));
}
/**
 * A plain JSON-able copy of a Config (for `deploy config` and `--json`) with every secret as `***`, also where its
 * value was interpolated into another field (a task's `run`, a token in `repository`).
 */
export function printableConfig(config) {
    return printable(config, secretMasker(secretValues(config)));
}
function printable(v, mask) {
    if (isSensitive(v))
        return MASK;
    if (typeof v === 'string')
        return mask(v);
    if (Array.isArray(v))
        return v.map((x) => printable(x, mask));
    if (v === null || typeof v !== 'object')
        return v;
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, printable(x, mask)]));
}
//# sourceMappingURL=printable.js.map