import { execFileSync } from 'node:child_process';
import { join, resolve } from 'node:path';

/**
 * Global setup of the projects that run the built CLI (cli, integration): bundle src/ into dist/ with esbuild
 * (well under a second; tsc's type check stays in `npm run build`), so that no test runs a stale dist/.
 */
export default function setup(): void {
  const root = resolve(import.meta.dirname, '..', '..');
  execFileSync(process.execPath, [join(root, 'scripts', 'build.mjs')], { cwd: root, stdio: 'inherit' });
}
