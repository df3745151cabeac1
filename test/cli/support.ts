import { execFile } from 'node:child_process';
import { join, resolve } from 'node:path';

export const repoRoot = resolve(import.meta.dirname, '..', '..');
export const cliPath = join(repoRoot, 'dist', 'cli', 'bin.js');

export interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** The built CLI as a subprocess (npm test builds first). */
export function run(args: readonly string[], o: { cwd?: string; env?: Record<string, string> } = {}): Promise<Run> {
  return new Promise((done) => {
    execFile(process.execPath, [cliPath, ...args], { cwd: o.cwd ?? repoRoot, env: { PATH: process.env.PATH, HOME: process.env.HOME, CI: 'true', ...o.env } }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
      done({ code, stdout, stderr });
    });
  });
}
