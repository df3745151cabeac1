/** `recipe:` names a shipped recipe, or is a path (with a `/` or a .yml/.yaml ending) relative to deploy.yml. */
export const isRecipePath = (ref) => ref.includes('/') || /\.ya?ml$/.test(ref);
//# sourceMappingURL=recipe-ref.js.map