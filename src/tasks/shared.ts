import { paths } from '../commands/paths.js';
import { checkSharedFiles, createSharedDirs, linkShared } from '../commands/shared.js';
import type { HostDef } from '../config/types.js';
import { and } from '../shell/command.js';
import type { RunContext } from './context.js';
import type { ReleaseRef } from './env.js';
import { exec, onHosts } from './runner.js';

const STEP = 'shared';

/** Creates missing shared dirs, fails on missing required files (naming each), links everything into the release. */
export async function linkSharedInto(ctx: RunContext, hosts: readonly HostDef[], release: ReleaseRef): Promise<void> {
  const { dirs, files } = ctx.config.shared;
  const p = paths(ctx.config.deployTo);
  await onHosts(ctx, STEP, hosts, async (host) => {
    await exec(ctx, STEP, host, createSharedDirs(p, dirs, files));
    await exec(ctx, STEP, host, checkSharedFiles(p, files));
    const links = linkShared(p, release.dir, dirs, files);
    if (links.length > 0) await exec(ctx, STEP, host, and(links, { description: 'link shared dirs and files into the release' }));
  });
}
