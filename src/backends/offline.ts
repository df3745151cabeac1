import type { Backend, ExecResult } from './backend.js';

/**
 * For `deploy plan`: touches no host. Every command "succeeds" with empty output, so facts read as
 * "nothing there yet"; the plan says so.
 */
export class OfflineBackend implements Backend {
  exec(): Promise<ExecResult> {
    return Promise.resolve({ code: 0, stdout: '', stderr: '', durationMs: 0 });
  }
  upload(): Promise<void> {
    return Promise.resolve();
  }
  close(): Promise<void> {
    return Promise.resolve();
  }
}
