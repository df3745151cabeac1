import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { preflight, preflightThen } from '../../../src/commands/preflight.js';
import { parsePreflight, splitPreflightThen } from '../../../src/facts/preflight.js';
import { read, write } from '../../../src/shell/command.js';
import { renders, sandbox } from './table.js';

describe('preflight command', () => {
  renders([
    [
      'checks tools, then deploy_to or its nearest existing parent',
      () => preflight({ deployTo: '/srv/my app', tools: ['git', 'tar', 'sha256sum'] }),
      `for t in git tar sha256sum ; do if command -v "$t" >/dev/null 2>&1 ; then printf 'tool %s ' "$t" ; command -v "$t" ; else printf 'missing-tool %s\\n' "$t" ; fi ; done; d='/srv/my app'; if [ -e "$d" ] ; then printf 'exists yes\\n' ; else printf 'exists no\\n' ; fi ; while [ ! -e "$d" ] ; do d=$(dirname "$d"); done; printf 'probe-dir %s\\n' "$d" ; df=$(df -Pk "$d"); df=\${df#*[[:cntrl:]]}; printf 'df %s\\n' "$df" ; if [ -w "$d" ] ; then printf 'writable yes\\n' ; else printf 'writable no\\n' ; fi`,
      'read',
    ],
    [
      'without tools',
      () => preflight({ deployTo: '/srv/app', tools: [] }),
      `d=/srv/app; if [ -e "$d" ] ; then printf 'exists yes\\n' ; else printf 'exists no\\n' ; fi ; while [ ! -e "$d" ] ; do d=$(dirname "$d"); done; printf 'probe-dir %s\\n' "$d" ; df=$(df -Pk "$d"); df=\${df#*[[:cntrl:]]}; printf 'df %s\\n' "$df" ; if [ -w "$d" ] ; then printf 'writable yes\\n' ; else printf 'writable no\\n' ; fi`,
      'read',
    ],
  ]);

  renders([
    [
      'preflightThen: the check and the next command in one round trip, each in its own subshell, the check’s status between',
      () =>
        preflightThen(
          read(['df', '-Pk', '/srv'], { description: 'check' }),
          write(['mkdir', '/srv/app/deploy.lock'], { description: 'lock' }),
        ),
      `( df -Pk /srv ); printf '\\n%s %s\\n' deploy:preflight-exit "$?"; ( mkdir /srv/app/deploy.lock )`,
      'write',
    ],
  ]);

  it('refuses a tool name that is not one', () => {
    expect(() => preflight({ deployTo: '/srv/app', tools: ['git', 'rm -rf'] })).toThrow(/not a tool name/);
  });
});

describe('preflight command on a real shell', () => {
  const box = sandbox();
  afterAll(box.cleanup);

  it('reports tools, the nearest existing dir, its free space and write permission', () => {
    const deployTo = join(box.p.root, 'not', 'yet');
    const r = box.run(preflight({ deployTo, tools: ['sh', 'no-such-tool-here'] }));
    expect(r.code).toBe(0);
    const report = parsePreflight(r.stdout);
    expect(report.tools).toEqual({ sh: expect.stringMatching(/\/sh$/) });
    expect(report.missingTools).toEqual(['no-such-tool-here']);
    expect(report.exists).toBe(false);
    expect(report.probeDir).toBe(box.dir);
    expect(report.disk?.availableKiB).toBeGreaterThan(0);
    expect(report.writable).toBe(true);

    mkdirSync(deployTo, { recursive: true });
    expect(parsePreflight(box.run(preflight({ deployTo, tools: [] })).stdout)).toMatchObject({
      exists: true,
      probeDir: deployTo,
      writable: true,
    });
  });
});

describe('preflight: what earlier runs left, looked for only when space is short', () => {
  const box = sandbox();
  afterAll(box.cleanup);

  it('lists the leftovers with their sizes below the threshold, and nothing above it', () => {
    mkdirSync(box.p.releases, { recursive: true });
    mkdirSync(join(box.p.releases, '20240101000000'));
    mkdirSync(box.p.uploads);
    writeFileSync(join(box.p.uploads, '20240101000000.tar.gz'), 'x'.repeat(8192));
    writeFileSync(box.p.revisionsLog, '');
    const at = (belowKiB: number) =>
      parsePreflight(box.run(preflight({ deployTo: box.p.root, tools: [], releases: { paths: box.p, belowKiB } })).stdout);
    expect(at(0).removableKiB).toBe(0);
    expect(at(2 ** 40).removableKiB).toBeGreaterThanOrEqual(8);
  });
});

describe('preflightThen on a real shell', () => {
  const box = sandbox();
  afterAll(box.cleanup);

  it('gives the check’s output and status apart from the next command’s, whatever either prints or returns', () => {
    const r = box.run(
      preflightThen(read(['sh', '-c', 'printf "tool a /a"; exit 3']), write(['sh', '-c', 'printf "acquired\\nx\\n"; exit 1'])),
    );
    expect(r.code).toBe(1);
    expect(splitPreflightThen(r.stdout)).toEqual({ check: 'tool a /a\n', code: 3, next: 'acquired\nx\n' });
    expect(splitPreflightThen('tool a /a\n')).toEqual({ check: 'tool a /a\n', code: null, next: '' });
  });
});
