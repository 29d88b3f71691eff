export { DataTree, createStat } from './data-tree.js';
export type { DataNode, DataTreeOptions, SnapshotNode, StatPersisted } from './data-tree.js';
export { WatchManager, WatcherTypeExt } from './watch-manager.js';
export type { WatcherId, WatchKind, WatchesSummary } from './watch-manager.js';
export { prepareRequest, checkRead, OutstandingChanges } from './prep.js';
export type { WriteRequest, CreateRequest, CreateTTLRequest, PrepContext, PrepResult, ChangeRecord } from './prep.js';
export type * from './txn.js';
export {
  EphemeralKind,
  CONTAINER_EPHEMERAL_OWNER,
  TTL_MS_MAX,
  ephemeralKind,
  ttlToEphemeralOwner,
  ttlOf,
} from './ephemeral.js';
export { parentOf, childNameOf, isSpecialPath, PROC_ZOOKEEPER, QUOTA_ZOOKEEPER, CONFIG_ZOOKEEPER, SEQUENCE_DIGITS } from './paths.js';
export { StatsTrack, QUOTA_LIMIT_NODE, QUOTA_STAT_NODE, limitPath, statPath } from './quota.js';
export { nodeDigest, crc32, DIGEST_VERSION } from './digest.js';
export { javaHashSetCloneOrder, javaHashSetOrder, javaStringHash } from './java-order.js';
