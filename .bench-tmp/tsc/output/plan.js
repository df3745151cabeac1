/**
 * Collects the commands of a plan or dry run and prints them per host and per step, in the order they would
 * run. Reads are marked `?` (probes), writes `$`.
 */
export class PlanCollector {
    #byHost = new Map();
    #notes = [];
    sink = (e) => {
        if (e.type === 'command') {
            const steps = this.#byHost.get(e.host) ?? [];
            this.#byHost.set(e.host, steps);
            let last = steps[steps.length - 1];
            if (!last || last.step !== e.step)
                steps.push((last = { step: e.step, lines: [] }));
            last.lines.push(`${e.effect === 'read' ? '?' : '$'} ${e.command}`);
        }
        else if (e.type === 'info' || e.type === 'warning') {
            this.#notes.push(`${e.type === 'warning' ? 'warning: ' : ''}${e.host ? `${e.host}: ` : ''}${e.message}`);
        }
    };
    render(header, hosts) {
        const out = [header, ''];
        for (const note of this.#notes)
            out.push(`# ${note}`);
        if (this.#notes.length)
            out.push('');
        const known = new Map(hosts.map((h) => [h.name, h]));
        for (const [name, steps] of this.#byHost) {
            const h = known.get(name);
            out.push(h ? `${name} (${h.address}; ${h.roles.join(', ')})` : name);
            for (const s of steps) {
                out.push(`  ${s.step}`);
                for (const line of s.lines)
                    out.push(`    ${line.replace(/\n/g, '\n      ')}`);
            }
            out.push('');
        }
        return out.join('\n');
    }
}
//# sourceMappingURL=plan.js.map