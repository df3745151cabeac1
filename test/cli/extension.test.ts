import { describe, expect, it } from 'vitest';
import { exampleProject, run } from './support.js';

describe('typed task modules in the built CLI (plain Node, no type stripping)', () => {
  it('loads the .ts example, `deploy` resolving to the package, and lists its tasks', async () => {
    const r = await run(['tasks', 'staging'], { cwd: exampleProject() });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(
      /^notify:chat +Tell the team which release went live\n +on web, once; runs after deploy — module deploy\/tasks\/notify\.ts$/m,
    );
    expect(r.stdout).toMatch(/^cache:warm +Ask the app once so that its caches fill\n +on web — module deploy\/tasks\/notify\.ts$/m);
  });

  it('plans the hooked task with the commands the module built', async () => {
    const r = await run(['plan', 'staging'], { cwd: exampleProject() });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(
      'mkdir -p /srv/shop/shared/notes && sh -c \'echo "deployed $DEPLOY_RELEASE to $DEPLOY_STAGE" >> notes/log\'',
    );
    expect(r.stdout).toMatch(/touch \/srv\/shop\/releases\/\d{14}\/\.notified-web1/);
  });
});
