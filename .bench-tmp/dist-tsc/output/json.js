/** NDJSON: one event per line, each with an ISO `time`; the last line is the `run:end` summary. */
export function jsonRenderer(write, now = () => new Date()) {
    return (e) => write(JSON.stringify({ time: now().toISOString(), ...e }));
}
//# sourceMappingURL=json.js.map