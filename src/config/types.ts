import type { Sensitive } from '../shell/sensitive.js';

/**
 * The resolved configuration of one stage: defaults applied, the stage's overrides merged, `${VAR}`s
 * interpolated. Produced once by config/load.ts from deploy.yml (snake_case keys there, camelCase here),
 * deeply frozen, and passed explicitly to everything else.
 */
export interface Config {
  /** Absolute path of the deploy.yml it came from. */
  readonly file: string;
  readonly stage: string;
  readonly app: string;
  readonly deployTo: string;
  readonly keepReleases: number;
  /** `recipe:` as written: a shipped recipe's name or a path. */
  readonly recipe?: string;
  /** Absolute path of the recipe file merged under this config. */
  readonly recipeFile?: string;
  /** Task modules: absolute paths of files, or package names (see config/recipe.ts taskModules). */
  readonly modules?: readonly string[];
  readonly source: Source;
  readonly shared: SharedConfig;
  readonly env: Readonly<Record<string, string | Sensitive>>;
  readonly ssh: SshConfig;
  readonly install?: InstallStep;
  readonly migrate?: MigrateStep;
  readonly restart?: RestartStep;
  readonly health?: HealthCheck;
  readonly hooks: Hooks;
  readonly tasks: Readonly<Record<string, TaskDef>>;
  readonly roles: Readonly<Record<string, RoleDef>>;
  /** Role names in switch order; roles not listed switch last, in the order they appear in `roles`. */
  readonly rollout: readonly string[];
  readonly hosts: readonly HostDef[];
  readonly lock: LockConfig;
  /** Watching the fleet after the last batch, with the lock held (`watch:`). */
  readonly watch?: WatchDef;
  /** Selective beta (`deploy beta`); absent when deploy.yml has no `beta` section. */
  readonly beta?: BetaConfig;
}

export interface BetaConfig {
  /** What a request carries to reach the beta hosts: a cookie or a header, with a non-empty value. */
  readonly mark: { readonly kind: 'cookie' | 'header'; readonly name: string };
  /** `beta.hosts` and the hosts with `beta: true`, in inventory order. */
  readonly hosts: readonly string[];
  /** haproxy backend of the beta; default: the balancer's backend + `_beta`. */
  readonly backend?: string;
  /** nginx include file (map + beta upstream) this tool owns. */
  readonly upstreamFile?: string;
  /** nginx beta upstream name; default: the balancer's upstream name + `_beta`. */
  readonly upstreamName?: string;
}

export interface WatchDef {
  /** Seconds the fleet is watched for. */
  readonly duration: number;
  /** Highest share (0–1) of the fleet's requests that may fail, from the balancers' counters. */
  readonly maxErrorRate: number;
  /** Whether every app host's health check is asked on each reading. */
  readonly health: boolean;
}

export type Source = GitSource | ArtifactSource;

export interface GitSource {
  readonly kind: 'git';
  readonly repository: string;
  /** Exactly one of branch / revision is set (branch defaults to `main`). */
  readonly branch?: string;
  readonly revision?: string;
}

export interface ArtifactSource {
  readonly kind: 'artifact';
  /** Local shell command that produces `path`; run once per deploy, in the project directory. */
  readonly build?: string;
  /** Directory (packed as tar.gz) or an existing .tar.gz, relative to the project directory. */
  readonly path: string;
}

export interface SharedConfig {
  readonly dirs: readonly string[];
  readonly files: readonly SharedFile[];
}

export interface SharedFile {
  readonly path: string;
  readonly optional: boolean;
}

export interface SshConfig {
  readonly user: string;
  readonly port: number;
  readonly identityFile?: string;
  readonly knownHosts?: string;
  /** Accept hosts absent from known_hosts for the run (never a changed or revoked key); off unless deploy.yml says so. */
  readonly acceptNewHostKeys: boolean;
  /** `[user@]host[:port]`, or a host name of this stage's inventory. */
  readonly jump?: string;
  readonly forwardAgent: boolean;
  /** Seconds. */
  readonly connectTimeout: number;
  /** Seconds; one remote command may run this long. */
  readonly commandTimeout: number;
  /** Hosts worked on at once. */
  readonly parallel: number;
  /** Honour ~/.ssh/config (or this file) for aliases, HostName, User, Port, IdentityFile, ProxyJump. */
  readonly configFile?: string;
}

export interface InstallStep {
  readonly command: string;
  /** When this file's hash equals the previous release's, `reuse` dirs are hard-link copied instead. */
  readonly lockfile?: string;
  readonly reuse: readonly string[];
  /** Start from copies of the previous release's `reuse` dirs and always run `command` to reconcile them. */
  readonly reconcile: boolean;
}

export interface MigrateStep {
  readonly command: string;
  /** Runs once, on this role's primary host. */
  readonly role: string;
}

export interface RestartStep {
  readonly command: string;
  /** Stops the app; run only when a first deploy fails on a host (no earlier release to go back to). */
  readonly stop?: string;
  /** Roles whose hosts restart after their switch (default: the balancer pool role, else `web`). */
  readonly roles?: readonly string[];
}

export interface HealthCheck {
  readonly path: string;
  readonly port: number;
  readonly status: number;
  /** Optional text the response body must contain. */
  readonly contains?: string;
  /** Seconds per attempt. */
  readonly timeout: number;
  readonly retries: number;
  /** Seconds between attempts. */
  readonly interval: number;
  /** Roles whose hosts are checked after their restart (default: like restart). */
  readonly roles?: readonly string[];
  /** Follow redirects (curl -L, bounded) and judge the last answer. */
  readonly followRedirects: boolean;
  /** The app's log, relative to the release: its tail is shown when the check fails. */
  readonly log?: string;
}

/** Lifecycle points a hook can attach to (before/after; the events only after). */
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
  'rolled_back',
  'failed',
  'purge',
] as const;
export type HookPoint = (typeof HOOK_POINTS)[number];

/** Points that are outcomes, not steps: tasks run only after them. */
export const EVENT_POINTS = ['rolled_back', 'failed', 'purge'] as const satisfies readonly HookPoint[];
export const isEventPoint = (p: string): boolean => (EVENT_POINTS as readonly string[]).includes(p);

export type HookScope = 'run' | 'batch';

/** Each point's one scope and when it fires (the README's table says the same for users). */
export const HOOK_SCOPES: Readonly<Record<HookPoint, { readonly scope: HookScope; readonly verbs: string; readonly when: string }>> = {
  deploy: {
    scope: 'run',
    verbs: 'deploy',
    when: 'around the deploy, once its lock is held and its release dir made, to the end of the clean-up',
  },
  transfer: { scope: 'run', verbs: 'deploy', when: 'around the upload of the code to every code host' },
  shared: { scope: 'run', verbs: 'deploy', when: 'around linking the shared paths' },
  install: { scope: 'run', verbs: 'deploy', when: 'around installing dependencies' },
  migrate: { scope: 'run', verbs: 'deploy', when: 'around the migrations' },
  switch: { scope: 'run', verbs: 'deploy, rollback', when: 'around the whole rollout, every tier and batch' },
  restart: {
    scope: 'batch',
    verbs: 'deploy, rollback',
    when: "around each batch's switch, restart and health check, on that batch's hosts",
  },
  cleanup: { scope: 'run', verbs: 'deploy', when: 'around removing old releases' },
  rollback: { scope: 'run', verbs: 'rollback', when: 'around the rollback, once its lock is held and its target chosen' },
  rolled_back: { scope: 'run', verbs: 'rollback, deploy', when: 'after a rollback, and after a failed deploy switched hosts back' },
  failed: {
    scope: 'run',
    verbs: 'deploy, rollback',
    when: 'after a deploy or rollback failed, whatever the failure, once the lock is released',
  },
  purge: {
    scope: 'run',
    verbs: 'deploy, rollback, sync',
    when: 'after hosts changed what they serve (a switch, a rollback, a switch-back), for cache and CDN invalidation; DEPLOY_PURGE_MANIFEST names a file listing the assets that changed',
  },
};

export interface Hooks {
  readonly before: Readonly<Partial<Record<HookPoint, readonly string[]>>>;
  readonly after: Readonly<Partial<Record<HookPoint, readonly string[]>>>;
}

export interface TaskDef {
  readonly description?: string;
  /** Shell snippet, run as written (it is the user's own script). */
  readonly run: string;
  /** Empty: every host of the stage. */
  readonly roles: readonly string[];
  /** Run on one host only: the primary host of the first listed role. */
  readonly once: boolean;
  /** `release` (the new release dir; default), `current`, or an absolute path. */
  readonly cwd: string;
  /** A failure is a warning and the run goes on. */
  readonly allowFailure?: boolean;
  /** Absolute path of the recipe that defines the task; absent when deploy.yml does. */
  readonly source?: string;
}

export type BatchSize = number | `${number}%`;

export interface RoleDef {
  /** Whether hosts of this role receive the code and get releases. */
  readonly code: boolean;
  readonly batch: BatchSize;
  /** Seconds to wait between batches. */
  readonly pause: number;
  readonly balancer?: BalancerDef;
  /** A canary by share of traffic for this role's first batch. */
  readonly canary?: CanaryDef;
}

export interface CanaryDef {
  /** Share of requests (0–1, exclusive) the canary batch gets while it is judged. */
  readonly traffic: number;
  /** Seconds it is judged for. */
  readonly duration: number;
  /** Highest share (0–1) of the canary's requests that may fail. */
  readonly maxErrorRate: number;
  /** Highest p95 response time in ms (haproxy: its average); absent: not judged. */
  readonly maxP95Ms?: number;
}

export type BalancerDef = NginxBalancer | HaproxyBalancer;

interface BalancerBase {
  /** The role whose hosts form the pool behind this balancer (default `web`). */
  readonly pool: string;
  /** The port the pool's hosts serve on. */
  readonly port: number;
  /** Seconds to wait for in-flight requests of a drained host. */
  readonly drainTimeout: number;
}

export interface NginxBalancer extends BalancerBase {
  readonly kind: 'nginx';
  /** Include file holding the `upstream` block; owned by this tool. */
  readonly upstreamFile: string;
  readonly upstreamName: string;
  /** Shell snippet that validates and reloads nginx. */
  readonly reload: string;
  /** Access log in the `deploy_upstream` format (docs/traffic.md), read by a traffic canary. */
  readonly accessLog?: string;
}

export interface HaproxyBalancer extends BalancerBase {
  readonly kind: 'haproxy';
  readonly adminSocket: string;
  readonly backend: string;
}

export interface HostDef {
  readonly name: string;
  readonly address: string;
  readonly port?: number;
  readonly user?: string;
  readonly roles: readonly string[];
  /** Exported to every command on this host as environment variables. */
  readonly vars: Readonly<Record<string, string>>;
  readonly primary: boolean;
  /** Serves the selective beta (`deploy beta`). */
  readonly beta?: boolean;
}

export interface LockConfig {
  /** Seconds after which an unrenewed lock counts as expired. */
  readonly ttl: number;
}
