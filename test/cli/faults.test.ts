import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot, run } from './support.js';

const example = join(repoRoot, 'deploy.example.yml');
const env = { DATABASE_URL: 'postgres://u:p@db/app' };

describe('DEPLOY_FAULTS (failpoints, a testing aid)', () => {
  it('a real run with a DEPLOY_FAULTS that does not parse stops before any host, exit 2, naming the variable', async () => {
    const r = await run(['staging', '-c', example], { env: { ...env, DEPLOY_FAULTS: 'fail@web1:2,boom' } });
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toContain('DEPLOY_FAULTS: cannot read "boom": expected <kind>@<host>:<n>');
  });

  it('is only for real runs: an offline plan ignores it', async () => {
    const r = await run(['plan', 'staging', '-c', example], { env: { ...env, DEPLOY_FAULTS: 'boom' } });
    expect(r.code, r.stderr).toBe(0);
  });
});
