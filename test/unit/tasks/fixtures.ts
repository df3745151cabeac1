import { join } from 'node:path';
import { expect } from 'vitest';
import { type DeployError, ExitCode, NotPromotableError } from '../../../src/errors.js';
import { loadConfig } from '../../../src/config/load.js';
import type { Config } from '../../../src/config/types.js';
import type { SshTarget } from '../../../src/backends/backend.js';
import { OfflineBackend } from '../../../src/backends/offline.js';
import type { DeployEvent } from '../../../src/output/events.js';
import type { RunContext } from '../../../src/tasks/context.js';

export const example = join(import.meta.dirname, '..', '..', '..', 'deploy.example.yml');

export function config(stage = 'staging'): Config {
  return loadConfig({ file: example, stage, env: {} });
}

/** A context that touches nothing (plan mode), collecting events. */
/** SSH targets for every host of a config, as the CLI would make them (nothing connects in unit tests). */
export function testTargets(c: Config): Map<string, SshTarget> {
  const target = (h: Config['hosts'][number]): SshTarget => ({
    name: h.name,
    address: h.address,
    port: 22,
    user: 'deploy',
    identityFiles: [],
    knownHosts: [],
    strictHostKeys: true,
    forwardAgent: false,
    connectTimeoutMs: 1000,
    keepaliveIntervalMs: 1000,
  });
  return new Map(c.hosts.map((h) => [h.name, target(h)]));
}

export function planContext(c: Config = config()): { ctx: RunContext; events: DeployEvent[] } {
  const events: DeployEvent[] = [];
  const ctx: RunContext = {
    config: c,
    backend: new OfflineBackend(),
    targets: testTargets(c),
    emit: (e) => events.push(e),
    mode: 'plan',
    hosts: c.hosts,
    local: { run: () => Promise.resolve({ code: 0, stdout: '', stderr: '', durationMs: 0 }) },
    projectDir: '/nonexistent',
  };
  return { ctx, events };
}

/** The message of the `type` error with `exitCode` that `f` throws; fails the test when it throws none. */
export function refusal(f: () => unknown, type: new (...args: never[]) => DeployError, exitCode: ExitCode): string {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(type);
    expect((e as DeployError).exitCode).toBe(exitCode);
    return (e as Error).message;
  }
  throw new Error('not refused');
}

/** The message of the NotPromotableError (exit 7) that `f` throws. */
export const notPromotable = (f: () => unknown): string => refusal(f, NotPromotableError, ExitCode.notPromotable);
