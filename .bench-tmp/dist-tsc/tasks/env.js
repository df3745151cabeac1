import { paths } from '../commands/paths.js';
/**
 * What every user command (install, migrate, restart, tasks, hooks) sees: deploy.yml `env`, the host's
 * `vars`, and DEPLOY_* facts about this run.
 */
export function commandEnv(config, host, release) {
    const p = paths(config.deployTo);
    return {
        ...config.env,
        ...host.vars,
        DEPLOY_APP: config.app,
        DEPLOY_STAGE: config.stage,
        DEPLOY_HOST: host.name,
        DEPLOY_ADDRESS: host.address,
        DEPLOY_ROLES: host.roles.join(','),
        DEPLOY_TO: p.root,
        DEPLOY_SHARED_PATH: p.shared,
        DEPLOY_CURRENT_PATH: p.current,
        ...(release
            ? { DEPLOY_RELEASE: release.id, DEPLOY_RELEASE_PATH: release.dir, ...(release.revision ? { DEPLOY_REVISION: release.revision } : {}) }
            : {}),
    };
}
/** Roles whose hosts run the app: the balancer's pool, else `web`. */
export function appRoles(config) {
    const pools = Object.values(config.roles).flatMap((r) => (r.balancer ? [r.balancer.pool] : []));
    return pools.length > 0 ? [...new Set(pools)] : ['web'];
}
export const restartRoles = (config) => config.restart?.roles ?? appRoles(config);
export const healthRoles = (config) => config.health?.roles ?? restartRoles(config);
//# sourceMappingURL=env.js.map