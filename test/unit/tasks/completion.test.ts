import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { specOf } from '../../../src/cli/completion.js';
import { buildProgram } from '../../../src/cli/main.js';
import { completions, configFileOf, glueBashWords, NO_NAMES, projectNames } from '../../../src/tasks/completion.js';

const repo = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const spec = specOf(buildProgram());
const names = projectNames('deploy.example.yml', repo);
const verbs = [
  'init',
  'config',
  'plan',
  'check',
  'rollback',
  'promote',
  'beta',
  'sync',
  'drain',
  'undrain',
  'releases',
  'status',
  'run',
  'ssh',
  'lock',
  'unlock',
  'logs',
  'tasks',
  'task',
  'schema',
  'completion',
];

describe('completion: what deploy.example.yml names', () => {
  it("stages, hosts per stage, roles, tasks (with the recipe's), recipes", () => {
    expect(names.stages.map((s) => s.name)).toEqual(['staging', 'production']);
    expect(names.stages[0]).toEqual({
      name: 'staging',
      hosts: ['web1', 'web2', 'db1', 'media1', 'lb1'],
      roles: ['web', 'db', 'media', 'balancer'],
    });
    expect(names.stages[1]!.hosts).toEqual(['web1', 'web2', 'web3', 'web4', 'db1', 'media1', 'lb1']);
    expect(names.roles).toEqual(expect.arrayContaining(['web', 'db', 'media', 'balancer']));
    expect(names.tasks).toEqual(['backup_db', 'notify', 'page', 'node:build', 'node:prune', 'db:create', 'node:stop']);
    expect(names.recipes).toEqual(['django', 'node']);
  });

  it('no file, or one that is not YAML, names nothing and throws nothing', () => {
    expect(projectNames('nowhere.yml', repo)).toEqual({ ...NO_NAMES, recipes: ['django', 'node'] });
    expect(projectNames('README.md', repo).stages).toEqual([]);
  });
});

describe('completion: candidates for the last word', () => {
  it.each([
    ['verbs and stages first', [''], [...verbs, 'staging', 'production']],
    ['by prefix', ['st'], ['status', 'staging']],
    ['a stage after a verb', ['plan', ''], ['staging', 'production']],
    ['nothing after the last argument', ['plan', 'staging', ''], []],
    ['promote: both stages', ['promote', 'staging', 'pr'], ['production']],
    ['hosts of the chosen stage', ['ssh', 'staging', ''], ['web1', 'web2', 'db1', 'media1', 'lb1']],
    ['hosts as --hosts values, a list', ['staging', '--hosts', 'web1,w'], ['web1,web2']],
    ['-H is --hosts', ['plan', 'production', '-H', 'web'], ['web1', 'web2', 'web3', 'web4']],
    ['--opt=value', ['staging', '--hosts=d'], ['--hosts=db1']],
    ['roles of the stage', ['staging', '-r', ''], ['web', 'db', 'media', 'balancer']],
    ['task names', ['task', 'staging', 'no'], ['notify', 'node:build', 'node:prune', 'node:stop']],
    ['flags of the deploy after a stage', ['staging', '--re'], ['--report']],
    ['flags of a verb', ['plan', 'staging', '--'], ['--roles', '--hosts', '--config', '--help']],
    ['program flags before anything', ['--v'], ['--verbose', '--version']],
    ['a file after -c: none (the shell completes files)', ['plan', '-c', ''], []],
    ['options before the verb are skipped with their value', ['-c', 'deploy.example.yml', 'pl'], ['plan']],
    ['shells for completion', ['completion', ''], []],
    ['recipes for init --recipe', ['init', '--recipe', ''], ['django', 'node']],
  ])('%s', (_name, words, expected) => expect(completions(words, spec, names)).toEqual(expected));

  it('the config file the words name', () => {
    expect(configFileOf(['plan', '-c', 'x.yml', ''])).toBe('x.yml');
    expect(configFileOf(['--config=y.yml', 'plan', ''])).toBe('y.yml');
    expect(configFileOf(['plan', '-c'])).toBe('deploy.yml');
  });

  it('bash splits at : and =; the words are glued back and what bash holds as typed is stripped', () => {
    expect(glueBashWords(['task', 'staging', 'node', ':', 'b'])).toEqual({ words: ['task', 'staging', 'node:b'], typed: 5 });
    expect(glueBashWords(['task', 'staging', 'node', ':'])).toEqual({ words: ['task', 'staging', 'node:'], typed: 4 });
    expect(glueBashWords(['staging', '--hosts', '=', 'web1,'])).toEqual({ words: ['staging', '--hosts=web1,'], typed: 8 });
    expect(glueBashWords([])).toEqual({ words: [''], typed: 0 });
  });
});
