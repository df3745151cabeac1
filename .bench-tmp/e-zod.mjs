import * as x from 'zod'; globalThis.x=x;
