// bin.js: runs the CLI (dist/cli/deploy.cjs, one script) through V8's code cache. Compiling the code a command
// line runs is most of a short run's CPU (a plan: ~30 of ~100 ms); with the cache a run starts from the bytecode
// an earlier run of the same build and verb left, and compiles only what that run did not. V8 checks the cache
// against the source and its own version and flags and ignores one that does not match (then it is written again).
// The cache holds code that node runs, so it is read only from a directory and file that are this user's alone.
// The script is ASCII (scripts/build.mjs): read as latin1, it is a one-byte string at once.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Script } from 'node:vm';
import { readPrivate, userCacheDir, writePrivate } from '../config/user-cache.js';

/** Set by scripts/build.mjs: a hash of the sources the CLI was built from. */
declare const __DEPLOY_BUILD__: string;

/** Cache files kept, one per build and verb. */
const KEEP = 16;

const file = join(dirname(fileURLToPath(import.meta.url)), 'deploy.cjs');
const dir = userCacheDir(process.env, 'code');
const verb = process.argv[2] ?? '';
const name = `${__DEPLOY_BUILD__}-${process.versions.v8}-${/^[a-z][a-z0-9-]{0,31}$/.test(verb) ? verb : '-'}.bin`;
const cached = dir === undefined ? undefined : readPrivate(dir, name);
const script = new Script(
  `(function (exports, require, module, __filename, __dirname, __deploy_import) {${readFileSync(file, 'latin1')}\n})`,
  { filename: file, ...(cached ? { cachedData: cached } : {}) },
);
// Made at exit: the cache then holds what this run compiled, not only the top level.
if (dir !== undefined && (!cached || script.cachedDataRejected))
  process.once('exit', () => writePrivate(dir, name, script.createCachedData(), { keep: KEEP, suffix: '.bin' }));
const module = { exports: {} };
// Functions V8 takes from the cache lose the script's import() loader (node 20): task modules are imported from here.
const importModule = (url: string): Promise<unknown> => import(url);
script.runInThisContext()(module.exports, createRequire(file), module, file, dirname(file), importModule);
