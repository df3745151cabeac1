import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config/load.js';
import type { Config } from '../../../src/config/types.js';
import { DeployError, ExitCode } from '../../../src/errors.js';
import { betaHosts, betaSetup } from '../../../src/tasks/beta.js';
import { refusal } from './fixtures.js';

function stage(beta: string, balancer = '{ kind: haproxy, admin_socket: /srv/lb/haproxy.sock }'): Config {
  const dir = mkdtempSync(join(tmpdir(), 'deploy-beta-'));
  writeFileSync(
    join(dir, 'deploy.yml'),
    `app: shop
repository: https://github.com/acme/shop.git
${beta}
roles:
  balancer: { balancer: ${balancer} }
stages:
  staging:
    hosts:
      - { name: web1, address: 10.0.0.1, roles: [web] }
      - { name: web2, address: 10.0.0.2, roles: [web], beta: true }
      - { name: web3, address: 10.0.0.3, roles: [web] }
      - { name: db1, address: 10.0.0.10, roles: [db] }
      - { name: lb1, address: 10.0.0.30, roles: [balancer] }
`,
  );
  return loadConfig({ file: 'deploy.yml', stage: 'staging', cwd: dir, env: {} });
}

const configRefusal = (run: () => unknown): string => refusal(run, DeployError, ExitCode.config);

describe('the beta section', () => {
  it('resolves the mark and the hosts: `beta.hosts` and `beta: true`, in inventory order', () => {
    const c = stage('beta: { header: X-Beta, hosts: [web3] }');
    expect(c.beta).toEqual({ mark: { kind: 'header', name: 'X-Beta' }, hosts: ['web2', 'web3'] });
    expect(betaHosts(c).map((h) => h.name)).toEqual(['web2', 'web3']);
    expect(betaHosts(c, ['web1']).map((h) => h.name)).toEqual(['web1']);
  });

  it('is absent without a `beta` section, and then nothing can start', () => {
    const c = stage('');
    expect(c.beta).toBeUndefined();
    expect(configRefusal(() => betaSetup(c))).toBe('stage staging has no `beta` section in deploy.yml');
  });

  it('behind nginx needs the include file it owns', () => {
    const nginx = '{ kind: nginx, upstream_file: /srv/lb/upstream.conf }';
    expect(configRefusal(() => betaSetup(stage('beta: { cookie: beta }', nginx)))).toMatch(
      /^`beta.upstream_file` is required behind nginx/,
    );
    expect(betaSetup(stage('beta: { cookie: beta, upstream_file: /srv/lb/beta.conf }', nginx)).beta.upstreamFile).toBe('/srv/lb/beta.conf');
  });

  it.each([
    [['web9'], 'no host web9 in stage staging'],
    [['lb1'], 'lb1 gets no code, so it cannot serve a beta'],
    [['db1'], "db1 is in no balancer's pool, so no request could reach its beta"],
    [['web1', 'web2', 'web3'], 'every host of pool web would serve the beta: none would be left for everyone else'],
    [[], 'no beta hosts: list them in `beta.hosts`, mark them `beta: true`, or name them with --hosts'],
  ])('refuses beta hosts %j', (names, message) => {
    expect(configRefusal(() => betaHosts(stage('beta: { cookie: beta }'), names))).toBe(message);
  });
});
