export { ZooKeeperServer, ZkServerOptions } from './zk-server.js';
export type { ConnectionInfo } from './zk-server.js';
export { FourLetterWords, VERSION_STRING, ZOOKEEPER_COMPAT_VERSION, ZKTS_VERSION } from './four-letter.js';
export type { ServerView } from './four-letter.js';
export { Logger, createLogger, memoryLogger } from './logger.js';
export type { LogLevel, LogSink } from './logger.js';
export { registerStandaloneServer, serverOptionsFromConfig, startStandaloneServer } from './module.js';
export type { ServerParts } from './module.js';
export * from './config/index.js';
