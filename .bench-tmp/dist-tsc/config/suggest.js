/** "did you mean" for a mistyped name: the nearest candidate by edit distance, ignoring case, `_` and `-`. */
export function closest(word, candidates) {
    const w = normalize(word);
    let best;
    let bestDistance = Infinity;
    for (const c of candidates) {
        const n = normalize(c);
        const d = n.startsWith(w) && w.length >= 4 ? 1 : distance(w, n);
        if (d < bestDistance) {
            best = c;
            bestDistance = d;
        }
    }
    return bestDistance <= Math.max(1, Math.floor(w.length / 3)) ? best : undefined;
}
/** ` (did you mean \`x\`?)`, or nothing when no candidate is close. */
export function didYouMean(word, candidates) {
    const c = closest(word, candidates);
    return c === undefined ? '' : ` (did you mean \`${c}\`?)`;
}
const normalize = (s) => s.toLowerCase().replace(/[_-]/g, '');
/** Optimal string alignment distance: insertions, deletions, substitutions and swaps of neighbours cost 1. */
function distance(a, b) {
    const rows = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
    const at = (i, j) => rows[i]?.[j] ?? Infinity;
    for (let i = 1; i <= a.length; i++) {
        for (let j = 1; j <= b.length; j++) {
            const cost = a[i - 1] === b[j - 1] ? 0 : 1;
            let d = Math.min(at(i - 1, j) + 1, at(i, j - 1) + 1, at(i - 1, j - 1) + cost);
            if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1])
                d = Math.min(d, at(i - 2, j - 2) + 1);
            rows[i][j] = d;
        }
    }
    return at(a.length, b.length);
}
//# sourceMappingURL=suggest.js.map