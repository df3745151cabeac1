export function fanOut(...sinks) {
    const sink = (e) => sinks.forEach((s) => s(e));
    sink.close = async () => {
        for (const s of sinks)
            await s.close?.();
    };
    return sink;
}
//# sourceMappingURL=events.js.map