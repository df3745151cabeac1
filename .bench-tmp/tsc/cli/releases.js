import { releaseHosts } from '../tasks/deploy.js';
import { readHostReleases, rollbackTarget } from '../tasks/rollback.js';
import { onHosts } from '../tasks/runner.js';
import { out } from './common.js';
import { runVerb, stageVerb } from './verbs.js';
export function registerReleases(program) {
    stageVerb(program.command('releases').argument('<stage>', 'the stage').description('list the releases on every host, marking current (*), rollback target (<) and bad (!)')).action((stage, flags) => runVerb(stage, flags, 'releases', async ({ ctx }) => {
        const state = await onHosts(ctx, 'releases', releaseHosts(ctx), (h) => readHostReleases(ctx, 'releases', h));
        if (flags.json) {
            for (const [host, s] of state)
                out(JSON.stringify({ type: 'releases', host, current: s.current, rollbackTarget: rollbackTarget(s), releases: s.releases, bad: s.bad }));
            return;
        }
        for (const [host, s] of state) {
            const target = rollbackTarget(s);
            out(`${host}`);
            if (s.releases.length === 0)
                out('  (no releases)');
            for (const id of [...s.releases].reverse()) {
                const revision = s.log.filter((e) => e.release === id).pop()?.revision.slice(0, 12) ?? '';
                const mark = id === s.current ? '*' : id === target ? '<' : ' ';
                out(`  ${mark} ${id} ${revision}${s.bad.includes(id) ? ' (bad)' : ''}`);
            }
        }
    }, { query: true }));
}
//# sourceMappingURL=releases.js.map