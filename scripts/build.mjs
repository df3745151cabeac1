// The CLI as esbuild bundles (dist/cli/deploy.cjs, started by dist/cli/bin.js) and the public entry (dist/index.js). Type checking
// and the .d.ts of the public entry are tsc's (package.json `build`); this part alone takes well under a second, so
// the CLI tests run it before they start (test/cli/global-setup.ts) and never test a stale dist/.
import { createHash } from 'node:crypto';
import { chmodSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
// What the code was built from: a cached Config (src/config/cache.ts) is used only by the build that wrote it.
const buildId = createHash('sha256');
for (const f of [
  'package.json',
  ...readdirSync(join(root, 'src'), { recursive: true })
    .map((f) => join('src', f))
    .sort(),
]) {
  if (/\.[cm]?ts$|\.json$/.test(f))
    buildId
      .update(`${f}\0`)
      .update(readFileSync(join(root, f)))
      .update('\0');
}
const common = {
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  logLevel: 'warning',
  absWorkingDir: root,
  define: { __DEPLOY_BUILD__: JSON.stringify(buildId.digest('hex').slice(0, 32)) },
};

// The CLI is one CommonJS script, dist/cli/deploy.cjs, that bin.js (src/cli/boot.ts) runs through V8's code cache
// (issue 16: start-up). Each verb's action (src/cli/actions/) is a dynamic import: esbuild wraps it, and what only it
// uses, in a function that runs when that verb does, so a command line evaluates only what it needs, and V8
// compiles a function only when it first runs. Files are found relative to dist/cli (recipes/, dist/index.js):
// import.meta.url is the script's own URL.
rmSync(join(root, 'dist/cli'), { recursive: true, force: true });
// The yaml library reads only what the block reader (src/config/yaml-block.ts) does not. It is a file of its own,
// dist/cli/yaml-library.cjs, required on first use: a block-YAML deploy.yml never loads or even compiles its 260 KB.
// src/config/yaml-fallback.ts imports it statically (for tests and tsx); here it is replaced.
const lazyYaml = {
  name: 'lazy-yaml-library',
  setup(b) {
    b.onResolve({ filter: /^\.\/yaml-library\.cjs$/ }, (args) => ({ path: args.path, external: true }));
    b.onLoad({ filter: /[\\/]src[\\/]config[\\/]yaml-fallback\.ts$/ }, () => ({
      contents: "export const yamlLibrary = () => require('./yaml-library.cjs');",
      loader: 'ts',
    }));
  },
};

// ssh2 has an optional native part; jiti is loaded only for TypeScript task modules (src/tasks/modules.ts).
// Which sources went into which file is in dist/cli-sources.json (from esbuild's metafile), for the start-up tests.
const cli = await build({
  ...common,
  format: 'cjs',
  entryPoints: ['src/cli/bin.ts'],
  outfile: 'dist/cli/deploy.cjs',
  metafile: true,
  external: ['ssh2', 'jiti'],
  plugins: [lazyYaml],
  define: { ...common.define, 'import.meta.url': '__deploy_url' },
  banner: { js: "'use strict';\nvar __deploy_url = require('node:url').pathToFileURL(__filename).href;" },
});
// bin.js reads the script as latin1, two to three times faster than as UTF-8 for 2 MB: it must be ASCII. esbuild
// escapes every other character in code; what it keeps of comments may hold some, and they go.
const script = join(root, 'dist/cli/deploy.cjs');
const ascii = readFileSync(script, 'utf8')
  .split('\n')
  .map((line, i) => {
    if (!/[^\x00-\x7f]/.test(line)) return line;
    if (!/^\s*(\/\/|\/\*|\*)/.test(line)) throw new Error(`dist/cli/deploy.cjs:${i + 1}: a character that is not ASCII outside a comment`);
    return line.replace(/[^\x00-\x7f]/g, '?');
  })
  .join('\n');
writeFileSync(script, ascii);
const boot = await build({ ...common, entryPoints: ['src/cli/boot.ts'], outfile: 'dist/cli/bin.js', metafile: true });
// Node reads NODE_EXTRA_CA_CERTS at every start, before any of our code: 40 ms of a 65 ms `node -e 0` on a machine
// that points it at the system bundle. This process opens no TLS connection (SSH is ssh2's own protocol), so bin.js
// starts as a two-line sh launcher that sets the variable aside for node's start, and bin.ts hands it back to every
// program the CLI starts (a local build's npm, git, ssh). Node skips the `#!` line and reads the second as a string
// and a comment: `node dist/cli/bin.js` runs without the launcher, reading the variable as usual.
const bin = join(root, 'dist/cli/bin.js');
const launcher = [
  '#!/bin/sh',
  `':' //; [ -z "\${NODE_EXTRA_CA_CERTS-}" ] || { DEPLOY_NODE_EXTRA_CA_CERTS=$NODE_EXTRA_CA_CERTS; export DEPLOY_NODE_EXTRA_CA_CERTS; unset NODE_EXTRA_CA_CERTS; }; exec node "$0" "$@"`,
];
writeFileSync(bin, `${launcher.join('\n')}\n${readFileSync(bin, 'utf8').replace(/^#!.*\n/, '')}`);
chmodSync(bin, 0o755);
const local = (file) => file.replace(/^dist\/cli\//, '');
writeFileSync(
  join(root, 'dist/cli-sources.json'),
  `${JSON.stringify(
    Object.fromEntries(
      [cli, boot].flatMap((b) => Object.entries(b.metafile.outputs)).map(([file, o]) => [local(file), { sources: Object.keys(o.inputs) }]),
    ),
    null,
    1,
  )}\n`,
);
await build({ ...common, format: 'cjs', entryPoints: ['src/config/yaml-library.ts'], outfile: 'dist/cli/yaml-library.cjs' });
await build({ ...common, entryPoints: ['src/index.ts'], outfile: 'dist/index.js' });
