export * from './file-txn-log.js';
export * from './file-snapshot-store.js';
export * from './file-epoch-store.js';
export * from './recover-data-tree.js';
export * from './fs.js';
export * from './di.js';
export * from './inspect.js';
