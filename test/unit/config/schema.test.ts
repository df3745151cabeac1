import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { listStages, loadConfig } from '../../../src/config/load.js';
import { jsonSchema } from '../../../src/config/schema.js';
import { SETTING_KEYS } from '../../../src/config/sections/settings.js';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const example = `${root}deploy.example.yml`;

interface JsonSchema {
  description?: string;
  properties?: Record<string, JsonSchema>;
  [k: string]: unknown;
}

/** Every `properties` entry anywhere in the schema, with its dotted path. */
function properties(node: unknown, path = ''): [string, JsonSchema][] {
  if (Array.isArray(node)) return node.flatMap((n) => properties(n, path));
  if (node === null || typeof node !== 'object') return [];
  return Object.entries(node as JsonSchema).flatMap(([k, v]) =>
    k === 'properties'
      ? Object.entries(v as Record<string, JsonSchema>).flatMap(([name, p]): [string, JsonSchema][] => [
          [`${path}.${name}`, p],
          ...properties(p, `${path}.${name}`),
        ])
      : properties(v, k === 'additionalProperties' ? `${path}.*` : path),
  );
}

describe('jsonSchema', () => {
  const schema = jsonSchema() as JsonSchema;

  it('is draft-07 with the top-level keys, stages and x- extensions', () => {
    expect(schema.$schema).toBe('http://json-schema.org/draft-07/schema#');
    expect(Object.keys(schema.properties ?? {})).toEqual([...SETTING_KEYS, 'stages']);
    expect(schema.additionalProperties).toBe(false);
    expect(schema.patternProperties).toHaveProperty(['^x-']);
  });

  it('describes every key', () => {
    const all = properties(schema);
    expect(all.length).toBeGreaterThan(100);
    expect(all.filter(([, p]) => !p.description).map(([path]) => path)).toEqual([]);
  });

  it('accepts the shorthands', () => {
    const install = schema.properties?.install as { anyOf: { type: string }[] };
    expect(install.anyOf.map((s) => s.type)).toEqual(['string', 'object']);
  });
});

describe('deploy.example.yml', () => {
  const text = readFileSync(example, 'utf8');

  it('loads with the real schema, every stage, without any environment', () => {
    const stages = listStages(example, root);
    expect(stages).toEqual(['staging', 'production']);
    for (const stage of stages) {
      const c = loadConfig({ file: example, stage, cwd: root, env: {} });
      expect(c.stage).toBe(stage);
    }
  });

  it('runs staging on the local test fleet', () => {
    const c = loadConfig({ file: example, stage: 'staging', cwd: root, env: {} });
    expect(c.hosts.map((h) => [h.name, h.address])).toEqual([
      ['web1', '127.0.1.1'],
      ['web2', '127.0.1.2'],
      ['db1', '127.0.1.10'],
      ['media1', '127.0.1.20'],
      ['lb1', '127.0.1.30'],
    ]);
  });

  it('mentions every top-level key', () => {
    const missing = [...SETTING_KEYS, 'stages'].filter((k) => !new RegExp(`^#? ?${k}:`, 'm').test(text));
    expect(missing).toEqual([]);
  });

  it('mentions every key the schema knows', () => {
    const names = new Set(properties(jsonSchema()).map(([path]) => path.split('.').pop() ?? ''));
    const missing = [...names].filter((k) => !new RegExp(`\\b${k}\\b`).test(text));
    expect(missing).toEqual([]);
  });
});
