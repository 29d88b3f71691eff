export * from './memory-txn-log.js';
