/** A key path into deploy.yml: mapping keys and list indexes. */
export type KeyPath = readonly (string | number)[];

const PLAIN_KEY = /^[A-Za-z0-9_-]+$/;

/** `stages.production.hosts[1].roles[0]`; keys that are not plain words are bracketed: `env["A.B"]`. */
export function formatPath(path: KeyPath): string {
  let out = '';
  for (const seg of path) {
    if (typeof seg === 'number') out += `[${seg}]`;
    else if (PLAIN_KEY.test(seg)) out += out === '' ? seg : `.${seg}`;
    else out += `[${JSON.stringify(seg)}]`;
  }
  return out;
}

/** A collision-free map key for a path. */
export const pathKey = (path: KeyPath): string => JSON.stringify(path);

export function valueAt(root: unknown, path: KeyPath): unknown {
  let v = root;
  for (const seg of path) {
    if (v === null || typeof v !== 'object') return undefined;
    v = Object.hasOwn(v, seg) ? (v as Record<string | number, unknown>)[seg] : undefined;
  }
  return v;
}

export const isMapping = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);
