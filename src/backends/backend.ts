import type { Command } from '../shell/command.js';

/** Where and how to reach one host; resolved from deploy.yml (+ ~/.ssh/config) before any backend runs. */
export interface SshTarget {
  /** The inventory name (web1), used in every message. */
  readonly name: string;
  readonly address: string;
  readonly port: number;
  readonly user: string;
  /** Tried first, in order (deploy.yml's identity_file, else ssh config IdentityFile). */
  readonly identityFiles: readonly string[];
  /** ssh-agent socket (SSH_AUTH_SOCK), tried after identityFiles. */
  readonly agent?: string;
  /** ~/.ssh/id_* tried last, only when nothing was configured; missing ones are skipped silently. */
  readonly defaultIdentityFiles?: readonly string[];
  readonly knownHosts: readonly string[];
  /** Name looked up in known_hosts instead of the address (ssh config HostKeyAlias). */
  readonly hostKeyAlias?: string;
  /** false only accepts hosts that are absent from known_hosts (never a changed or revoked key); nothing is written. */
  readonly strictHostKeys: boolean;
  readonly jump?: SshTarget;
  readonly forwardAgent: boolean;
  readonly connectTimeoutMs: number;
  readonly keepaliveIntervalMs: number;
  /** Default for ExecOptions.timeoutMs (deploy.yml ssh.command_timeout). */
  readonly commandTimeoutMs?: number;
}

/** Output is exactly what the command printed (not trimmed), with secrets masked. */
export interface ExecResult {
  /** Exit status; 128+n when killed by signal n; 124 when the timeout killed it. */
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
  readonly durationMs: number;
  /** The timeout killed the command; stderr ends with a line saying so. */
  readonly timedOut?: boolean;
}

export interface ExecOptions {
  /** Called once per complete line of output (never mid-line), secrets already masked. */
  readonly onLine?: (stream: 'stdout' | 'stderr', line: string) => void;
  /** Kill the command after this long and return code 124 (like timeout(1)). Absent: the target's commandTimeoutMs; 0: no limit. */
  readonly timeoutMs?: number;
  /** Aborting kills the command and rejects with InterruptedError. */
  readonly signal?: AbortSignal;
  /** Named in every error (`web1: deploy:symlink: …`). */
  readonly step?: string;
  /** What errors call the command at the time (a chain's: the one of its commands that runs); default describeCommand. */
  readonly what?: () => string;
}

export interface UploadOptions {
  readonly onProgress?: (transferred: number, total: number) => void;
  readonly mode?: number;
  /** Named in every error (`web1: transfer: …`). */
  readonly step?: string;
  /** Aborting stops the upload and rejects with InterruptedError. */
  readonly signal?: AbortSignal;
  /** Fail with a ConnectionError when no data was written for this long. Absent: three connect timeouts. */
  readonly stallTimeoutMs?: number;
}

/**
 * The only things that touch hosts. Non-zero exits are results, not exceptions; connection problems throw.
 * `exec` runs a Command's `render(command, 'reveal')` text in `sh` on the host; its script reaches the host on the
 * shell's stdin (never an argument list), and the command is killed when its run or connection ends
 * (backends/protocol.ts). A command that carries DirOps may be done as those instead, with the same result.
 */
export interface Backend {
  exec(host: SshTarget, command: Command, options?: ExecOptions): Promise<ExecResult>;
  upload(host: SshTarget, localPath: string, remotePath: string, options?: UploadOptions): Promise<void>;
  close(): Promise<void>;
}
