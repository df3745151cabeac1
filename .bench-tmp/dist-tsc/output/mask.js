import { secretMasker } from '../shell/sensitive.js';
/**
 * Masks every known secret in every string of every event before any renderer, log file or report sees it: the
 * value, each line of a multi-line one (output arrives one line at a time) and their common encodings (JSON, URL,
 * base64, HTML, shell quoting; see `secretMasker`).
 */
export function masking(secrets, sink) {
    if (!secrets.some((s) => s !== ''))
        return sink;
    const mask = secretMasker(secrets);
    const scrub = (v) => typeof v === 'string'
        ? mask(v)
        : Array.isArray(v)
            ? v.map(scrub)
            : v && typeof v === 'object'
                ? Object.fromEntries(Object.entries(v).map(([k, x]) => [k, scrub(x)]))
                : v;
    const masked = (e) => sink(scrub(e));
    if (sink.close)
        masked.close = () => sink.close();
    return masked;
}
//# sourceMappingURL=mask.js.map