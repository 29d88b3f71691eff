export { ZooKeeperClient } from './client.js';
export type {
  ChildrenResult,
  ChildrenWithStatResult,
  ConnectAttemptFailure,
  ConnectionEvent,
  CreateOptions,
  KeeperStateName,
  ReconfigOptions,
  DataResult,
  ExistsResult,
  ReadOp,
  ReadOpResult,
  WatchOption,
} from './client.js';
export { ClientCore, CONFIG_NODE, TERMINAL_STATES } from './core.js';
export type { ConnectionState, CoreHooks, CoreOptions, DisconnectedRequestPolicy, Reply } from './core.js';
export { Chroot, DEFAULT_CLIENT_PORT, parseConnectString } from './connect-string.js';
export type { ConnectString, ServerAddress } from './connect-string.js';
export * from './errors.js';
export type { ClientOptions, CreateModeName } from './options.js';
export { NO_RETRY, exponentialBackoff, isRetryable } from './retry.js';
export type { ExponentialBackoffOptions, RetryPolicy } from './retry.js';
export { Transaction } from './transaction.js';
export type {
  CheckOpResult,
  CreateOpResult,
  Data,
  DeleteOpResult,
  SetDataOpResult,
  TransactionCreateOptions,
  TransactionOp,
  TransactionResult,
} from './transaction.js';
export { WatchRegistry, EVENT_TYPE_NAMES } from './watches.js';
export type { RemoveWatchesType, WatchKind, WatchSink, WatchSnapshot, WatchedEvent, WatchedEventType } from './watches.js';
