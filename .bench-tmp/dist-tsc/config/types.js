/** Lifecycle points a hook can attach to (before/after). */
export const HOOK_POINTS = [
    'deploy',
    'transfer',
    'shared',
    'install',
    'migrate',
    'switch',
    'restart',
    'cleanup',
    'rollback',
];
//# sourceMappingURL=types.js.map