// The CLI as one esbuild bundle (dist/cli/bin.js) and the public entry (dist/index.js). Type checking and the
// .d.ts of the public entry are tsc's (package.json `build`); this part alone takes well under a second, so the CLI
// tests run it before they start (test/cli/global-setup.ts) and never test a stale dist/.
import { chmodSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const common = { bundle: true, platform: 'node', format: 'esm', target: 'node20', logLevel: 'warning', absWorkingDir: root };

// ssh2 has an optional native part; jiti is loaded only for TypeScript task modules (src/tasks/modules.ts).
await build({
  ...common,
  entryPoints: ['src/cli/bin.ts'],
  outfile: 'dist/cli/bin.js',
  external: ['ssh2', 'jiti'],
  banner: { js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);" },
});
chmodSync(join(root, 'dist/cli/bin.js'), 0o755);
await build({ ...common, entryPoints: ['src/index.ts'], outfile: 'dist/index.js' });
