import { visible } from '../../output/visible.js';
import { releaseHosts } from '../../tasks/deploy.js';
import { readHostReleases, rollbackTarget } from '../../tasks/rollback.js';
import { onHosts } from '../../tasks/runner.js';
import { out } from '../common.js';
import { runSession, type RunFlags } from '../session.js';

export function releases(stage: string, flags: RunFlags): Promise<number> {
  return runSession(stage, flags, 'releases', async ({ ctx }) => {
    const state = await onHosts(ctx, 'releases', releaseHosts(ctx), (h) => readHostReleases(ctx, 'releases', h));
    if (flags.json) {
      for (const [host, s] of state) {
        const messages = Object.fromEntries(s.log.filter((e) => e.message && s.releases.includes(e.release)).map((e) => [e.release, e.message]));
        out(JSON.stringify({ type: 'releases', host, current: s.current, rollbackTarget: rollbackTarget(s), releases: s.releases, bad: s.bad, messages }));
      }
      return;
    }
    for (const [host, s] of state) {
      const target = rollbackTarget(s);
      out(`${host}`);
      if (s.releases.length === 0) out('  (no releases)');
      for (const id of [...s.releases].reverse()) {
        const entries = s.log.filter((e) => e.release === id);
        const revision = entries.at(-1)?.revision.slice(0, 12) ?? '';
        const message = entries.filter((e) => e.message).pop()?.message;
        const mark = id === s.current ? '*' : id === target ? '<' : ' ';
        out(`  ${mark} ${id} ${revision}${s.bad.includes(id) ? ' (bad)' : ''}${message ? `  ${visible(message)}` : ''}`);
      }
    }
  }, { query: true });
}
