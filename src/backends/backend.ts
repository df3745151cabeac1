import type { Command } from '../shell/command.js';

/** Where and how to reach one host; resolved from deploy.yml (+ ~/.ssh/config) before any backend runs. */
export interface SshTarget {
  /** The inventory name (web1), used in every message. */
  readonly name: string;
  readonly address: string;
  readonly port: number;
  readonly user: string;
  readonly identityFiles: readonly string[];
  readonly knownHosts: readonly string[];
  readonly strictHostKeys: boolean;
  readonly jump?: SshTarget;
  readonly forwardAgent: boolean;
  readonly connectTimeoutMs: number;
  readonly keepaliveIntervalMs: number;
}

export interface ExecResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
  readonly durationMs: number;
}

export interface ExecOptions {
  /** Called once per complete line of output (never mid-line), secrets already masked. */
  readonly onLine?: (stream: 'stdout' | 'stderr', line: string) => void;
  readonly timeoutMs?: number;
  readonly stdin?: string | Buffer;
  readonly signal?: AbortSignal;
}

export interface UploadOptions {
  readonly onProgress?: (transferred: number, total: number) => void;
  readonly mode?: number;
}

/** The only things that touch hosts. Non-zero exits are results, not exceptions; connection problems throw. */
export interface Backend {
  exec(host: SshTarget, command: Command, options?: ExecOptions): Promise<ExecResult>;
  upload(host: SshTarget, localPath: string, remotePath: string, options?: UploadOptions): Promise<void>;
  close(): Promise<void>;
}
