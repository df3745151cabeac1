import { removeReleases } from '../src/commands/cleanup.js';
import { paths } from '../src/commands/paths.js';
import { render } from '../src/shell/command.js';
console.log(render(removeReleases(paths('/srv/app'), ['20240101000000'])));
