import { readdirSync, readFileSync } from 'node:fs';
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
