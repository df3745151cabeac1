import { Option } from 'commander';
import { ConnectionError, DeployError, ExitCode, LockHeldError } from '../errors.js';
import { jsonLine, visible } from '../output/visible.js';
import { acquireLocks, describeHolder, readLocks, unlock, whoami } from '../tasks/lock.js';
import { out, parseSeconds, withConfig } from './common.js';
import { withOutput } from './deploy.js';
import { runVerb } from './verbs.js';
const ACTIONS = ['status', 'acquire', 'release'];
export function registerLock(program) {
    withConfig(withOutput(program
        .command('lock')
        .argument('<stage>', 'the stage')
        .argument('[action]', `${ACTIONS.join(' | ')}`, 'status')
        .description('show, take or release the deploy lock (on every host of the stage; the primary host of the first rollout role names it)')
        .option('-m, --message <text>', 'why (acquire)', '')
        .addOption(new Option('--lock-wait <seconds>', 'wait this long for a held lock (acquire)').argParser(parseSeconds).default(0))
        .option('--force', 'release: remove the lock whoever holds it (only when that run is dead)'))).action((stage, action, flags) => lockAction(stage, action, flags));
    withConfig(withOutput(program
        .command('unlock')
        .argument('<stage>', 'the stage')
        .description('release the deploy lock (same as `deploy lock <stage> release`): one taken by hand or left by a dead run of this machine, or expired; --force: whoever holds it')
        .option('--force', 'remove the lock whoever holds it (only when that run is dead)'))).action((stage, flags) => lockAction(stage, 'release', flags));
}
function describeLock(l) {
    if (l.state === 'unknown')
        return `cannot read the lock: ${visible(l.error)}`;
    return l.state === 'unlocked' ? 'unlocked' : `locked by ${describeHolder(l)}`;
}
async function lockAction(stage, action, flags) {
    if (!ACTIONS.includes(action)) {
        throw new DeployError(`unknown lock action "${action}"; use one of: ${ACTIONS.join(', ')}`, ExitCode.config);
    }
    await runVerb(stage, flags, `lock ${action}`, async ({ ctx, run }) => {
        if (action === 'status') {
            const locks = await readLocks(ctx);
            const [first] = locks;
            if (flags.json)
                out(jsonLine({ type: 'lock', ...first, hosts: locks }));
            else if (locks.every((l) => l.state === 'unlocked'))
                out(`${stage}: unlocked (lock host ${first.host})`);
            else {
                const held = (l) => (l.state === 'locked' || l.state === 'malformed' ? l.token : undefined);
                out(`${stage}: ${first.state === 'unlocked' ? `unlocked on ${first.host}` : `${describeLock(first).replace(/^locked/, `locked on ${first.host}`)}`}`);
                for (const l of locks.slice(1))
                    if (l.state !== 'unlocked' && (held(l) === undefined || held(l) !== held(first)))
                        out(`  ${l.host}: ${describeLock(l)}`);
            }
            const unread = locks.filter((l) => l.state === 'unknown').map((l) => l.host);
            if (unread.length > 0)
                throw new ConnectionError(unread.join(', '), 'the lock could not be read');
        }
        else if (action === 'acquire') {
            const lock = await acquireLocks(ctx, { run, owner: whoami(), message: flags.message || 'held by hand', verb: 'lock', waitSeconds: flags.lockWait ?? 0, manual: true });
            out(`${stage}: locked on ${lock.hosts.map((h) => h.name).join(', ')}; release it with: deploy unlock ${stage}`);
        }
        else {
            const r = await unlock(ctx, { force: flags.force === true });
            for (const line of r.done)
                out(line);
            if (r.done.length === 0)
                out(`${stage}: unlocked`);
            if (r.failed.length > 0)
                throw new ConnectionError(r.failed.join(', '), 'the lock could not be released there');
            if (r.refused.length > 0) {
                throw new LockHeldError(`the lock on ${r.refused.join(', ')} is held by another run: nothing was changed there`, `if that run is dead: \`deploy unlock ${stage}\` on the machine that ran it, or \`deploy unlock ${stage} --force\``);
            }
        }
    }, { query: true });
}
//# sourceMappingURL=lock.js.map