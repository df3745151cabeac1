import { spawnSync } from 'node:child_process';
import { mkdtempSync, realpathSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { paths, type Paths } from '../../../src/commands/paths.js';
import { render, type Command, type Effect } from '../../../src/shell/command.js';

/** A builder call and the exact shell text (one string per command) it must render to. */
export type Case = readonly [
  name: string,
  build: () => Command | readonly Command[] | null,
  expected: string | readonly string[] | null,
  effect?: Effect,
];

/** The one runner: every case renders to exactly its expected text, with the expected effect. */
export function renders(cases: readonly Case[]): void {
  for (const [name, build, expected, effect] of cases) {
    it(name, () => {
      const built = build();
      if (built === null) return expect(expected).toBeNull();
      const list: readonly Command[] = Array.isArray(built) ? built : [built as Command];
      expect(list.map((c) => render(c))).toEqual(typeof expected === 'string' ? [expected] : expected);
      if (effect) for (const c of list) expect(c.effect).toBe(effect);
    });
  }
}

export interface RunResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** A throwaway deploy_to on this machine, to run rendered commands in `sh` the way a host would. */
export function sandbox(name = 'app dir'): { dir: string; p: Paths; run(c: Command): RunResult; cleanup(): void } {
  const dir = realpathSync(mkdtempSync(join(tmpdir(), 'deploy-cmd-')));
  const p = paths(join(dir, name));
  return {
    dir,
    p,
    run(c) {
      const r = spawnSync('sh', ['-c', render(c, 'reveal')], { encoding: 'utf8', cwd: dir });
      return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
    },
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}
