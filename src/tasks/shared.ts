import { paths } from '../commands/paths.js';
import { checkSharedFiles, createSharedDirs, linkShared } from '../commands/shared.js';
import type { HostDef } from '../config/types.js';
import { and } from '../shell/command.js';
import type { RunContext } from './context.js';
import type { ReleaseRef } from './env.js';
import { runSteps, type StepPlan } from './chain.js';

const STEP = 'shared';

/** Creates missing shared dirs, fails on missing required files (naming each), links everything into the release. */
export async function linkSharedInto(ctx: RunContext, hosts: readonly HostDef[], release: ReleaseRef): Promise<void> {
  await runSteps(ctx, [sharedPlan(ctx, hosts, release)]);
}

/** The shared step (runSteps). */
export function sharedPlan(ctx: RunContext, hosts: readonly HostDef[], release: ReleaseRef): StepPlan {
  const { dirs, files } = ctx.config.shared;
  const p = paths(ctx.config.deployTo);
  const required = files.some((f) => !f.optional);
  const link = and(
    [createSharedDirs(p, dirs, files), ...(required ? [checkSharedFiles(p, files)] : []), ...linkShared(p, release.dir, dirs, files)],
    { description: 'create shared dirs, check required shared files, link them into the release' },
  );
  return { step: STEP, hosts, commands: () => [link] };
}
