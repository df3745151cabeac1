import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { listStages, loadConfig, printableConfig } from '../../../src/config/load.js';
import { configYaml } from '../../../src/output/config-yaml.js';

const root = fileURLToPath(new URL('../../../', import.meta.url));
/** The variables the configs below interpolate. */
const env = {
  DATABASE_URL: 'postgres://db/shop',
  PRODUCTION_DATABASE_URL: 'postgres://db1/shop',
  HOME: '/home/me',
  PORT: '3000',
  AMOUNT: '12',
  APP_PORT: '3000',
  SSH_PORT: '2022',
  USER_NAME: 'deploy',
  FLEET_KEY: '/k',
  FLEET_KNOWN_HOSTS: '/kh',
};

describe('deploy config as YAML: exactly what the yaml library prints', () => {
  const configs = [
    join(root, 'deploy.example.yml'),
    ...readdirSync(join(root, 'fixtures/configs/good')).map((f) => join(root, 'fixtures/configs/good', f)),
    join(root, 'fixtures/demo/deploy.yml'),
  ];

  it.each(configs.map((f) => f.slice(root.length)))('every stage of %s', (file) => {
    const stages = listStages(file, root);
    expect(stages.length).toBeGreaterThan(0);
    for (const stage of stages) {
      const printable = printableConfig(loadConfig({ file, stage, cwd: root, env }));
      expect(configYaml(printable)).toBe(stringify(printable));
    }
  });

  const words = [
    'a',
    'web1',
    'KEY_1',
    'value-1',
    '10.0.0.1',
    '/srv/app',
    'a.b',
    '1.10',
    '0755',
    '1e3',
    '0o7',
    '0x1F',
    'true',
    'null',
    '~',
    'yes',
    '.',
    '-a',
    'a-',
    'a b',
    'a: b',
    'a:b',
    'a#b',
    '#a',
    '*a',
    '&a',
    '!a',
    '%a',
    '@a',
    '=a',
    'a=b',
    '+1',
    '-1',
    '.5',
    '.inf',
    '.nan',
    '',
    ' ',
    'x'.repeat(90),
    `${'word '.repeat(20)}end`,
    'multi\nline',
    'tab\there',
    '"q"',
    "'s'",
    '***',
    'é',
    '[a]',
    '{a}',
    'a,b',
    '|',
    '>',
    '?',
    'a~',
    '~a',
  ];
  const scalar = fc.oneof(
    fc.constantFrom(...words),
    fc.integer(),
    fc.constantFrom(0.5, -0, 1e21, Number.NaN, 2 ** 60),
    fc.boolean(),
    fc.constant(null),
  );
  const value = fc.letrec<{ v: unknown }>((tie) => ({
    v: fc.oneof(
      { depthSize: 'small' },
      scalar,
      fc.array(tie('v'), { maxLength: 4 }),
      fc.dictionary(fc.constantFrom(...words), tie('v'), { maxKeys: 4 }),
    ),
  }));

  it('generated values: mappings, lists and scalars of every kind, nested', { timeout: 120_000 }, () => {
    fc.assert(
      fc.property(fc.dictionary(fc.constantFrom(...words), value.v, { maxKeys: 6 }), (config) => {
        expect(configYaml(config)).toBe(stringify(config));
      }),
      { numRuns: 3000, seed: 11 },
    );
  });

  it('writes the plain parts itself (so that the comparison compares)', () => {
    const config = { app: 'shop', env: { A: 'x', B: 1, C: true }, hosts: [{ name: 'web1', roles: ['web'] }] };
    expect(configYaml(config)).toBe('app: shop\nenv:\n  A: x\n  B: 1\n  C: true\nhosts:\n  - name: web1\n    roles:\n      - web\n');
  });
});
