import { describeValue, unknownKeyMessage, type Problem } from './issues.js';
import { isMapping, type KeyPath } from './path.js';
import { EXTENSION_PREFIX, SETTING_KEYS, stageName } from './sections/settings.js';

/** Stage names that would read as a command: `deploy status` must never mean "deploy to the stage status". */
export const RESERVED_STAGE_NAMES = [
  'init',
  'config',
  'plan',
  'schema',
  'check',
  'rollback',
  'promote',
  'beta',
  'releases',
  'status',
  'run',
  'ssh',
  'lock',
  'unlock',
  'logs',
  'tasks',
  'task',
  'deploy',
  'help',
  'version',
  'completion',
  '__complete',
  'sync',
  'drain',
  'undrain',
] as const;

/** The shape of the file around the settings: a mapping, known top-level keys, and well-formed stages. */
export function checkLayout(root: unknown): Problem[] {
  if (root === null) {
    return [{ path: [], message: 'the file is empty; expected a mapping with `app`, a source and `stages`' }];
  }
  if (!isMapping(root)) {
    const message = `expected a mapping with \`app\`, a source and \`stages\`, found ${describeValue(root)}`;
    return [{ path: [], message }];
  }
  const problems: Problem[] = [];
  const topKeys = [...SETTING_KEYS, 'stages'];
  for (const key of Object.keys(root)) {
    if (topKeys.includes(key) || key.startsWith(EXTENSION_PREFIX)) continue;
    problems.push({
      path: [key],
      at: 'key',
      message: key === 'hosts' ? 'hosts belong to a stage: move them under `stages.<stage>.hosts`' : unknownKeyMessage(key, topKeys),
    });
  }

  const stages = root.stages;
  const expected = 'expected a mapping of stage names (staging, production …) to stages';
  if (stages === undefined) return [...problems, { path: ['stages'], message: `${expected}, but the key is missing` }];
  if (!isMapping(stages)) {
    return [...problems, { path: ['stages'], message: `${expected}, found ${describeValue(stages)}` }];
  }
  if (Object.keys(stages).length === 0) {
    return [...problems, { path: ['stages'], message: 'expected at least one stage, found an empty mapping' }];
  }

  const stageKeys = [...SETTING_KEYS, 'hosts'];
  for (const [name, body] of Object.entries(stages)) {
    const path: KeyPath = ['stages', name];
    if ((RESERVED_STAGE_NAMES as readonly string[]).includes(name)) {
      problems.push({
        path,
        at: 'key',
        message:
          `\`${name}\` is a deploy command and cannot name a stage; ` + `rename the stage (reserved: ${RESERVED_STAGE_NAMES.join(', ')})`,
      });
    } else {
      const r = stageName().safeParse(name);
      const message = r.success ? undefined : `${r.error.issues[0]?.message}, found ${JSON.stringify(name)}`;
      if (message) problems.push({ path, at: 'key', message });
    }
    if (!isMapping(body)) {
      problems.push({ path, message: `expected a stage mapping with \`hosts\`, found ${describeValue(body)}` });
      continue;
    }
    for (const key of Object.keys(body)) {
      if (stageKeys.includes(key)) continue;
      problems.push({
        path: [...path, key],
        at: 'key',
        message: key === 'stages' ? 'stages cannot be nested' : unknownKeyMessage(key, stageKeys),
      });
    }
  }
  return problems;
}
