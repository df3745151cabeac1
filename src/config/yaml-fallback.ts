/**
 * The yaml library, for the files the block reader (yaml-block.ts) does not read. Imported statically here; the
 * CLI bundle (scripts/build.mjs) replaces this module with a `require()` that runs the library's code only on
 * first use, so that reading a block-YAML deploy.yml never loads it.
 */
import * as library from './yaml-library.js';

export const yamlLibrary = (): typeof library => library;
