// The CLI as esbuild bundles (dist/cli/bin.js and its chunks) and the public entry (dist/index.js). Type checking
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

// Split at every dynamic import: each verb's action (src/cli/actions/) and what only it uses is a chunk loaded when
// that verb runs, so start-up compiles only what the command line needs (issue 16). The chunks sit next to bin.js:
// code that finds files relative to its own module (recipes/, dist/index.js) sees the same paths from any of them.
// Chunks of an earlier build are removed first: their names change with their content.
rmSync(join(root, 'dist/cli'), { recursive: true, force: true });
// The yaml library reads only what the block reader (src/config/yaml-block.ts) does not. It is a file of its own,
// dist/cli/yaml-library.cjs, that the chunks require() on first use: a block-YAML deploy.yml never loads or even
// compiles its 260 KB. src/config/yaml-fallback.ts imports it statically (for tests and tsx); here it is replaced.
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
// Which sources went into which file, and which files each imports statically, is in dist/cli-sources.json (from
// esbuild's metafile), for the start-up tests.
const cli = await build({
  ...common,
  entryPoints: ['src/cli/bin.ts'],
  outdir: 'dist/cli',
  splitting: true,
  metafile: true,
  chunkNames: '[name]-[hash]',
  external: ['ssh2', 'jiti'],
  plugins: [lazyYaml],
  banner: { js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);" },
});
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
writeFileSync(bin, readFileSync(bin, 'utf8').replace(/^#!.*\n/, `${launcher.join('\n')}\n`));
chmodSync(bin, 0o755);
const local = (file) => file.replace(/^dist\/cli\//, '');
writeFileSync(
  join(root, 'dist/cli-sources.json'),
  `${JSON.stringify(
    Object.fromEntries(
      Object.entries(cli.metafile.outputs).map(([file, o]) => [
        local(file),
        {
          sources: Object.keys(o.inputs),
          imports: o.imports.filter((i) => i.kind === 'import-statement' && !i.external).map((i) => local(i.path)),
        },
      ]),
    ),
    null,
    1,
  )}\n`,
);
await build({ ...common, format: 'cjs', entryPoints: ['src/config/yaml-library.ts'], outfile: 'dist/cli/yaml-library.cjs' });
await build({ ...common, entryPoints: ['src/index.ts'], outfile: 'dist/index.js' });
