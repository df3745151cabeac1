/**
 * A dry run: reads run for real on the inner backend (so the plan follows the branches a real deploy would
 * take), writes and uploads are only recorded and answered with a synthetic success.
 */
import { render, type Command } from '../shell/command.js';
import type { Backend, ExecOptions, ExecResult, SshTarget, UploadOptions } from './backend.js';

export type PlannedAction =
  | {
      readonly kind: 'exec';
      /** Rendered with secrets masked. */
      readonly command: string;
      readonly description?: string;
      readonly step?: string;
    }
  | {
      readonly kind: 'upload';
      readonly localPath: string;
      readonly remotePath: string;
      readonly step?: string;
    };

export interface HostPlan {
  readonly host: string;
  readonly actions: readonly PlannedAction[];
}

export class DryRunBackend implements Backend {
  readonly #recorded = new Map<string, PlannedAction[]>();

  constructor(readonly inner: Backend) {}

  exec(host: SshTarget, command: Command, options: ExecOptions = {}): Promise<ExecResult> {
    if (command.effect === 'read') return this.inner.exec(host, command, options);
    this.#record(host, {
      kind: 'exec',
      command: render(command),
      ...(command.description !== undefined ? { description: command.description } : {}),
      ...(options.step !== undefined ? { step: options.step } : {}),
    });
    return Promise.resolve({ code: 0, stdout: '', stderr: '', durationMs: 0 });
  }

  upload(host: SshTarget, localPath: string, remotePath: string, options: UploadOptions = {}): Promise<void> {
    this.#record(host, {
      kind: 'upload',
      localPath,
      remotePath,
      ...(options.step !== undefined ? { step: options.step } : {}),
    });
    return Promise.resolve();
  }

  /** What would have changed, per host in the order hosts were first touched, actions in order. */
  plan(): HostPlan[] {
    return [...this.#recorded].map(([host, actions]) => ({ host, actions: [...actions] }));
  }

  close(): Promise<void> {
    return this.inner.close();
  }

  #record(host: SshTarget, action: PlannedAction): void {
    const list = this.#recorded.get(host.name);
    if (list) list.push(action);
    else this.#recorded.set(host.name, [action]);
  }
}
