import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { Option } from 'commander';
import { describeRepo } from '../backends/git.js';
import { parseDotEnv } from '../config/dotenv.js';
import { appName, DJANGO_SECRET_VAR, initTemplate, settingsModuleOf } from '../config/template.js';
import { ConfigError } from '../errors.js';
import { out, withConfig } from './common.js';
function readText(file) {
    try {
        return readFileSync(file, 'utf8');
    }
    catch {
        return undefined;
    }
}
function packageName(dir) {
    const text = readText(join(dir, 'package.json'));
    if (text === undefined)
        return undefined;
    try {
        return JSON.parse(text).name;
    }
    catch {
        return undefined;
    }
}
function detectRecipe(dir) {
    if (existsSync(join(dir, 'manage.py')))
        return 'django';
    if (existsSync(join(dir, 'package.json')))
        return 'node';
    return undefined;
}
const NODE_LOCKFILES = ['pnpm-lock.yaml', 'yarn.lock'];
/** A Django SECRET_KEY in the .env next to deploy.yml, unless the environment or that file has one. */
function ensureSecretKey(configDir) {
    if (process.env[DJANGO_SECRET_VAR])
        return undefined;
    const file = join(configDir, '.env');
    const text = readText(file) ?? '';
    if (parseDotEnv(text).vars[DJANGO_SECRET_VAR] !== undefined)
        return undefined;
    const key = randomBytes(48).toString('base64url');
    writeFileSync(file, `${text}${text && !text.endsWith('\n') ? '\n' : ''}${DJANGO_SECRET_VAR}=${key}\n`, { mode: 0o600 });
    return file;
}
export function registerInit(program) {
    withConfig(program
        .command('init')
        .description('write a commented deploy.yml for the project in the current directory')
        .option('-f, --force', 'overwrite an existing file')
        .addOption(new Option('--recipe <name>', 'build on a recipe (default: django when manage.py is here, node when package.json is)').choices([
        'node',
        'django',
        'none',
    ]))).action(async (flags) => {
        const file = resolve(flags.config);
        if (existsSync(file) && !flags.force) {
            throw ConfigError.single(file, 'already exists; nothing was written', 'pass --force to overwrite it');
        }
        const dir = process.cwd();
        const pkg = packageName(dir);
        const repo = await describeRepo(dir);
        const recipe = flags.recipe === 'none' ? undefined : (flags.recipe ?? detectRecipe(dir));
        const facts = {
            app: appName(pkg ?? basename(dir)),
            repository: repo.origin,
            branch: repo.branch,
            kind: pkg !== undefined ? 'node' : 'generic',
            ...(recipe ? { recipe } : {}),
            ...(recipe === 'node' ? { lockfile: NODE_LOCKFILES.find((f) => existsSync(join(dir, f))) } : {}),
            ...(recipe === 'django' ? { settingsModule: settingsModuleOf(readText(join(dir, 'manage.py')) ?? '') } : {}),
        };
        writeFileSync(file, initTemplate(facts));
        out(`wrote ${file}${recipe ? ` (recipe ${recipe})` : ''}: fill in your hosts, then \`deploy plan staging\``);
        if (recipe === 'django') {
            const env = ensureSecretKey(dirname(file));
            if (env)
                out(`wrote a new ${DJANGO_SECRET_VAR} to ${env}: keep it out of git (production can take it from the environment)`);
        }
    });
}
//# sourceMappingURL=init.js.map