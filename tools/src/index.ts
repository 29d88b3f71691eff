export * from './reference-zookeeper.js';
