#!/usr/bin/env node
import { main } from './main.js';

// A reader that goes away (`deploy staging --json | head`) must not kill a deploy half-way with the lock held:
// the run goes on and finishes cleanly, its output is just no longer read.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code !== 'EPIPE') throw e;
  });
}

main().then((code) => process.exit(code));
