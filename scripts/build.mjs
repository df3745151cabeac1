// The CLI as esbuild bundles (dist/cli/bin.js and its chunks) and the public entry (dist/index.js). Type checking
// and the .d.ts of the public entry are tsc's (package.json `build`); this part alone takes well under a second, so
// the CLI tests run it before they start (test/cli/global-setup.ts) and never test a stale dist/.
import { chmodSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const common = { bundle: true, platform: 'node', format: 'esm', target: 'node20', logLevel: 'warning', absWorkingDir: root };

// Split at every dynamic import: each verb's action (src/cli/actions/) and what only it uses is a chunk loaded when
// that verb runs, so start-up compiles only what the command line needs (issue 16). The chunks sit next to bin.js:
// code that finds files relative to its own module (recipes/, dist/index.js) sees the same paths from any of them.
// Chunks of an earlier build are removed first: their names change with their content.
rmSync(join(root, 'dist/cli'), { recursive: true, force: true });
// ssh2 has an optional native part; jiti is loaded only for TypeScript task modules (src/tasks/modules.ts).
await build({
  ...common,
  entryPoints: ['src/cli/bin.ts'],
  outdir: 'dist/cli',
  splitting: true,
  chunkNames: '[name]-[hash]',
  external: ['ssh2', 'jiti'],
  banner: { js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);" },
});
chmodSync(join(root, 'dist/cli/bin.js'), 0o755);
await build({ ...common, entryPoints: ['src/index.ts'], outfile: 'dist/index.js' });
