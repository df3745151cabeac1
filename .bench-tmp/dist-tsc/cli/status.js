import { ConnectionError } from '../errors.js';
import { jsonLine, visible } from '../output/visible.js';
import { describeHolder } from '../tasks/lock.js';
import { stageStatus } from '../tasks/status.js';
import { out } from './common.js';
import { runVerb, stageVerb } from './verbs.js';
const rotationText = (s) => (s.rotation === 'n/a' ? '' : s.rotation === 'in' ? 'in' : s.rotation === 'out' ? 'DRAINED' : 'on some balancers only');
function row(cells) {
    const widths = [12, 14, 26, 12, 10];
    return cells.map((c, i) => (i < widths.length ? c.padEnd(widths[i]) : c)).join(' ').trimEnd();
}
export function registerStatus(program) {
    stageVerb(program.command('status').argument('<stage>', 'the stage').description('which release every host serves, its health, mixed releases, leftover locks and bad releases')).action((stage, flags) => runVerb(stage, flags, 'status', async ({ ctx }) => {
        const s = await stageStatus(ctx);
        if (flags.json) {
            out(jsonLine({ type: 'status', stage, hosts: s.hosts, lock: s.lock, mixed: Object.fromEntries([...s.mixed].map(([r, m]) => [r, Object.fromEntries(m)])) }));
        }
        else {
            out(row(['HOST', 'ROLES', 'RELEASE', 'REVISION', 'HEALTH', 'ROTATION']));
            for (const h of s.hosts) {
                if (h.error !== undefined) {
                    out(row([h.host, h.roles.join(','), 'UNREACHABLE', '', '', visible(h.error)]));
                    continue;
                }
                const release = h.current ? `${h.current}${h.dangling ? ' (MISSING)' : ''}` : '-';
                out(`${row([h.host, h.roles.join(','), release, (h.revision ?? '').slice(0, 12), h.health, rotationText(h)])}${h.bad.length ? `  bad: ${h.bad.join(', ')}` : ''}`);
            }
            for (const h of s.hosts.filter((x) => x.dangling))
                out(`warning: ${h.host}: current points to release ${h.current}, which does not exist: the host serves nothing it can restart from`);
            for (const [role, m] of s.mixed)
                out(`warning: role ${role} serves mixed releases: ${[...m].map(([r, hs]) => `${r} on ${hs.join(', ')}`).join('; ')}`);
            if (s.lock.state === 'unknown')
                out(`warning: the lock on ${s.lock.host} could not be read: ${visible(s.lock.error)}`);
            else if (s.lock.state !== 'unlocked')
                out(`warning: ${stage} is locked on ${s.lock.host} by ${describeHolder(s.lock)}`);
        }
        if (s.unreachable.length > 0) {
            throw new ConnectionError(s.unreachable.join(', '), `could not be read; the other hosts are shown above`, 'see the error per host in the table; `deploy check <stage>` tests the connections');
        }
    }, { query: true }));
}
//# sourceMappingURL=status.js.map