import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config/load.js';
import { ConfigError } from '../../../src/errors.js';
import { importError, loadTaskModules } from '../../../src/tasks/modules.js';
import { taskInput } from '../../../src/tasks/module-api.js';
import { render } from '../../../src/shell/command.js';
import { runTask, taskRegistry } from '../../../src/tasks/tasks.js';
import { planContext } from '../tasks/fixtures.js';

function project(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'deploy-modules-'));
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, name)), { recursive: true });
    writeFileSync(join(dir, name), text);
  }
  return dir;
}

const deployYml = (extra = '') => `app: shop
repository: /srv/git/shop.git
${extra}
stages:
  staging:
    hosts:
      - { name: web1, address: 10.0.0.1, roles: [web], primary: true }
      - { name: web2, address: 10.0.0.2, roles: [web] }
      - { name: db1, address: 10.0.0.10, roles: [db] }
`;

const NOTIFY = `export default ({ script, write, and }) => ({
  'notify:chat': {
    description: 'Tell the chat',
    roles: ['web'],
    once: true,
    commands: ({ host, release, paths }) => [
      and([write(['mkdir', '-p', paths.shared + '/notes']), script('echo "deployed $DEPLOY_RELEASE" >> notes/log')], { cwd: paths.shared }),
      write(['touch', (release ? release.dir : paths.current) + '/.notified-' + host.name]),
    ],
  },
  'warm': { run: 'curl -fsS "http://$DEPLOY_ADDRESS:3000/" >/dev/null', roles: ['web'], cwd: 'current' },
});
`;

const EXAMPLE_COMMANDS = [
  `cd /srv/shop/shared && export CHAT_TOKEN=*** && ( mkdir -p /srv/shop/shared/notes && sh -c 'echo "deployed $DEPLOY_RELEASE to $DEPLOY_STAGE" >> notes/log' )`,
  'touch /srv/shop/releases/20240102030405/.notified-web1',
];

async function configError(run: () => Promise<unknown>): Promise<string> {
  try {
    await run();
  } catch (e) {
    if (e instanceof ConfigError) return `${e.message}\n${e.hint ?? ''}`;
    throw e;
  }
  throw new Error('expected a ConfigError');
}

describe('task modules: loading', () => {
  it('a module exporting a function of the builders, and one exporting the tasks (CommonJS)', async () => {
    const dir = project({
      'deploy/tasks/notify.mjs': NOTIFY,
      'deploy/tasks/plain.cjs': "module.exports = { 'plain:hello': { run: 'echo hello', description: 'Say hello' } };\n",
    });
    const tasks = await loadTaskModules([join(dir, 'deploy/tasks/notify.mjs'), join(dir, 'deploy/tasks/plain.cjs')], dir);
    expect(tasks.map((t) => [t.name, t.roles, t.once, t.cwd])).toEqual([
      ['notify:chat', ['web'], true, 'release'],
      ['warm', ['web'], false, 'current'],
      ['plain:hello', [], false, 'release'],
    ]);
  });

  it.each([
    ['a missing file', {}, 'deploy/tasks/x.mjs', 'task module does not exist'],
    ['a syntax error', { 'deploy/tasks/x.mjs': 'export default {' }, 'deploy/tasks/x.mjs', 'cannot load the task module: '],
    ['no export', { 'deploy/tasks/x.mjs': 'export const y = 1;\n' }, 'deploy/tasks/x.mjs', 'exports no tasks'],
    [
      'a task without run or commands',
      { 'deploy/tasks/x.mjs': "export default { t: { roles: ['web'] } };\n" },
      'deploy/tasks/x.mjs',
      't: set exactly one of `run` (a shell snippet) or `commands` (a function)',
    ],
    [
      'a wrong field',
      { 'deploy/tasks/x.mjs': "export default { t: { run: 'x', once: 'yes' } };\n" },
      'deploy/tasks/x.mjs',
      't.once: expected true or false',
    ],
    ['an unknown field', { 'deploy/tasks/x.mjs': "export default { t: { run: 'x', rolse: [] } };\n" }, 'deploy/tasks/x.mjs', 'rolse'],
    [
      'a bad task name',
      { 'deploy/tasks/x.mjs': "export default { 'Bad Name': { run: 'x' } };\n" },
      'deploy/tasks/x.mjs',
      'expected a task name',
    ],
    [
      'a throwing factory',
      { 'deploy/tasks/x.mjs': "export default () => { throw new Error('boom'); };\n" },
      'deploy/tasks/x.mjs',
      'the exported function threw: boom',
    ],
  ])('%s is a ConfigError naming the file', async (_, files, module, message) => {
    const dir = project(files as Record<string, string>);
    const msg = await configError(() => loadTaskModules([join(dir, module)], dir));
    expect(msg).toContain(join(dir, module));
    expect(msg).toContain(message);
  });

  it('the typed example (a .ts module importing `deploy`) loads on this Node and builds its commands', async () => {
    const example = fileURLToPath(new URL('../../../examples/tasks/notify.ts', import.meta.url));
    const tasks = await loadTaskModules([example], dirname(example));
    expect(tasks.map((t) => [t.name, t.description, t.roles, t.once, t.cwd])).toEqual([
      ['notify:chat', 'Tell the team which release went live', ['web'], true, 'release'],
      ['cache:warm', 'Ask the app once so that its caches fill', ['web'], false, 'current'],
    ]);
    const host = { name: 'web1', address: '10.0.0.1', roles: ['web'], vars: {}, primary: true };
    const input = taskInput('shop', 'staging', '/srv/shop', host, {}, { id: '20240102030405', dir: '/srv/shop/releases/20240102030405' });
    expect(tasks[0]!.build(input).map((c) => render(c))).toEqual(EXAMPLE_COMMANDS);
  });

  it('a TypeScript module: types are stripped, a syntax error is a ConfigError naming the file', async () => {
    const dir = project({
      'deploy/tasks/typed.ts':
        "interface Opts { roles: string[] }\nconst o: Opts = { roles: ['web'] };\nexport default { 'typed:hello': { run: 'echo hi' as string, ...o } };\n",
      'deploy/tasks/broken.mts': 'export default { t: { run: ',
    });
    const tasks = await loadTaskModules([join(dir, 'deploy/tasks/typed.ts')], dir);
    expect(tasks.map((t) => [t.name, t.roles])).toEqual([['typed:hello', ['web']]]);
    const msg = await configError(() => loadTaskModules([join(dir, 'deploy/tasks/broken.mts')], dir));
    expect(msg).toContain(`${join(dir, 'deploy/tasks/broken.mts')}`);
    expect(msg).toContain('cannot load the task module');
    expect(importError(new Error('Unexpected token'), '/p/x.js', 'x.js').message).toBe(
      'x.js: cannot load the task module: Unexpected token',
    );
  });

  it('a package that is not installed says how to install it', async () => {
    const dir = project({});
    expect(await configError(() => loadTaskModules(['deploy-tasks-nowhere'], dir))).toContain(
      'npm install --save-dev deploy-tasks-nowhere',
    );
  });

  it('an ESM-only package is found through its exports', async () => {
    const dir = project({
      'node_modules/deploy-tasks-esm/package.json': JSON.stringify({
        name: 'deploy-tasks-esm',
        type: 'module',
        exports: { '.': { import: './index.js' } },
      }),
      'node_modules/deploy-tasks-esm/index.js': "export default { 'esm:hi': { run: 'echo hi' } };\n",
    });
    const [task] = await loadTaskModules(['deploy-tasks-esm'], dir);
    expect(task).toMatchObject({ name: 'esm:hi', module: 'deploy-tasks-esm', file: join(dir, 'node_modules/deploy-tasks-esm/index.js') });
  });

  it('a module with a syntax error is reported at its own line and column', async () => {
    const dir = project({ 'ops/bad.mjs': "export default {\n  a: { run: 'x' },\n  b: { run: 'y' } oops\n};\n" });
    const e = await loadTaskModules([join(dir, 'ops/bad.mjs')], dir).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(e).toBeInstanceOf(ConfigError);
    expect((e as ConfigError).issues).toEqual([
      {
        file: join(dir, 'ops/bad.mjs'),
        line: 3,
        column: 19,
        path: '',
        message: "cannot load the task module: SyntaxError: Unexpected identifier 'oops'",
      },
    ]);
  });

  // Where it threw (line and column) is read from the stack, which vitest's loader rewrites: test/cli checks it.
  it('a module that throws while it loads is reported with the error', async () => {
    const dir = project({ 'ops/throws.mjs': 'const settings = undefined;\nexport default { a: { run: settings.command } };\n' });
    const e = (await loadTaskModules([join(dir, 'ops/throws.mjs')], dir).catch((e: unknown) => e)) as ConfigError;
    expect(e.issues[0]?.message).toBe("cannot load the task module: TypeError: Cannot read properties of undefined (reading 'command')");
  });

  it('two modules defining one task name is an error naming both', async () => {
    const dir = project({ 'a.mjs': "export default { t: { run: 'a' } };\n", 'b.mjs': "export default { t: { run: 'b' } };\n" });
    const msg = await configError(() => loadTaskModules([join(dir, 'a.mjs'), join(dir, 'b.mjs')], dir));
    expect(msg).toMatch(/b\.mjs: t: task `t` is also defined by .*a\.mjs/);
  });
});

describe('task modules: the registry and runTask', () => {
  it('lists config, recipe and module tasks with their origin; hooks may name module tasks', async () => {
    const dir = project({
      'deploy.yml': deployYml('recipe: node\nhooks: { after: { deploy: notify:chat } }\ntasks: { backup: pg_dump }'),
      'deploy/tasks/notify.mjs': NOTIFY,
    });
    const config = loadConfig({ file: join(dir, 'deploy.yml'), stage: 'staging', env: {} });
    const tasks = await taskRegistry(config);
    expect([...tasks.values()].map((t) => [t.name, t.origin.kind])).toEqual([
      ['node:build', 'recipe'],
      ['node:prune', 'recipe'],
      ['db:create', 'recipe'],
      ['node:stop', 'recipe'],
      ['backup', 'config'],
      ['notify:chat', 'module'],
      ['warm', 'module'],
    ]);
    expect(await taskRegistry(config)).toBe(tasks);
  });

  it('a hook naming a task no one defines fails once the modules are loaded', async () => {
    const dir = project({ 'deploy.yml': deployYml('hooks: { after: { deploy: [notify:chta] } }'), 'deploy/tasks/notify.mjs': NOTIFY });
    const config = loadConfig({ file: join(dir, 'deploy.yml'), stage: 'staging', env: {} });
    expect(await configError(() => taskRegistry(config))).toContain(
      'hooks.after.deploy: unknown task `notify:chta` (did you mean `notify:chat`?)',
    );
  });

  it('a module task hooked before deploy must not run in the release, which does not exist yet', async () => {
    const dir = project({
      'deploy.yml': deployYml('hooks: { before: { deploy: [warm, notify:chat] } }'),
      'deploy/tasks/notify.mjs': NOTIFY,
    });
    const config = loadConfig({ file: join(dir, 'deploy.yml'), stage: 'staging', env: {} });
    const msg = await configError(() => taskRegistry(config));
    // `warm` runs in current/ and may; `notify:chat` runs in the release.
    expect(msg).toMatch(
      /notify\.mjs: notify:chat: runs in the new release .*which does not exist yet before `deploy` \(hooks\.before\.deploy in .*deploy\.yml\)/,
    );
    expect(msg).not.toContain('warm');
  });

  it('a module task may not take the name of a deploy.yml task', async () => {
    const dir = project({ 'deploy.yml': deployYml("tasks: { warm: 'true' }"), 'deploy/tasks/notify.mjs': NOTIFY });
    const config = loadConfig({ file: join(dir, 'deploy.yml'), stage: 'staging', env: {} });
    expect(await configError(() => taskRegistry(config))).toMatch(/notify\.mjs: warm: task `warm` is also defined in .*deploy\.yml/);
  });

  it('runs a module task: its commands with the run env, in the release, on the primary web host once', async () => {
    const dir = project({ 'deploy.yml': deployYml(), 'deploy/tasks/notify.mjs': NOTIFY });
    const config = loadConfig({ file: join(dir, 'deploy.yml'), stage: 'staging', env: {} });
    const { ctx, events } = planContext(config);
    await runTask(ctx, 'notify:chat', { id: '20260101000000', dir: '/srv/shop/releases/20260101000000' });
    const commands = events.flatMap((e) => (e.type === 'command' ? [[e.host, e.command]] : []));
    expect(commands).toHaveLength(2);
    expect(commands.every(([host]) => host === 'web1')).toBe(true);
    expect(commands[0]![1]).toMatch(
      /^cd \/srv\/shop\/shared && export .*DEPLOY_RELEASE=20260101000000 .* && \( mkdir -p \/srv\/shop\/shared\/notes && sh -c 'echo "deployed \$DEPLOY_RELEASE" >> notes\/log' \)$/,
    );
    expect(commands[1]![1]).toMatch(
      /^cd \/srv\/shop\/releases\/20260101000000 && export .* && touch \/srv\/shop\/releases\/20260101000000\/.notified-web1$/,
    );
  });

  it('a command not made by the builders the module got is refused, naming the file', async () => {
    const dir = project({
      'deploy.yml': deployYml(),
      'deploy/tasks/bad.mjs': "export default { bad: { commands: () => [{ tokens: [{ text: 'rm -rf /' }], effect: 'write' }] } };\n",
    });
    const config = loadConfig({ file: join(dir, 'deploy.yml'), stage: 'staging', env: {} });
    const { ctx } = planContext(config);
    await expect(runTask(ctx, 'bad')).rejects.toThrow(
      /bad\.mjs: commands\(\) of task `bad` returned at \[0\] a command whose token 0 was not made by these builders/,
    );
  });

  it('an allow_failure task that fails is a warning with its output, and the run goes on', async () => {
    const dir = project({
      'deploy.yml': deployYml("tasks: { lint: { run: 'echo W001 risky; exit 1', allow_failure: true, roles: [db] } }"),
    });
    const config = loadConfig({ file: join(dir, 'deploy.yml'), stage: 'staging', env: {} });
    const { ctx, events } = planContext(config);
    const failing = {
      ...ctx,
      backend: {
        ...ctx.backend,
        exec: async () => ({ code: 1, stdout: 'W001 risky\n', stderr: '', durationMs: 1 }),
        close: async () => {},
      },
    } as typeof ctx;
    await runTask({ ...failing, mode: 'real' }, 'lint');
    expect(events.filter((e) => e.type === 'warning')).toEqual([
      { type: 'warning', host: 'db1', message: 'task lint failed (exit 1); going on (allow_failure):\nW001 risky' },
    ]);
  });

  it('an allow_failure task that says why on stderr: the warning is that, not the end of its stdout (full text with -v)', async () => {
    const dir = project({ 'deploy.yml': deployYml("tasks: { lint: { run: 'exit 1', allow_failure: true, roles: [db] } }") });
    const config = loadConfig({ file: join(dir, 'deploy.yml'), stage: 'staging', env: {} });
    const { ctx, events } = planContext(config);
    const report = Array.from({ length: 30 }, (_, i) => `W${i} finding`).join('\n');
    const failing = {
      ...ctx,
      backend: {
        ...ctx.backend,
        exec: async () => ({ code: 1, stdout: `${report}\n`, stderr: '30 findings: W0 … W29\n', durationMs: 1 }),
        close: async () => {},
      },
    } as typeof ctx;
    await runTask({ ...failing, mode: 'real' }, 'lint');
    expect(events.filter((e) => e.type === 'warning')).toEqual([
      { type: 'warning', host: 'db1', message: 'task lint failed (exit 1); going on (allow_failure):\n30 findings: W0 … W29' },
    ]);
  });
});
