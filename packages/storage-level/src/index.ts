export { LEVEL_ENGINES, ENGINE_NAMES, LevelStorageError, engineOfDirectory, type LevelEngine } from './kv.js';
export * from './level-txn-log.js';
export * from './level-snapshot-store.js';
export * from './level-epoch-store.js';
export * from './storage.js';
export * from './di.js';
