/** How many hosts go at once: a count, or a percentage of `total` rounded up; always at least 1. */
export function batchSize(total, batch) {
    if (typeof batch === 'number') {
        if (!Number.isInteger(batch) || batch < 1)
            throw new RangeError(`batch must be a whole number >= 1, got ${batch}`);
        return batch;
    }
    const m = /^(\d+(?:\.\d+)?)%$/.exec(batch);
    const percent = m ? Number(m[1]) : NaN;
    if (!(percent > 0 && percent <= 100))
        throw new RangeError(`batch must be a percentage in (0%, 100%], got ${batch}`);
    return Math.max(1, Math.ceil((total * percent) / 100));
}
/** Hosts split into consecutive batches, order kept. */
export function batches(hosts, batch) {
    const size = batchSize(hosts.length, batch);
    const out = [];
    for (let i = 0; i < hosts.length; i += size)
        out.push(hosts.slice(i, i + size));
    return out;
}
//# sourceMappingURL=batch.js.map