import { promotedText } from '../../output/plain.js';
import { visible } from '../../output/visible.js';
import { releaseHosts } from '../../tasks/deploy.js';
import { readHostReleases, rollbackTarget } from '../../tasks/rollback.js';
import { onHosts } from '../../tasks/runner.js';
import { out } from '../common.js';
import { runSession, type RunFlags } from '../session.js';

export function releases(stage: string, flags: RunFlags): Promise<number> {
  return runSession(
    stage,
    flags,
    'releases',
    async ({ ctx }) => {
      const state = await onHosts(ctx, 'releases', releaseHosts(ctx), (h) => readHostReleases(ctx, 'releases', h));
      if (flags.json) {
        for (const [host, s] of state) {
          const messages = Object.fromEntries(
            s.log.filter((e) => e.message && s.releases.includes(e.release)).map((e) => [e.release, e.message]),
          );
          const promoted = Object.fromEntries(
            s.log.filter((e) => e.from && s.releases.includes(e.release)).map((e) => [e.release, e.from]),
          );
          out(
            JSON.stringify({
              type: 'releases',
              host,
              current: s.current,
              rollbackTarget: rollbackTarget(s),
              releases: s.releases,
              bad: s.bad,
              messages,
              promoted,
            }),
          );
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
          const from = entries.filter((e) => e.from).pop()?.from;
          const mark = id === s.current ? '*' : id === target ? '<' : ' ';
          out(
            `  ${mark} ${id} ${revision}${s.bad.includes(id) ? ' (bad)' : ''}${message ? `  ${visible(message)}` : ''}${from ? `  promoted ${visible(promotedText(from))}` : ''}`,
          );
        }
      }
    },
    { query: true },
  );
}
