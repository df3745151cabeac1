import * as x from 'listr2'; globalThis.x=x;
