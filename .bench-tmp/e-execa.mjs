import * as x from 'execa'; globalThis.x=x;
