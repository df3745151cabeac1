/**
 * A dry run: reads run for real on the inner backend (so the plan follows the branches a real deploy would
 * take); writes and uploads are not run and answer with a synthetic success. What they would have done reaches the
 * output through the runner's `command` events (marked `dryRun`), not through this backend.
 */
import type { Command } from '../shell/command.js';
import type { Backend, ExecOptions, ExecResult, SshTarget, UploadOptions } from './backend.js';

export class DryRunBackend implements Backend {
  constructor(readonly inner: Backend) {}

  exec(host: SshTarget, command: Command, options: ExecOptions = {}): Promise<ExecResult> {
    if (command.effect === 'read') return this.inner.exec(host, command, options);
    return Promise.resolve({ code: 0, stdout: '', stderr: '', durationMs: 0 });
  }

  upload(_host: SshTarget, _localPath: string, _remotePath: string, _options?: UploadOptions): Promise<void> {
    return Promise.resolve();
  }

  close(): Promise<void> {
    return this.inner.close();
  }
}
