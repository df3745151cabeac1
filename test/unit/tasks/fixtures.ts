import { join } from 'node:path';
import { loadConfig } from '../../../src/config/load.js';
import type { Config } from '../../../src/config/types.js';
import { OfflineBackend } from '../../../src/backends/offline.js';
import type { DeployEvent } from '../../../src/output/events.js';
import type { RunContext } from '../../../src/tasks/context.js';

export const example = join(import.meta.dirname, '..', '..', '..', 'deploy.example.yml');

export function config(stage = 'staging'): Config {
  return loadConfig({ file: example, stage, env: {} });
}

/** A context that touches nothing (plan mode), collecting events. */
export function planContext(c: Config = config()): { ctx: RunContext; events: DeployEvent[] } {
  const events: DeployEvent[] = [];
  const ctx: RunContext = {
    config: c,
    backend: new OfflineBackend(),
    targets: new Map(
      c.hosts.map((h) => [
        h.name,
        {
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
        },
      ]),
    ),
    emit: (e) => events.push(e),
    mode: 'plan',
    hosts: c.hosts,
    local: { run: () => Promise.resolve({ code: 0, stdout: '', stderr: '', durationMs: 0 }) },
    projectDir: '/nonexistent',
  };
  return { ctx, events };
}
