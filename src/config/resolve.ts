import { isSensitive } from '../shell/sensitive.js';
import { resolveRoles } from './roles.js';
import type { StageSections } from './sections/settings.js';
import type { Config, Source } from './types.js';

/** What the loader knows besides the sections: the recipe and task modules in play. */
export interface ConfigExtras {
  readonly recipeFile?: string;
  readonly modules?: readonly string[];
  /** Task name → the recipe file that defines it. */
  readonly taskSources?: Readonly<Record<string, string>>;
}

/** The Config of one stage from its validated sections: the defaults that depend on other keys are set here. */
export function buildConfig(file: string, stage: string, s: StageSections, extras: ConfigExtras = {}): Config {
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
    watch: s.watch ? { duration: s.watch.duration, maxErrorRate: s.watch.max_error_rate, health: s.watch.health } : undefined,
    beta: s.beta && {
      mark: s.beta.cookie !== undefined ? { kind: 'cookie', name: s.beta.cookie } : { kind: 'header', name: s.beta.header! },
      hosts: s.hosts.filter((h) => h.beta === true || s.beta!.hosts.includes(h.name)).map((h) => h.name),
      backend: s.beta.backend,
      upstreamFile: s.beta.upstream_file,
      upstreamName: s.beta.upstream_name,
    },
  });
}

function sourceOf(s: StageSections): Source {
  if (s.repository) {
    const ref = s.revision ? { revision: s.revision } : { branch: s.branch ?? 'main' };
    return { kind: 'git', repository: s.repository, ...ref };
  }
  if (s.artifact) return { kind: 'artifact', ...s.artifact };
  throw new Error('unreachable: crossCheck requires `repository` or `artifact`');
}

/** Drops keys whose value is `undefined` (absent, not "set to undefined") and freezes everything, deeply. */
function finalize<T>(value: T): T {
  if (Array.isArray(value)) return Object.freeze(value.map(finalize)) as T;
  if (value === null || typeof value !== 'object' || isSensitive(value)) return value;
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(value)) {
    const v = (value as Record<string, unknown>)[k];
    if (v !== undefined) out[k] = finalize(v);
  }
  return Object.freeze(out) as T;
}
