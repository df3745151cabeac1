import * as x from 'commander'; globalThis.x=x;
