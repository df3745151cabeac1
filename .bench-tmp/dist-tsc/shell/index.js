export * from './command.js';
export * from './quote.js';
export * from './sensitive.js';
//# sourceMappingURL=index.js.map