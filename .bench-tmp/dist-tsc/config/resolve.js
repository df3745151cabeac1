import { isSensitive } from '../shell/sensitive.js';
import { resolveRoles } from './roles.js';
/** The Config of one stage from its validated sections: the defaults that depend on other keys are set here. */
export function buildConfig(file, stage, s, extras = {}) {
    const sources = extras.taskSources ?? {};
    return finalize({
        file,
        stage,
        app: s.app,
        deployTo: (s.deploy_to ?? `/srv/${s.app}`).replace(/(.)\/+$/, '$1'),
        keepReleases: s.keep_releases,
        recipe: s.recipe,
        recipeFile: extras.recipeFile,
        modules: extras.modules?.length ? extras.modules : undefined,
        source: sourceOf(s),
        shared: s.shared,
        env: s.env,
        ssh: s.ssh,
        install: s.install,
        migrate: s.migrate,
        restart: s.restart,
        health: s.health,
        hooks: s.hooks,
        tasks: Object.fromEntries(Object.entries(s.tasks).map(([name, t]) => [name, sources[name] ? { ...t, source: sources[name] } : t])),
        roles: resolveRoles(s.roles, s.app, s.health),
        rollout: s.rollout,
        hosts: s.hosts,
        lock: s.lock,
    });
}
function sourceOf(s) {
    if (s.repository) {
        const ref = s.revision ? { revision: s.revision } : { branch: s.branch ?? 'main' };
        return { kind: 'git', repository: s.repository, ...ref };
    }
    if (s.artifact)
        return { kind: 'artifact', ...s.artifact };
    throw new Error('unreachable: crossCheck requires `repository` or `artifact`');
}
/** Drops keys whose value is `undefined` (absent, not "set to undefined") and freezes everything, deeply. */
function finalize(value) {
    if (Array.isArray(value))
        return Object.freeze(value.map(finalize));
    if (value === null || typeof value !== 'object' || isSensitive(value))
        return value;
    const entries = Object.entries(value).filter(([, v]) => v !== undefined);
    return Object.freeze(Object.fromEntries(entries.map(([k, v]) => [k, finalize(v)])));
}
//# sourceMappingURL=resolve.js.map