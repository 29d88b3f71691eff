export { Lock, LockNotHeldError, LOCK_NAME } from './lock.js';
export type { AcquireOptions, LockOptions } from './lock.js';
export { LeaderLatch, LATCH_NAME } from './leader-latch.js';
export { PROTECTED_PREFIX, fixForSorting, sortChildren } from './internals.js';
