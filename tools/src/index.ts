export * from './reference-zookeeper.js';
export * from './reference-ensemble.js';
export * from './child-processes.js';
