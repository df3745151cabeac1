import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { runSession } from '../../../src/cli/session.js';
import type { DeployEvent } from '../../../src/output/events.js';

const config = fileURLToPath(new URL('../../../fixtures/configs/good/minimal.yml', import.meta.url));

/** runSession in plan mode (no host is contacted) with an action that fails with an unexpected error. */
async function crash(flags: { verbose?: boolean } = {}): Promise<{ code: number; stderr: string; events: DeployEvent[] }> {
  let stderr = '';
  const spy = vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
    stderr += String(chunk);
    return true;
  });
  const events: DeployEvent[] = [];
  try {
    const code = await runSession(
      'staging',
      { config, ...flags },
      'deploy',
      async () => {
        // A bug: not a DeployError.
        const hosts: string[] | undefined = undefined;
        return (hosts as unknown as string[]).length;
      },
      { mode: 'plan', sink: (e) => void events.push(e) },
    );
    return { code, stderr, events };
  } finally {
    spy.mockRestore();
  }
}

afterEach(() => vi.restoreAllMocks());

describe('an unexpected error in a run (a bug)', () => {
  it('exits 1 with the message and where to report it, without a stack trace', async () => {
    const { code, stderr, events } = await crash();
    expect(code).toBe(1);
    expect(stderr).toMatch(/^internal error: Cannot read properties of undefined \(reading 'length'\)\n/);
    expect(stderr).toContain('please report it');
    expect(stderr).not.toMatch(/\n\s+at /);
    expect(events.at(-1)).toMatchObject({ type: 'run:end', outcome: 'failed', exitCode: 1 });
  });

  it('prints the stack trace with -v', async () => {
    const { code, stderr } = await crash({ verbose: true });
    expect(code).toBe(1);
    expect(stderr).toMatch(/^internal error: TypeError: Cannot read properties of undefined \(reading 'length'\)\n\s+at /);
  });
});
