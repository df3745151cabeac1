import * as z from 'zod';
import { hosts } from './sections/hosts.js';
import { strict } from './sections/primitives.js';
import { EXTENSION_PREFIX, SETTING_KEYS, sections, settingsShape, stageName } from './sections/settings.js';

const stageOverrides = Object.fromEntries(SETTING_KEYS.map((k) => [k, sections[k].optional()])) as {
  [K in keyof typeof sections]: z.ZodOptional<(typeof sections)[K]>;
};

const stage = strict({ ...stageOverrides, hosts }, 'a stage mapping with `hosts`').describe(
  'A stage: its hosts, and any top-level key to override (mappings merge key by key; lists and values replace).',
);

/**
 * The whole of deploy.yml, for the JSON Schema. Loading does not parse with it: it validates the top level merged
 * with one stage at a time (config/load.ts), so that every problem is placed where it was written.
 */
export const fileSchema = strict(
  {
    ...settingsShape,
    stages: z.record(stageName(), stage).describe('Deploy targets (staging, production …) by name, each with its hosts and overrides.'),
  },
  'a mapping',
);

/**
 * JSON Schema of deploy.yml, for editors (`# yaml-language-server: $schema=…`), as draft-07, which editors support
 * most widely. It describes what may be written: shorthands included, defaults shown, `${VAR}` not expanded.
 */
export function jsonSchema(): Record<string, unknown> {
  return {
    ...z.toJSONSchema(fileSchema, { io: 'input', target: 'draft-07' }),
    patternProperties: { [`^${EXTENSION_PREFIX}`]: { description: 'Ignored: a place for YAML anchors (`&name`).' } },
    title: 'deploy.yml',
    description: 'Configuration of `deploy`: the app, where its code comes from, and the stages it deploys to.',
  };
}
