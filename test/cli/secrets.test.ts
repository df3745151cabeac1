import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { leakIn, SECRETS } from '../unit/shell/secrets.js';
import { run } from './support.js';

describe('deploy config', () => {
  it('masks a secret interpolated into another field (repository, a task’s run), as YAML and --json', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'deploy-secrets-cli-'));
    writeFileSync(
      join(dir, 'deploy.yml'),
      `app: shop
repository: https://deploy:\${UNICODE}@git.example/shop.git
env:
  QUOTED: { secret: "\${QUOTED}" }
  UNICODE: { secret: "\${UNICODE}" }
  KEY: { secret: "\${KEY}" }
tasks:
  notify: { run: 'curl -H "X-Key: \${QUOTED}" https://hooks.example/' }
stages:
  staging:
    hosts: [{ name: web1, address: 10.0.0.1, roles: [web] }]
`,
    );
    for (const args of [[], ['--json']]) {
      const r = await run(['config', 'staging', ...args], { cwd: dir, env: { ...SECRETS } });
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toContain('https://deploy:***@git.example/shop.git');
      expect(r.stdout).toContain('X-Key: ***');
      expect(leakIn(r.stdout, Object.values(SECRETS)), `deploy config ${args.join(' ')}`).toBeUndefined();
    }
  });
});

describe('deploy run --help', () => {
  it('says what one argument and several arguments mean', async () => {
    const r = await run(['run', '--help']);
    expect(r.stdout).toContain('One argument after -- is a shell snippet');
    expect(r.stdout).toContain('Several arguments are one program and its arguments');
    expect(r.stdout).toContain("deploy run staging -- printf '[%s]\\n' 'a b'");
  });
});
