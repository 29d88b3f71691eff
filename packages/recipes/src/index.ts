export { Lock, LockNotHeldError, LOCK_NAME, SequentialLock, mutexDriver } from './lock.js';
export type { AcquireOptions, LockDriver, LockOptions } from './lock.js';
export { ReadWriteLock, READ_LOCK_NAME, WRITE_LOCK_NAME } from './read-write-lock.js';
export { Semaphore, Lease, LEASE_NAME, SEMAPHORE_LEASE_PARENT, SEMAPHORE_LOCK_PARENT, SEMAPHORE_MAX_LEASES_MAX } from './semaphore.js';
export type { SemaphoreOptions } from './semaphore.js';
export { LeaderLatch, LATCH_NAME, LATCH_RETRY_DELAY_MS } from './leader-latch.js';
export type { LatchState, LeaderLatchOptions } from './leader-latch.js';
export { LeaderSelector } from './leader-selector.js';
export type { LeaderSelectorOptions, SelectorState, TakeLeadership } from './leader-selector.js';
export { Barrier, DoubleBarrier, DOUBLE_BARRIER_MEMBERS_MAX, DOUBLE_BARRIER_READY_NODE } from './barrier.js';
export { DistributedQueue, QUEUE_FORMAT_VERSION, QUEUE_ITEM_NAME, QueueFormatError, decodeQueueItems, encodeQueueItems } from './queue.js';
export { SharedCount, CountFormatError, SHARED_COUNT_RETRIES_DEFAULT, SHARED_COUNT_RETRIES_MAX, decodeCount, encodeCount } from './shared-count.js';
export type { VersionedValue } from './shared-count.js';
export { GroupMember } from './group-member.js';
export type { MemberState } from './group-member.js';
export { watchChildren, watchChildrenData, watchNode } from './node-watch.js';
export type { NodeValue, WatchNodeOptions } from './node-watch.js';
export { UniqueIdGenerator, UNIQUE_ID_MAX, UNIQUE_ID_PREFIX } from './unique-id.js';
export {
  ServiceDiscovery,
  ServiceInstanceFormatError,
  decodeServiceInstance,
  encodeServiceInstance,
} from './service-discovery.js';
export type { RegisterOptions, ServiceInstance, ServiceType } from './service-discovery.js';
export { HoldTracker, PROTECTED_PREFIX, fixForSorting, sortChildren } from './internals.js';
export type { HoldState, SessionEvent } from './internals.js';
