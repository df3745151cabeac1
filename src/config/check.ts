import type { Problem } from './issues.js';
import { isMapping, type KeyPath } from './path.js';
import { BUILTIN_ROLES, roleNames } from './roles.js';
import { NAME, normalPath, TASK_NAME } from './sections/primitives.js';
import { didYouMean } from './suggest.js';
import { HOOK_POINTS } from './types.js';

/**
 * Rules that span sections: one source, and names that must refer to roles, tasks and hosts. They read the merged
 * stage as written — shorthands unexpanded, before any schema — so that they still run where a section has an
 * unrelated mistake, and all problems are reported together. Values of the wrong type are the schema's to report
 * and are skipped here. Paths are merged-stage paths.
 */
export function crossCheck(raw: CheckRaw, options: { moreTasks?: boolean } = {}): Problem[] {
  const roles = roleNames(isMapping(raw.roles) ? Object.keys(raw.roles) : []);
  const tasks = isMapping(raw.tasks) ? Object.keys(raw.tasks) : [];
  const hosts = hostFacts(raw);
  return [
    ...checkSource(raw),
    ...checkHosts(hosts, roles),
    // Task modules define tasks only once they are imported; tasks/tasks.ts (taskRegistry) checks those hooks then.
    ...(options.moreTasks ? [] : checkHooks(raw, tasks)),
    ...checkRoleReferences(raw, roles, hosts),
    ...checkEarlyHooks(raw),
    ...checkReuse(raw),
    ...checkBeta(raw, hosts),
  ];
}

/** `beta.hosts` names hosts of the stage. */
function checkBeta(raw: CheckRaw, hosts: readonly HostFacts[]): Problem[] {
  if (!isMapping(raw.beta) || !Array.isArray(raw.beta.hosts) || hosts.length === 0) return [];
  const names = hosts.flatMap((h) => (h.name === undefined ? [] : [h.name]));
  return raw.beta.hosts.flatMap((name, i): Problem[] =>
    typeof name === 'string' && !names.includes(name)
      ? [{ path: ['beta', 'hosts', i], message: `no host of this stage is named \`${name}\`; the stage has ${names.join(', ')}` }]
      : [],
  );
}

type CheckRaw = Readonly<Record<string, unknown>>;

interface HostFacts {
  readonly index: number;
  readonly name?: string;
  readonly endpoint?: string;
  readonly roles: readonly { readonly role: string; readonly index: number }[];
  readonly primary: boolean;
}

const isRoleName = (v: unknown): v is string => typeof v === 'string' && NAME.test(v);
const isTaskName = (v: unknown): v is string => typeof v === 'string' && TASK_NAME.test(v);
const isPort = (v: unknown): v is number => Number.isInteger(v) && (v as number) >= 1 && (v as number) <= 65535;

function hostFacts(raw: CheckRaw): HostFacts[] {
  if (!Array.isArray(raw.hosts)) return [];
  const sshPort = isMapping(raw.ssh) && isPort(raw.ssh.port) ? raw.ssh.port : 22;
  return raw.hosts.flatMap((h, index): HostFacts[] => {
    if (!isMapping(h)) return [];
    const port = h.port === undefined ? sshPort : isPort(h.port) ? h.port : undefined;
    return [
      {
        index,
        name: typeof h.name === 'string' ? h.name : undefined,
        endpoint: typeof h.address === 'string' && port !== undefined ? `${h.address}:${port}` : undefined,
        roles: (Array.isArray(h.roles) ? h.roles : []).flatMap((role, i) => (isRoleName(role) ? [{ role, index: i }] : [])),
        primary: h.primary === true,
      },
    ];
  });
}

function checkSource(raw: CheckRaw): Problem[] {
  const has = (k: string) => raw[k] !== undefined;
  const problems: Problem[] = [];
  if (has('repository') && has('artifact')) {
    problems.push({
      path: ['artifact'],
      at: 'key',
      message: 'both `repository` and `artifact` are set; deploy from one source: remove one of them',
    });
  } else if (!has('repository') && !has('artifact')) {
    problems.push({ path: [], message: 'no source to deploy: set `repository` (git) or `artifact` (a local build)' });
  }
  if (has('branch') && has('revision')) {
    problems.push({ path: ['revision'], at: 'key', message: 'both `branch` and `revision` are set; set only one' });
  }
  if (has('artifact') && !has('repository')) {
    for (const k of ['branch', 'revision'].filter(has)) {
      problems.push({
        path: [k],
        at: 'key',
        message: `\`${k}\` applies only to \`repository\`, but this stage deploys an \`artifact\``,
      });
    }
  }
  return problems;
}

function unknownRole(path: KeyPath, role: string, roles: readonly string[]): Problem {
  return {
    path,
    message: `unknown role \`${role}\`${didYouMean(role, roles)}; ` + `roles: ${roles.join(', ')} (declare others under \`roles\`)`,
  };
}

function checkHosts(hosts: readonly HostFacts[], roles: readonly string[]): Problem[] {
  const problems: Problem[] = [];
  const names = new Set<string>();
  const endpoints = new Map<string, string>();
  const primaries = new Map<string, string>();
  for (const host of hosts) {
    const at = (...rest: KeyPath): KeyPath => ['hosts', host.index, ...rest];
    for (const { role, index } of host.roles) {
      if (!roles.includes(role)) problems.push(unknownRole(at('roles', index), role, roles));
    }
    if (host.name !== undefined) {
      if (names.has(host.name)) {
        problems.push({
          path: at('name'),
          message: `duplicate host name \`${host.name}\`; host names must be unique within a stage`,
        });
      }
      names.add(host.name);
    }
    if (host.endpoint !== undefined) {
      const first = endpoints.get(host.endpoint);
      if (first !== undefined) {
        problems.push({
          path: at('address'),
          message: `${host.endpoint} is also host \`${first}\`; hosts may share an address only with different ports`,
        });
      } else endpoints.set(host.endpoint, host.name ?? `hosts[${host.index}]`);
    }
    if (host.primary) {
      for (const { role } of host.roles) {
        const first = primaries.get(role);
        if (first !== undefined) {
          problems.push({
            path: at('primary'),
            message: `\`${first}\` is already the primary host of role \`${role}\`; a role has at most one primary host`,
          });
        } else primaries.set(role, host.name ?? `hosts[${host.index}]`);
      }
    }
  }
  return problems;
}

function checkHooks(raw: CheckRaw, tasks: readonly string[]): Problem[] {
  if (!isMapping(raw.hooks)) return [];
  const problems: Problem[] = [];
  for (const when of ['before', 'after'] as const) {
    const points = raw.hooks[when];
    if (!isMapping(points)) continue;
    for (const point of HOOK_POINTS) {
      const value = points[point];
      // `before: { migrate: backup_db }` names one task: its path has no index.
      const path: KeyPath = ['hooks', when, point];
      const names = typeof value === 'string' ? [{ name: value, path }] : listed(value, path);
      for (const { name, path } of names) {
        if (isTaskName(name) && !tasks.includes(name)) {
          problems.push({
            path,
            message: `unknown task \`${name}\`${didYouMean(name, tasks)}; define it under \`tasks\``,
          });
        }
      }
    }
  }
  return problems;
}

/** The string items of a list, with their paths. */
function listed(value: unknown, path: KeyPath): { name: string; path: KeyPath }[] {
  if (!Array.isArray(value)) return [];
  return value.flatMap((name, i) => (typeof name === 'string' ? [{ name, path: [...path, i] }] : []));
}

function checkRoleReferences(raw: CheckRaw, roles: readonly string[], hosts: readonly HostFacts[]): Problem[] {
  const problems: Problem[] = [];
  const mustExist = (items: { name: string; path: KeyPath }[]) => {
    for (const { name, path } of items) {
      if (isRoleName(name) && !roles.includes(name)) problems.push(unknownRole(path, name, roles));
    }
  };

  if (isMapping(raw.tasks)) {
    for (const [name, task] of Object.entries(raw.tasks)) {
      if (isMapping(task)) mustExist(listed(task.roles, ['tasks', name, 'roles']));
    }
  }
  for (const step of ['restart', 'health'] as const) {
    const value = raw[step];
    if (isMapping(value)) mustExist(listed(value.roles, [step, 'roles']));
  }

  if (typeof raw.migrate === 'string' || isMapping(raw.migrate)) {
    const written = isMapping(raw.migrate) ? raw.migrate.role : undefined;
    const role = written ?? 'db';
    const path: KeyPath = written === undefined ? ['migrate'] : ['migrate', 'role'];
    if (isRoleName(role)) {
      if (!roles.includes(role)) problems.push(unknownRole(path, role, roles));
      else if (hosts.length > 0 && !hosts.some((h) => h.roles.some((r) => r.role === role))) {
        problems.push({
          path,
          message: `no host of this stage has role \`${role}\`, which runs the migration; give a host that role or set \`migrate.role\``,
        });
      }
    }
  }

  if (isMapping(raw.roles)) {
    for (const [name, role] of Object.entries(raw.roles)) {
      const pool = isMapping(role) && isMapping(role.balancer) ? role.balancer.pool : undefined;
      if (typeof pool !== 'string') continue;
      const path: KeyPath = ['roles', name, 'balancer', 'pool'];
      if (pool === name) {
        problems.push({
          path,
          message: `role \`${name}\` cannot balance its own hosts; set \`pool\` to the role behind it`,
        });
      } else mustExist([{ name: pool, path }]);
    }
  }

  const seen = new Set<string>();
  for (const { name, path } of listed(raw.rollout, ['rollout'])) {
    if (!isRoleName(name)) continue;
    if (!roles.includes(name)) problems.push(unknownRole(path, name, roles));
    else if (seen.has(name)) problems.push({ path, message: `role \`${name}\` is listed twice` });
    seen.add(name);
  }
  return problems;
}

/** Whether hosts of `role` get releases (see config/roles.ts resolveRoles), from the roles as written. */
function roleHasCode(raw: CheckRaw, role: string): boolean {
  const declared = isMapping(raw.roles) ? raw.roles[role] : undefined;
  if (isMapping(declared) && typeof declared.code === 'boolean') return declared.code;
  const builtin = BUILTIN_ROLES[role];
  if (builtin) return builtin.code;
  return !(isMapping(declared) && declared.balancer !== undefined);
}

/**
 * Before `deploy` the new release does not exist yet: a task that would run in it on a host with code fails there,
 * after the lock is taken, every time.
 */
function checkEarlyHooks(raw: CheckRaw): Problem[] {
  if (!isMapping(raw.hooks) || !isMapping(raw.hooks.before) || !isMapping(raw.tasks)) return [];
  const value = raw.hooks.before.deploy;
  const path: KeyPath = ['hooks', 'before', 'deploy'];
  const names = typeof value === 'string' ? [{ name: value, path }] : listed(value, path);
  const problems: Problem[] = [];
  for (const { name, path } of names) {
    const task = raw.tasks[name];
    if (task === undefined) continue;
    const cwd = isMapping(task) ? (task.cwd ?? 'release') : 'release';
    const roles = isMapping(task) && Array.isArray(task.roles) ? task.roles.filter(isRoleName) : [];
    const onCode = roles.length === 0 || roles.some((r) => roleHasCode(raw, r));
    if (cwd === 'release' && onCode) {
      problems.push({
        path,
        message:
          `task \`${name}\` runs in the new release (\`cwd: release\`, the default), which does not exist yet ` +
          'before `deploy`; give the task `cwd: current` or an absolute path, or hook it before `transfer`',
      });
    }
  }
  return problems;
}

/** A shared directory is one and the same in every release: copying it from the previous one copies it into itself. */
function checkReuse(raw: CheckRaw): Problem[] {
  if (!isMapping(raw.install) || !isMapping(raw.shared)) return [];
  const shared = [
    ...(Array.isArray(raw.shared.dirs) ? raw.shared.dirs : []),
    ...(Array.isArray(raw.shared.files) ? raw.shared.files.map((f) => (isMapping(f) ? f.path : f)) : []),
  ].flatMap((p) => (typeof p === 'string' ? [normalPath(p)] : []));
  return listed(raw.install.reuse, ['install', 'reuse']).flatMap(({ name, path }) => {
    const dir = normalPath(name);
    const overlap = shared.find((s) => s === dir || dir.startsWith(`${s}/`) || s.startsWith(`${dir}/`));
    return overlap === undefined || dir === ''
      ? []
      : [
          {
            path,
            message: `\`${dir}\` is shared (\`${overlap}\` in \`shared\`), so every release has it already; remove it from \`install.reuse\``,
          },
        ];
  });
}
