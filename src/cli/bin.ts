import { main } from './main.js';

// The launcher (scripts/build.mjs) kept node from reading NODE_EXTRA_CA_CERTS at start; the programs we start get it.
const aside = process.env.DEPLOY_NODE_EXTRA_CA_CERTS;
if (aside !== undefined) {
  process.env.NODE_EXTRA_CA_CERTS = aside;
  delete process.env.DEPLOY_NODE_EXTRA_CA_CERTS;
}

// A reader that goes away (`deploy staging --json | head`) must not kill a deploy half-way with the lock held:
// the run goes on and finishes cleanly, its output is just no longer read.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code !== 'EPIPE') throw e;
  });
}

/**
 * Resolves once everything written so far has been handed to the OS. Writes to a pipe are asynchronous: what
 * the pipe could not take yet (beyond 64 KiB) waits in the stream, and process.exit() would drop it.
 */
const flushed = (stream: NodeJS.WriteStream): Promise<void> =>
  new Promise((done) => {
    if (stream.destroyed || !stream.writable) return done();
    stream.write('', () => done());
  });

main().then(async (code) => {
  process.exitCode = code;
  await flushed(process.stdout);
  await flushed(process.stderr);
  // A library's handle left open (a socket, a timer) must not keep a finished run alive.
  process.exit(code);
});
