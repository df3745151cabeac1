import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadAllStages } from '../../../src/config/load.js';
import { ConfigError, ExitCode } from '../../../src/errors.js';

/** Each fixtures/configs/bad/<name>.yml holds one mistake (or several); <name>.expected is the exact message. */
const dir = fileURLToPath(new URL('../../../fixtures/configs/bad/', import.meta.url));
const files = readdirSync(dir);
const fixtures = files.filter((f) => f.endsWith('.yml')).sort();

function failure(file: string): ConfigError {
  try {
    loadAllStages({ file, cwd: dir, env: {} });
  } catch (e) {
    if (e instanceof ConfigError) return e;
    throw e;
  }
  throw new Error(`${file} loaded without an error`);
}

describe('malformed deploy.yml files', () => {
  it('pairs every fixture with an .expected file', () => {
    expect(fixtures.length).toBeGreaterThanOrEqual(35);
    const expected = files.filter((f) => f.endsWith('.expected')).map((f) => f.replace(/\.expected$/, '.yml'));
    expect(expected.sort()).toEqual(fixtures);
  });

  it.each(fixtures)('%s', (file) => {
    const error = failure(file);
    expect(error.message).toBe(readFileSync(join(dir, file.replace(/\.yml$/, '.expected')), 'utf8').trimEnd());
    expect(error.exitCode).toBe(ExitCode.config);
    for (const issue of error.issues) {
      expect(issue.file).toBe(file);
      expect(issue.line).toBeGreaterThan(0);
      expect(issue.column).toBeGreaterThan(0);
    }
  });
});

describe('large and hostile files', () => {
  const scratch = mkdtempSync(join(tmpdir(), 'deploy-big-'));
  const hosts = 'stages:\n  staging:\n    hosts:\n      - { name: web1, address: 10.0.0.1, roles: [web] }\n';
  /** deploy.yml with an `env` of `n` keys, the last one repeating the first when `duplicate`. */
  const bigEnv = (n: number, duplicate = false): string => {
    const lines = Array.from({ length: n }, (_, i) => `  VAR_${i}: value-${i}\n`);
    if (duplicate) lines.push('  VAR_0: again\n');
    return `app: shop\nrepository: https://github.com/acme/shop.git\nenv:\n${lines.join('')}${hosts}`;
  };
  const write = (name: string, text: string) => (writeFileSync(join(scratch, name), text), name);
  /** CPU milliseconds of the fastest of `times` runs: the machine is shared, so wall-clock time says more about the others. */
  const fastest = (times: number, run: () => void): number =>
    Math.min(
      ...Array.from({ length: times }, () => {
        const before = process.cpuUsage();
        run();
        const used = process.cpuUsage(before);
        return (used.user + used.system) / 1000;
      }),
    );

  it('60,000 keys in one mapping load, and a duplicate among them is found, in time linear in the keys', { timeout: 120_000 }, () => {
    const big = write('big.yml', bigEnv(60_000));
    const small = write('small.yml', bigEnv(7_500));
    const dup = write('dup.yml', bigEnv(60_000, true));
    const tBig = fastest(2, () => expect(Object.keys(loadAllStages({ file: big, cwd: scratch, env: {} })[0]!.env)).toHaveLength(60_000));
    const tDup = fastest(1, () =>
      expect(() => loadAllStages({ file: dup, cwd: scratch, env: {} })).toThrow(
        'dup.yml:60004:3: env: duplicate key `VAR_0`: a key may appear only once in a mapping',
      ),
    );
    const tSmall = fastest(3, () => loadAllStages({ file: small, cwd: scratch, env: {} }));
    console.log(
      `deploy.yml with 7,500 env keys: ${tSmall.toFixed(0)} ms CPU; 60,000: ${tBig.toFixed(0)} ms; 60,000 and a duplicate: ${tDup.toFixed(0)} ms`,
    );
    // 8 times the keys: about 8 times the time when linear, 64 times when every key is compared with every other
    // (the check this replaced took 14 s for 32,000 keys).
    expect(tBig / tSmall).toBeLessThan(32);
    expect(tDup / tSmall).toBeLessThan(32);
  });

  it('50,000 nested brackets are refused at once, without reading the rest', () => {
    const file = write('deep.yml', `app: shop\nenv:\n  DEEP: ${'['.repeat(50_000)}${']'.repeat(50_000)}\n${hosts}`);
    const t0 = performance.now();
    expect(() => loadAllStages({ file, cwd: scratch, env: {} })).toThrow(
      'deep.yml:3:107: nested more than 100 levels deep here; a deploy.yml needs only a few',
    );
    expect(performance.now() - t0).toBeLessThan(1000);
  });
});
