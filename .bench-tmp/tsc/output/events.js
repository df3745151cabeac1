/** A sink that is still loading: events, pauses and resumes wait for it in order; close waits for it too. */
export function deferredSink(loading) {
    let real;
    const waiting = [];
    const ready = loading.then((s) => {
        real = s;
        for (const f of waiting.splice(0))
            f(s);
        return s;
    });
    const via = (f) => (real ? f(real) : void waiting.push(f));
    const sink = (e) => via((s) => s(e));
    sink.pause = () => via((s) => s.pause?.());
    sink.resume = () => via((s) => s.resume?.());
    sink.close = async () => {
        await (await ready).close?.();
    };
    return sink;
}
export function fanOut(...sinks) {
    const sink = (e) => sinks.forEach((s) => s(e));
    sink.close = async () => {
        for (const s of sinks)
            await s.close?.();
    };
    return sink;
}
//# sourceMappingURL=events.js.map