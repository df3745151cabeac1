import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config/load.js';
import { printableConfig, secretValues } from '../../../src/config/printable.js';
import { leakIn, SECRETS } from '../shell/secrets.js';

const CONFIG = `app: shop
repository: https://deploy:\${GIT_TOKEN}@git.example/shop.git
env:
  GIT_TOKEN: { secret: "\${GIT_TOKEN}" }
  API_KEY: { secret: "\${API_KEY}" }
  PLAIN: visible
tasks:
  notify:
    run: 'curl -H "Authorization: \${API_KEY}" https://hooks.example/deployed'
stages:
  staging:
    hosts:
      - { name: web1, address: 10.0.0.1, roles: [web] }
`;

function load(env: Record<string, string>) {
  const dir = mkdtempSync(join(tmpdir(), 'deploy-printable-'));
  writeFileSync(join(dir, 'deploy.yml'), CONFIG);
  return loadConfig({ file: join(dir, 'deploy.yml'), stage: 'staging', cwd: dir, env });
}

describe('printableConfig', () => {
  const env = { GIT_TOKEN: SECRETS.QUOTED, API_KEY: SECRETS.UNICODE };
  const config = load(env);
  const printable = printableConfig(config);
  const secrets = Object.values(env);

  it('knows the secret values', () => expect(secretValues(config).sort()).toEqual(secrets.sort()));

  it('masks secret values interpolated into other fields: repository, a task’s run', () => {
    expect((printable.source as { repository: string }).repository).toBe('https://deploy:***@git.example/shop.git');
    expect((printable.tasks as Record<string, { run: string }>).notify!.run).toBe(
      'curl -H "Authorization: ***" https://hooks.example/deployed',
    );
    expect((printable.env as Record<string, string>).PLAIN).toBe('visible');
  });

  it('holds no secret as YAML (deploy config) nor as JSON (deploy config --json)', () => {
    expect(leakIn(stringify(printable), secrets)).toBeUndefined();
    expect(leakIn(JSON.stringify(printable, null, 2), secrets)).toBeUndefined();
  });
});
