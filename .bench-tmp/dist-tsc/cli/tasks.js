import { resolve } from 'node:path';
import { listStages } from '../config/load.js';
import { shortPath } from '../config/recipe.js';
import { runTask, taskRegistry } from '../tasks/tasks.js';
import { loadStage, out, withConfig } from './common.js';
import { runVerb, stageVerb } from './verbs.js';
const originText = (o) => o.kind === 'config'
    ? shortPath(o.file)
    : o.kind === 'recipe'
        ? `recipe ${o.recipe} (${shortPath(o.file)})`
        : o.module === shortPath(o.file)
            ? `module ${o.module}`
            : `module ${o.module} (${shortPath(o.file)})`;
export function registerTasks(program) {
    withConfig(program
        .command('tasks')
        .argument('[stage]', 'the stage whose tasks to list (default: the first)')
        .description('list every task of the config — from deploy.yml, its recipe and task modules — with where it runs, its hooks and where it is defined')
        .option('--json', 'print JSON')).action(async (stage, flags) => {
        const config = loadStage(flags, stage ?? listStages(resolve(flags.config))[0] ?? 'staging');
        const tasks = await taskRegistry(config);
        const hooks = (name) => ['before', 'after'].flatMap((when) => Object.entries(config.hooks[when]).filter(([, names]) => names?.includes(name)).map(([point]) => `${when} ${point}`));
        const rows = [...tasks.values()].map((t) => ({
            name: t.name,
            description: t.description ?? '',
            roles: t.roles,
            once: t.once,
            hooks: hooks(t.name),
            kind: t.origin.kind,
            ...(t.origin.kind === 'recipe' ? { recipe: t.origin.recipe } : t.origin.kind === 'module' ? { module: t.origin.module } : {}),
            source: t.origin.file,
        }));
        if (flags.json) {
            out(JSON.stringify(rows, null, 2));
            return;
        }
        if (rows.length === 0)
            out(`no tasks in ${shortPath(config.file)}`);
        for (const t of tasks.values()) {
            const where = `${t.roles.length ? t.roles.join(',') : 'all hosts'}${t.once ? ', once' : ''}`;
            const runs = hooks(t.name);
            out(`${t.name.padEnd(20)} ${t.description || '(no description)'}\n${' '.repeat(21)}on ${where}${runs.length ? `; runs ${runs.join(', ')}` : ''} — ${originText(t.origin)}`);
        }
    });
    stageVerb(program
        .command('task')
        .argument('<stage>', 'the stage')
        .argument('<name>', 'a task (see `deploy tasks`)')
        .description('run one task — from deploy.yml, its recipe or a task module — on its hosts (in current/)')).action((stage, name, flags) => runVerb(stage, flags, `task ${name}`, ({ ctx }) => runTask(ctx, name)));
}
//# sourceMappingURL=tasks.js.map