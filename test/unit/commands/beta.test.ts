import { describe, expect, it } from 'vitest';
import {
  BETA_HEADER,
  markVariable,
  readBetaMarker,
  removeBetaMarker,
  renderBetaRoute,
  writeBetaMarker,
} from '../../../src/commands/beta.js';
import { paths } from '../../../src/commands/paths.js';
import { betaMarker, parseBetaMarker } from '../../../src/facts/beta.js';
import { parseUpstream } from '../../../src/facts/balancer.js';
import { cmd } from '../../../src/shell/command.js';
import { renders, sandbox } from './table.js';

const p = paths('/srv/app');
const cookie = { kind: 'cookie', name: 'beta' } as const;

describe('the nginx beta include file', () => {
  it('routes requests with a non-empty mark to the beta upstream, and lists the beta servers', () => {
    expect(
      renderBetaRoute(cookie, 'app', 'app_beta', [{ address: '10.0.0.2', port: 3000, down: false, name: 'web2' }]),
    ).toBe(`${BETA_HEADER}
map $cookie_beta $deploy_upstream {
  default app;
  "~." app_beta;
}
upstream app_beta {
  server 10.0.0.2:3000 max_fails=1 fail_timeout=5s; # web2
  keepalive 16;
  keepalive_timeout 1s;
}
`);
  });

  it('without beta servers sends every request to the live upstream, and has no beta upstream (nginx refuses an empty one)', () => {
    expect(renderBetaRoute({ kind: 'header', name: 'X-Beta-User' }, 'app', 'app_beta', [])).toBe(
      `${BETA_HEADER}\nmap $http_x_beta_user $deploy_upstream {\n  default app;\n}\n`,
    );
  });

  it('reads back with the upstream parser: the servers that get the beta', () => {
    const text = renderBetaRoute(cookie, 'app', 'app_beta', [{ address: '10.0.0.2', port: 3000, down: false, name: 'web2' }]);
    expect(parseUpstream(text)).toEqual({ name: 'app_beta', servers: [{ address: '10.0.0.2', port: 3000, down: false, name: 'web2' }] });
  });

  it('refuses names nginx would read as something else', () => {
    expect(() => markVariable({ kind: 'cookie', name: 'beta-user' })).toThrow(RangeError);
    expect(() => markVariable({ kind: 'header', name: 'X Beta' })).toThrow(RangeError);
    expect(() => renderBetaRoute(cookie, 'app; evil', 'app_beta', [])).toThrow(RangeError);
    expect(() => renderBetaRoute(cookie, 'app', 'app_beta;', [{ address: '10.0.0.2', port: 3000, down: false }])).toThrow(RangeError);
  });
});

describe('the beta marker', () => {
  renders([
    [
      'write',
      () => writeBetaMarker(p, { release: '20260101120000', revision: 'abc123', live: '20251231120000' }),
      "printf %s 'release=20260101120000\nrevision=abc123\nlive=20251231120000\n' > /srv/app/beta.tmp && mv -f /srv/app/beta.tmp /srv/app/beta",
      'write',
    ],
    ['read', () => readBetaMarker(p), 'if [ -f /srv/app/beta ] ; then cat /srv/app/beta ; fi', 'read'],
    ['remove', () => removeBetaMarker(p), 'rm -f /srv/app/beta', 'write'],
    ['fact', () => betaMarker(p).command, 'if [ -f /srv/app/beta ] ; then cat /srv/app/beta ; fi', 'read'],
  ]);

  it.each([
    ['none', '', null],
    [
      'a beta',
      'release=20260101120000\nrevision=abc\nlive=20251231120000\n',
      { release: '20260101120000', revision: 'abc', live: '20251231120000' },
    ],
    ['no live release before it', 'release=20260101120000\nrevision=\nlive=\n', { release: '20260101120000', revision: '', live: null }],
  ])('parses %s', (_, text, expected) => expect(parseBetaMarker(text)).toEqual(expected));

  it.each([
    ['no release', 'revision=abc\n'],
    ['a live that is not a release id', 'release=20260101120000\nlive=../x\n'],
  ])('refuses %s', (_, text) => expect(() => parseBetaMarker(text)).toThrow(/beta marker/));

  it('goes round trip through sh', () => {
    const box = sandbox();
    try {
      box.run(cmd(['mkdir', '-p', box.p.root]));
      expect(box.run(writeBetaMarker(box.p, { release: '20260101120000', revision: 'r', live: null })).code).toBe(0);
      expect(parseBetaMarker(box.run(readBetaMarker(box.p)).stdout)).toEqual({ release: '20260101120000', revision: 'r', live: null });
      expect(box.run(removeBetaMarker(box.p)).code).toBe(0);
      expect(parseBetaMarker(box.run(readBetaMarker(box.p)).stdout)).toBeNull();
    } finally {
      box.cleanup();
    }
  });
});
