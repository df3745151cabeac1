/**
 * OpenSSH host pattern lists, shared by ssh_config `Host` lines and known_hosts host fields:
 * `*` and `?` wildcards, `!pattern` negates, matching is case-insensitive.
 */
export function matchPattern(pattern, name, ignoreCase = true) {
    const p = ignoreCase ? pattern.toLowerCase() : pattern;
    const n = ignoreCase ? name.toLowerCase() : name;
    // Iterative glob match with single-star backtracking; patterns are short, names are host names.
    let pi = 0;
    let ni = 0;
    let star = -1;
    let mark = 0;
    while (ni < n.length) {
        if (pi < p.length && (p[pi] === '?' || p[pi] === n[ni])) {
            pi++;
            ni++;
        }
        else if (pi < p.length && p[pi] === '*') {
            star = pi++;
            mark = ni;
        }
        else if (star !== -1) {
            pi = star + 1;
            ni = ++mark;
        }
        else {
            return false;
        }
    }
    while (pi < p.length && p[pi] === '*')
        pi++;
    return pi === p.length;
}
/** True when some positive pattern matches and no negated one does (a list of only negations never matches). */
export function matchPatternList(patterns, name) {
    let positive = false;
    for (const raw of patterns) {
        if (raw.startsWith('!')) {
            if (matchPattern(raw.slice(1), name))
                return false;
        }
        else if (matchPattern(raw, name)) {
            positive = true;
        }
    }
    return positive;
}
//# sourceMappingURL=host-patterns.js.map