export * from './memory-txn-log.js';
export * from './memory-snapshot-store.js';
export * from './memory-epoch-store.js';
