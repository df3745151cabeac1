export type OutputMode = 'json' | 'terminal' | 'plain';

/** CI as most CI systems announce it: `CI` set to anything but empty, 0 or false. */
export function isCI(env: NodeJS.ProcessEnv): boolean {
  const v = env.CI;
  return v !== undefined && v !== '' && v !== '0' && v.toLowerCase() !== 'false';
}

/**
 * How a run is shown: NDJSON when asked; rows with spinners only on a real terminal outside CI, for verbs that
 * run steps and when nobody asked to see every command (`--verbose` wants every line); plain lines otherwise.
 */
export function outputMode(o: {
  json?: boolean;
  verbose?: boolean;
  live: boolean;
  isTTY?: boolean;
  columns?: number;
  env: NodeJS.ProcessEnv;
}): OutputMode {
  if (o.json) return 'json';
  if (o.live && !o.verbose && o.isTTY === true && (o.columns ?? 0) > 0 && !isCI(o.env) && o.env.TERM !== 'dumb') return 'terminal';
  return 'plain';
}
