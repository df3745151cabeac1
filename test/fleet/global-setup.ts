import { existsSync } from 'node:fs';
import type { TestProject } from 'vitest/node';
import { fleetDown, fleetIsRunning, fleetUp, killFleetSync, readFleet, resolveOptions } from './fleet.js';
import { planHosts, type ResolvedOptions } from './plan.js';

declare module 'vitest' {
  export interface ProvidedContext {
    fleetJson: string;
  }
}

function sameShape(o: ResolvedOptions): boolean {
  try {
    const f = readFleet(o.jsonPath);
    const names = (xs: { name: string }[]) => xs.map((h) => h.name).join(',');
    return f.stateDir === o.stateDir && names(f.hosts) === names(planHosts(o)) && (f.balancer?.kind ?? false) === o.balancer;
  } catch {
    return false;
  }
}

/**
 * Starts one fleet for the whole integration run (options from FLEET_* variables) and stops it at the end, on
 * failure, and on Ctrl-C. FLEET_REUSE=1 keeps the fleet running after the run and reuses a running one.
 */
export default async function setup(project: TestProject): Promise<(() => Promise<void>) | undefined> {
  const o = resolveOptions();
  const reuse = process.env.FLEET_REUSE === '1';
  const log = (m: string) => console.error(`[fleet] ${m}`);

  if (fleetIsRunning(o.stateDir)) {
    if (reuse && existsSync(o.jsonPath) && sameShape(o)) {
      log(`reusing the running fleet from ${o.stateDir} (FLEET_REUSE=1)`);
      project.provide('fleetJson', o.jsonPath);
      return undefined;
    }
    log(`stopping a fleet left running in ${o.stateDir}`);
    await fleetDown(o.stateDir);
  }

  // Vitest exits 1 ms after SIGINT/SIGTERM, so the handler must be synchronous: SIGKILL each host's init by PID.
  const onSignal = (signal: NodeJS.Signals) => {
    killFleetSync(o.stateDir);
    if (process.listenerCount(signal) === 0) process.exit(signal === 'SIGINT' ? 130 : 143);
  };
  const onExit = () => killFleetSync(o.stateDir);
  if (!reuse) {
    process.once('SIGINT', onSignal);
    process.once('SIGTERM', onSignal);
    process.once('exit', onExit);
  }

  const t0 = Date.now();
  try {
    await fleetUp(o);
  } catch (err) {
    await fleetDown(o.stateDir).catch(() => {});
    throw err;
  }
  log(`fleet up in ${Date.now() - t0} ms (${o.net}.x, ${o.jsonPath})${reuse ? '; FLEET_REUSE=1 leaves it running' : ''}`);
  project.provide('fleetJson', o.jsonPath);

  if (reuse) return undefined;
  return async () => {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    process.off('exit', onExit);
    const t1 = Date.now();
    await fleetDown(o.stateDir);
    log(`fleet down in ${Date.now() - t1} ms`);
  };
}
