import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fleet } from '../fleet/context.js';
import { sshRun, type Fleet } from '../fleet/fleet.js';
import { until } from '../support/until.js';
import { appRepo, cli, project, type AppRepo } from './support/project.js';

// Clean-up off the critical path: old releases leave releases/ at once (a rename into .trash) and are removed in
// the background on the host, after the deploy returned.

const HOST = 'media1';
const PORT = 3171;
const releaseOf = (stdout: string) => / release (\d{14}) on /.exec(stdout)?.[1] ?? /release (\d{14})/.exec(stdout)?.[1] ?? '';

async function on(f: Fleet, command: string): Promise<string> {
  const r = await sshRun(f, HOST, command);
  if (r.code !== 0) throw new Error(`${HOST}: ${command}: exit ${r.code}: ${r.stderr}`);
  return r.stdout.trim();
}

/** Polls until `check` holds, at most `ms`; what it saw last is in the error. */
async function waitFor(what: string, check: () => Promise<{ ok: boolean; saw: string }>, ms = 60_000): Promise<void> {
  let saw = '';
  const holds = async () => {
    const r = await check();
    saw = r.saw;
    return r.ok;
  };
  await until(holds, { timeout: ms, interval: 100, what: () => `${what}; last saw: ${saw}` });
}

describe('clean-up in the background', () => {
  let f: Fleet;
  let repo: AppRepo;
  let p: ReturnType<typeof project>;
  const ids: string[] = [];
  const releases = async () => (await on(f, `ls '${p.deployTo}/releases'`)).split('\n').filter(Boolean);
  const trash = () => on(f, `ls -A '${p.deployTo}/.trash' 2>/dev/null || true`);
  const trashEmpty = () => waitFor('the trash emptied', async () => ({ ok: (await trash()) === '', saw: await trash() }));
  const deploy = async () => {
    const r = await cli(['staging', '-c', p.file, '--hosts', HOST]);
    expect(r.code, r.stderr).toBe(0);
    ids.push(releaseOf(r.stdout));
    return r;
  };
  /** 20,000 files in a release, as a large node_modules would have. */
  const fill = (id: string) => on(f, `d='${p.deployTo}/releases/${id}/big'; mkdir -p "$d" && cd "$d" && seq 20000 | xargs touch`);

  beforeAll(async () => {
    f = fleet();
    repo = appRepo();
    repo.commit('v1');
    p = project(f, {
      source: { repository: repo.url },
      keepReleases: 1,
      extra: { health: { path: '/health', port: PORT, retries: 20, interval: 0.25, timeout: 2 }, env: { PORT: String(PORT) } },
    });
    await deploy();
    await deploy();
  });
  afterAll(async () => {
    await sshRun(
      f,
      HOST,
      `chmod -R u+w '${p.deployTo}' 2>/dev/null; p='${p.deployTo}/shared/tmp/pids/app.pid'; [ -f "$p" ] && kill "$(cat "$p")" 2>/dev/null; rm -rf '${p.deployTo}'; true`,
    );
  });

  it('a 20,000-file release leaves releases/ at once and is removed after the deploy returned; current and the rollback target stay', async () => {
    const [r1, r2] = ids as [string, string];
    await fill(r1);
    await deploy();
    const r3 = ids[2]!;
    expect(await releases()).toEqual([r2, r3]);
    expect(await on(f, `basename "$(readlink '${p.deployTo}/current')"`)).toBe(r3);
    await trashEmpty();
    expect(await on(f, `cat '${p.deployTo}/.trash.log'`)).toMatch(new RegExp(`removing ${r1}\\.\\d+ \\n.* done: exit 0$`));
    expect(await releases()).toEqual([r2, r3]);
    expect(await on(f, `cat '${p.deployTo}/releases/${r2}/REVISION' '${p.deployTo}/current/REVISION' | wc -l`)).toBe('2');
  });

  it('a removal that stopped half-way leaves nothing that the next deploy does not remove', async () => {
    const r2 = ids[1]!;
    await fill(r2);
    // Part of the release cannot be removed: the background removal stops with it still in the trash.
    await on(f, `chmod 555 '${p.deployTo}/releases/${r2}/big'`);
    const r = await deploy();
    expect(r.stdout).not.toMatch(/old releases/);
    await waitFor('the background removal to give up', async () => {
      const log = await on(f, `cat '${p.deployTo}/.trash.log' 2>/dev/null || true`);
      return { ok: /done: exit [1-9]/.test(log), saw: log };
    });
    expect(await trash()).toMatch(new RegExp(`^${r2}\\.\\d+$`));
    expect(await releases()).toEqual(ids.slice(2, 4));
    await on(f, `chmod -R u+w '${p.deployTo}/.trash'`);
    await deploy();
    await trashEmpty();
    expect(await releases()).toEqual(ids.slice(3, 5));
    expect(await on(f, `basename "$(readlink '${p.deployTo}/current')"`)).toBe(ids[4]);
  });
});
