import { inject } from 'vitest';
import { fleetDown, fleetUp, killFleetSync, readFleet } from './fleet.js';
import { siblingNet, type Fleet, type FleetOptions } from './plan.js';

let cached: Fleet | undefined;

/** The fleet that test/fleet/global-setup.ts started for this run. */
export function fleet(): Fleet {
  return (cached ??= readFleet(inject('fleetJson')));
}

/** "127.0.1" for a fleet whose hosts are 127.0.1.x. */
export function netOf(f: Fleet): string {
  const first = f.hosts[0];
  if (!first) throw new Error(`fleet in ${f.stateDir} has no hosts`);
  return first.address.split('.').slice(0, 3).join('.');
}

export interface TempFleet {
  fleet: Fleet;
  down(): Promise<void>;
}

/**
 * A second, throwaway fleet next to the shared one: on the sibling address block (127.A.B → 127.(A+1).B) with
 * its own state dir, killed by PID if the test process is interrupted. Call down() in afterAll.
 */
export async function tempFleet(o: FleetOptions, main: Fleet = fleet()): Promise<TempFleet> {
  const stateDir = o.stateDir ?? `${main.stateDir}-sibling`;
  const opts: FleetOptions = {
    ...o,
    net: o.net ?? siblingNet(netOf(main)),
    stateDir,
    jsonPath: o.jsonPath ?? `${stateDir}.json`,
  };
  await fleetDown(stateDir); // leftovers of an interrupted earlier run
  const onSignal = (signal: NodeJS.Signals) => {
    killFleetSync(stateDir);
    if (process.listenerCount(signal) === 0) process.exit(signal === 'SIGINT' ? 130 : 143);
  };
  const onExit = () => killFleetSync(stateDir);
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  process.once('exit', onExit);
  const removeHandlers = () => {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    process.off('exit', onExit);
  };
  let f: Fleet;
  try {
    f = await fleetUp(opts);
  } catch (err) {
    removeHandlers();
    await fleetDown(stateDir).catch(() => {});
    throw err;
  }
  return {
    fleet: f,
    async down() {
      removeHandlers();
      await fleetDown(stateDir);
    },
  };
}
