import { isMapping, pathKey, type KeyPath } from './path.js';

/** Keys that only a stage has: a problem with them always belongs to the stage. */
const STAGE_ONLY = ['hosts'];

export interface MergedStage {
  readonly value: Record<string, unknown>;
  /** Where a path of the merged value was written in deploy.yml: at the top level or in the stage. */
  filePath(path: KeyPath): KeyPath;
}

/**
 * A stage's overrides over the top level: mappings merge key by key, anything else (lists, values) replaces,
 * and `null` (`~` or an empty value) removes what the top level set. A `null` at the top level means unset.
 * A mapping with a different `kind` replaces rather than merges.
 */
export function mergeStage(
  base: Record<string, unknown>,
  overrides: Record<string, unknown>,
  stage: string,
  options: { keepNulls?: boolean } = {},
): MergedStage {
  const fromStage = new Set<string>(STAGE_ONLY.map((k) => pathKey([k])));
  // A recipe goes under the result: there a `~` must still remove what the recipe sets (config/recipe.ts).
  const clean = options.keepNulls ? (v: unknown) => v : dropNulls;

  function merge(b: Record<string, unknown>, o: Record<string, unknown>, path: KeyPath): Record<string, unknown> {
    const out = { ...(clean(b) as Record<string, unknown>) };
    for (const [k, v] of Object.entries(o)) {
      const p = [...path, k];
      const current = out[k];
      if (isMapping(v) && isMapping(current) && sameKind(v, current)) {
        out[k] = merge(current, v, p);
        continue;
      }
      fromStage.add(pathKey(p));
      if (v === null && !options.keepNulls) delete out[k];
      else out[k] = clean(v);
    }
    return out;
  }

  const value = merge(base, overrides, []);
  return {
    value,
    filePath(path) {
      for (let n = path.length; n > 0; n--) {
        if (fromStage.has(pathKey(path.slice(0, n)))) return ['stages', stage, ...path];
      }
      return path;
    },
  };
}

/** A mapping of another `kind` (a haproxy balancer over an nginx one) replaces instead of merging. */
const sameKind = (a: Record<string, unknown>, b: Record<string, unknown>) =>
  a.kind === undefined || b.kind === undefined || a.kind === b.kind;

export function dropNulls(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(dropNulls);
  if (!isMapping(v)) return v;
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(v)) if (v[k] !== null) out[k] = dropNulls(v[k]);
  return out;
}
