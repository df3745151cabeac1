import { statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { InvalidArgumentError, Option } from 'commander';
import { isReleaseId } from '../commands/release.js';
import { loadConfig } from '../config/load.js';
export const configOption = () => new Option('-c, --config <file>', 'the deploy.yml to use').default('deploy.yml');
export function withConfig(cmd) {
    return cmd.addOption(configOption());
}
export function loadStage(flags, stage) {
    return loadConfig({ file: resolve(flags.config), stage, env: process.env, cwd: process.cwd() });
}
export function splitList(value) {
    return value === undefined ? undefined : value.split(',').map((s) => s.trim()).filter(Boolean);
}
export const out = (text) => process.stdout.write(text.endsWith('\n') ? text : `${text}\n`);
// Flag values are parsed where commander reads them: a bad one is a usage error (exit 2) before anything runs.
/** No wait of a run is longer than a day; far longer ones would overflow Node's timers and fire at once. */
export const MAX_SECONDS = 86_400;
/** `30`, `2.5`: seconds from 0 to a day. */
export function parseSeconds(value) {
    const n = Number(value);
    if (!/^\d+(?:\.\d+)?$/.test(value) || n > MAX_SECONDS) {
        throw new InvalidArgumentError(`expected a number of seconds from 0 to ${MAX_SECONDS}, such as 30`);
    }
    return n;
}
/** A whole number >= 1. */
export function parseCount(value) {
    const n = Number(value);
    if (!/^\d+$/.test(value) || !(n >= 1) || !Number.isSafeInteger(n))
        throw new InvalidArgumentError('expected a whole number >= 1');
    return n;
}
/** `web1,web2`: at least one name; whether each exists is checked against the stage (hosts/select.ts). */
export const parseNames = (what) => (value) => {
    const names = splitList(value) ?? [];
    if (names.length === 0)
        throw new InvalidArgumentError(`expected ${what} separated by commas`);
    return names.join(',');
};
export function parseReleaseId(value) {
    if (!isReleaseId(value))
        throw new InvalidArgumentError('expected a release id as `deploy releases` lists them (YYYYMMDDHHMMSS)');
    return value;
}
/** A file to write at the end of a run: its directory must exist now, not only when the run is over. */
export function parseOutputFile(value) {
    const dir = dirname(resolve(value));
    let isDir = false;
    try {
        isDir = statSync(dir).isDirectory();
    }
    catch {
        isDir = false;
    }
    if (value === '' || !isDir)
        throw new InvalidArgumentError(`expected a file in an existing directory (${dir} is not one)`);
    return value;
}
//# sourceMappingURL=common.js.map