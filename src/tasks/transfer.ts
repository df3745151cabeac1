import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { isAbsolute, join } from 'node:path';
import { extract, removeUpload, uploadPath, verifyChecksum } from '../commands/artifact.js';
import { archiveRevision, updateMirror, writeRevision } from '../commands/git.js';
import { paths } from '../commands/paths.js';
import type { ArtifactSource, GitSource, HostDef } from '../config/types.js';
import { DeployError, ExitCode, StepFailedError } from '../errors.js';
import { resolvedRevision } from '../facts/git.js';
import { and, type Command } from '../shell/command.js';
import type { RunContext } from './context.js';
import type { ReleaseRef } from './env.js';
import type { StepPlan } from './chain.js';
import { exec, onHosts, probe, upload } from './runner.js';

const STEP = 'transfer';
/** Shown in a plan, where no host is asked which commit a branch points at. */
export const UNRESOLVED = '0'.repeat(40);

/** What is left of a transfer once the revision is known: its step (runSteps), and the clean-up after it. */
export interface TransferPlan {
  readonly revision: string;
  readonly plan: StepPlan;
  finish(): Promise<void>;
}

/**
 * Does what needs an answer before the code can be unpacked (a git mirror's update and the revision it names;
 * an artifact's build) and returns the rest as a step: an upload, then one command per host.
 */
export async function transferPlan(
  ctx: RunContext,
  hosts: readonly HostDef[],
  release: ReleaseRef,
  building?: Promise<Artifact>,
): Promise<TransferPlan> {
  const source = ctx.config.source;
  return source.kind === 'git' ? transferGit(ctx, source, hosts, release) : transferArtifact(ctx, source, hosts, release, building);
}

/** Starts the local build of an artifact source (not in a plan); the caller cleans it up. */
export function startArtifact(ctx: RunContext): Promise<Artifact> | undefined {
  if (ctx.config.source.kind !== 'artifact' || ctx.mode === 'plan') return undefined;
  const building = buildArtifact(ctx, ctx.config.source);
  building.catch(() => undefined);
  return building;
}

async function transferGit(ctx: RunContext, source: GitSource, hosts: readonly HostDef[], release: ReleaseRef): Promise<TransferPlan> {
  const p = paths(ctx.config.deployTo);
  await onHosts(ctx, STEP, hosts, (h) => exec(ctx, STEP, h, updateMirror(p, source.repository)));
  const ref = source.revision ?? source.branch ?? 'main';
  const first = hosts[0]!;
  const found = await probe(ctx, STEP, first, resolvedRevision(p, ref));
  const sha = found ?? (ctx.mode === 'real' ? null : UNRESOLVED);
  if (!sha) throw new StepFailedError(first.name, STEP, `${ref} does not name a commit in ${source.repository}`);
  if (sha === UNRESOLVED) ctx.emit({ type: 'info', message: `${ref} is resolved to a commit at deploy time; shown as ${UNRESOLVED}` });
  else ctx.emit({ type: 'info', message: `${ref} is ${sha}` });
  const unpack = and([archiveRevision(p, sha, release.dir), writeRevision(release.dir, sha)], {
    description: `unpack ${sha.slice(0, 12)} into the release, record REVISION`,
  });
  return { revision: sha, plan: { step: STEP, hosts, commands: () => [unpack] }, finish: async () => {} };
}

export interface Artifact {
  readonly file: string;
  readonly sha256: string;
  readonly bytes: number;
  cleanup(): Promise<void>;
}

/** Builds (once, locally) and packs the artifact. */
export async function buildArtifact(ctx: RunContext, source: ArtifactSource): Promise<Artifact> {
  const cwd = ctx.projectDir;
  if (source.build) {
    const built = await ctx.local.run(['sh', '-c', source.build], { cwd });
    if (built.code !== 0) {
      throw new DeployError(
        `artifact build failed (exit ${built.code}): ${source.build}`,
        ExitCode.stepFailed,
        tail(built.stderr || built.stdout),
      );
    }
  }
  const path = isAbsolute(source.path) ? source.path : join(cwd, source.path);
  const info = await stat(path).catch(() => null);
  if (!info)
    throw new DeployError(`artifact ${path} does not exist${source.build ? ` after running "${source.build}"` : ''}`, ExitCode.stepFailed);
  let file = path;
  let cleanup = async () => {};
  if (info.isDirectory()) {
    const dir = await mkdtemp(join(tmpdir(), 'deploy-artifact-'));
    file = join(dir, 'artifact.tar.gz');
    cleanup = () => rm(dir, { recursive: true, force: true });
    const packed = await ctx.local.run(['tar', '-czf', file, '-C', path, '.']);
    if (packed.code !== 0) throw new DeployError(`could not pack ${path}: ${packed.stderr.trim()}`, ExitCode.stepFailed);
  }
  return { file, sha256: await sha256File(file), bytes: (await stat(file)).size, cleanup };
}

async function transferArtifact(
  ctx: RunContext,
  source: ArtifactSource,
  hosts: readonly HostDef[],
  release: ReleaseRef,
  building?: Promise<Artifact>,
): Promise<TransferPlan> {
  const p = paths(ctx.config.deployTo);
  const artifact = ctx.mode === 'plan' ? null : await (building ?? buildArtifact(ctx, source));
  const sha = artifact?.sha256 ?? '0'.repeat(64);
  if (artifact) ctx.emit({ type: 'info', message: `artifact ${artifact.bytes} bytes, sha256 ${sha}` });
  const remote = uploadPath(p, release.id);
  const unpack = and(
    [verifyChecksum(remote, sha), extract(remote, release.dir), removeUpload(p, release.id), writeRevision(release.dir, sha)],
    {
      description: 'verify the checksum, unpack into the release, record REVISION',
    },
  );
  return {
    revision: sha,
    plan: {
      step: STEP,
      hosts,
      // The release step made the uploads dir (createRelease).
      before: (run, h) => upload(run, STEP, h, artifact?.file ?? source.path, remote),
      commands: () => [unpack],
      onError: (run, h) => removeLeftover(run, h, removeUpload(p, release.id)),
    },
    finish: async () => {
      if (!building) await artifact?.cleanup();
    },
  };
}

/**
 * Removes what a failed transfer left on a host (a partial upload) while the run can still reach it: also after
 * Ctrl-C, and over a new connection when the old one was lost. When the host cannot be reached, it stays.
 */
async function removeLeftover(ctx: RunContext, host: HostDef, command: Command): Promise<void> {
  const calm: RunContext = { ...ctx, signal: undefined };
  await exec(calm, STEP, host, command, { allowFail: true, timeoutMs: LEFTOVER_TIMEOUT_MS }).catch(() => undefined);
}

const LEFTOVER_TIMEOUT_MS = 10_000;

export async function sha256File(file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

const tail = (text: string) => text.trim().split('\n').slice(-20).join('\n');
