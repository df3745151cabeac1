import type { BetaConfig } from '../config/types.js';
import { raw, read, write, type Command } from '../shell/command.js';
import { renderUpstream, type UpstreamServer } from './balancer.js';
import type { Paths } from './paths.js';
import { ifThen, test } from './sh.js';

/** The nginx variable the beta include file defines; the balancer's `proxy_pass http://$deploy_upstream;` reads it. */
export const BETA_VARIABLE = 'deploy_upstream';

export const BETA_HEADER =
  '# Written by deploy beta: `deploy beta` and `deploy beta … end` rewrite this file whole; edits by hand are lost.';

/** The nginx variable holding the beta mark: `$cookie_beta`, `$http_x_beta`. */
export function markVariable(mark: BetaConfig['mark']): string {
  if (mark.kind === 'cookie') {
    if (!/^[A-Za-z0-9_]+$/.test(mark.name)) throw new RangeError(`nginx cannot read the cookie ${JSON.stringify(mark.name)}`);
    return `$cookie_${mark.name}`;
  }
  if (!/^[A-Za-z0-9][A-Za-z0-9-]*$/.test(mark.name)) throw new RangeError(`not a header name: ${JSON.stringify(mark.name)}`);
  return `$http_${mark.name.toLowerCase().replace(/-/g, '_')}`;
}

/**
 * The beta include file for nginx: a `map` on the mark that chooses the upstream of each request, and the beta
 * upstream. With no beta servers every request goes to `live`, marked or not.
 */
export function renderBetaRoute(mark: BetaConfig['mark'], live: string, beta: string, servers: readonly UpstreamServer[]): string {
  const marked = servers.length > 0;
  const map = [`map ${markVariable(mark)} $${BETA_VARIABLE} {`, `  default ${live};`, ...(marked ? [`  "~." ${beta};`] : []), '}'];
  if (!/^[A-Za-z0-9][A-Za-z0-9_.-]*$/.test(live)) throw new RangeError(`not an nginx upstream name: ${JSON.stringify(live)}`);
  // renderUpstream's first line is about the pool file, not this one.
  const upstream = marked ? renderUpstream(beta, servers).split('\n').slice(1).join('\n') : '';
  return `${BETA_HEADER}\n${map.join('\n')}\n${upstream}`;
}

export interface BetaMarker {
  /** The beta release the host serves. */
  readonly release: string;
  readonly revision: string;
  /** The release the rest of the fleet serves, which `deploy beta … end` sends the host back to. */
  readonly live: string | null;
}

/** Writes the host's beta marker (key=value lines) atomically. */
export function writeBetaMarker(p: Paths, m: BetaMarker): Command {
  const text = `release=${m.release}\nrevision=${m.revision}\nlive=${m.live ?? ''}\n`;
  const tmp = `${p.beta}.tmp`;
  return write(['printf', '%s', text, raw('>'), tmp, raw('&&'), 'mv', '-f', tmp, p.beta], {
    description: `mark the host as serving beta release ${m.release}`,
  });
}

/** The marker's text; nothing when the host serves no beta. */
export const readBetaMarker = (p: Paths): Command =>
  read(ifThen(test('-f', p.beta), ['cat', p.beta]), { description: 'read the beta marker' });

export const removeBetaMarker = (p: Paths): Command => write(['rm', '-f', p.beta], { description: 'remove the beta marker' });
